package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A message log that cannot be written is warned about once per outage, and its end is said; no write throws. */
class LogWritesTest {

    @Test
    void anOutageIsWarnedOnceAndItsEndSaid() {
        LogWrites writes = new LogWrites(LoggerFactory.getLogger(LogWritesTest.class), "the terminal");
        AtomicBoolean diskFull = new AtomicBoolean(true);
        Runnable write = () -> {
            if (diskFull.get()) {
                throw new UncheckedIOException(new java.io.IOException("No space left on device"));
            }
        };
        String printed = StandardErrorCapture.printed(() -> { }, () -> {
            writes.run(write);
            writes.run(write);
            diskFull.set(false);
            writes.run(write);
            writes.run(write);
        });
        assertEquals(1, count(printed, "cannot write the message log (java.io.IOException: No space left on device);"
                + " the terminal carries on without it and tries again at its next line"), printed);
        assertEquals(1, count(printed, "the message log is written again"), printed);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
