package dev.tally.terminal.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.StandardErrorCapture;
import org.junit.jupiter.api.Test;

/** tally's process puts System.err, where its log goes, behind the scrubbing stream before the first logger. */
class ProcessLogTest {

    @Test
    void aStackTraceOnStandardErrorHasItsCardNumberMasked() {
        String printed = StandardErrorCapture.printed(TallyCli::configureProcess,
                () -> new IllegalStateException("journal row for 4761739001010119 unreadable").printStackTrace());
        assertFalse(printed.contains("4761739001010119"), printed);
        assertTrue(printed.contains("journal row for 476173******0119 unreadable"), printed);
    }
}
