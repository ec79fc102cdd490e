package dev.tally.terminal.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.StandardErrorCapture;
import org.junit.jupiter.api.Test;

/** tally's process puts System.err, where its log goes, behind the scrubbing stream before the first logger. */
class ProcessLogTest {

    @Test
    void aStackTraceOnStandardErrorHasItsCardNumberMasked() {
        String printed = StandardErrorCapture.printed(() -> TallyCli.configureProcess(new String[0]),
                () -> new IllegalStateException("journal row for 4761739001010119 unreadable").printStackTrace());
        assertFalse(printed.contains("4761739001010119"), printed);
        assertTrue(printed.contains("journal row for 476173******0119 unreadable"), printed);
    }

    /**
     * serve's log says when (timestamps) and logs at INFO (the link connected again); a one-shot command only warns.
     * Its lines had no time, so an operator reading a month of serve's output could not tell when an outage began.
     */
    @Test
    void serveLogsAtInfoWithTimestampsAndAOneShotCommandOnlyWarns() {
        String[] keys = {"org.slf4j.simpleLogger.defaultLogLevel", "org.slf4j.simpleLogger.showDateTime",
            "org.slf4j.simpleLogger.dateTimeFormat"};
        java.util.Map<String, String> saved = new java.util.HashMap<>();
        for (String k : keys) {
            saved.put(k, System.getProperty(k));
        }
        try {
            for (String k : keys) {
                System.clearProperty(k);
            }
            TallyCli.configureProcess(new String[] {"--port", "8583", "serve", "--api-port", "0"});
            assertTrue("info".equals(System.getProperty(keys[0])), System.getProperty(keys[0]));
            assertTrue("true".equals(System.getProperty(keys[1])));
            assertTrue(System.getProperty(keys[2]).startsWith("yyyy-MM-dd'T'HH:mm:ss"));
            System.clearProperty(keys[0]);
            TallyCli.configureProcess(new String[] {"--port", "8583", "sale", "--order", "A1", "--amount", "1.00"});
            assertTrue("warn".equals(System.getProperty(keys[0])), System.getProperty(keys[0]));
            // the command decides, not the word "serve" anywhere among the arguments (an order id here)
            System.clearProperty(keys[0]);
            TallyCli.configureProcess(new String[] {"sale", "--order", "serve", "--amount", "1.00"});
            assertTrue("warn".equals(System.getProperty(keys[0])), System.getProperty(keys[0]));
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }
}
