package dev.tally.terminal.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** tally's process puts System.err, where its log goes, behind the scrubbing stream before the first logger. */
class ProcessLogTest {

    @Test
    void aStackTraceOnStandardErrorHasItsCardNumberMasked() {
        PrintStream original = System.err;
        Properties properties = (Properties) System.getProperties().clone();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(sink, true, StandardCharsets.UTF_8));
            TallyCli.configureProcess();
            new IllegalStateException("journal row for 4761739001010119 unreadable").printStackTrace();
            System.err.flush();
        } finally {
            System.setErr(original);
            System.setProperties(properties);
        }
        String printed = sink.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("4761739001010119"), printed);
        assertTrue(printed.contains("journal row for 476173******0119 unreadable"), printed);
    }
}
