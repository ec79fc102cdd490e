package dev.tally.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.StandardErrorCapture;
import org.junit.jupiter.api.Test;

/** tally-sim's process puts System.err, where its log goes, behind the scrubbing stream before the first logger. */
class ProcessLogTest {

    @Test
    void aStackTraceOnStandardErrorHasItsCardNumberMasked() {
        String printed = StandardErrorCapture.printed(SimulatorCli::configureProcess,
                () -> new IllegalStateException("ledger row for 4761739001010119 unreadable").printStackTrace());
        assertFalse(printed.contains("4761739001010119"), printed);
        assertTrue(printed.contains("ledger row for 476173******0119 unreadable"), printed);
    }
}
