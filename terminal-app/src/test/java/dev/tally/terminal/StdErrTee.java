package dev.tally.terminal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies what is written to System.err from now on, still writing it through, until closed (System.err put back).
 * slf4j-simple writes to whatever System.err is at the moment, so a test reads the log lines of what it did.
 */
public final class StdErrTee implements AutoCloseable {

    private final PrintStream before = System.err;
    private final ByteArrayOutputStream copied = new ByteArrayOutputStream();

    private StdErrTee() {
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public synchronized void write(int b) {
                before.write(b);
                copied.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                before.write(b, off, len);
                copied.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
    }

    public static StdErrTee start() {
        return new StdErrTee();
    }

    /** What was written since {@link #start}. */
    public String text() {
        synchronized (copied) {
            return copied.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.setErr(before);
    }
}
