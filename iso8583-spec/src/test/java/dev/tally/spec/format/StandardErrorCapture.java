package dev.tally.spec.format;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * For the tests of a command line's process set-up (shared through the test-jar): what reaches the process's standard
 * error when {@code setUp} (its configureProcess) runs first and {@code print} writes to {@code System.err} after.
 * System.err and the system properties are put back afterwards.
 */
public final class StandardErrorCapture {

    private StandardErrorCapture() {
    }

    public static String printed(Runnable setUp, Runnable print) {
        PrintStream original = System.err;
        Properties properties = (Properties) System.getProperties().clone();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(sink, true, StandardCharsets.UTF_8));
            setUp.run();
            print.run();
            System.err.flush();
        } finally {
            System.setErr(original);
            System.setProperties(properties);
        }
        return sink.toString(StandardCharsets.UTF_8);
    }
}
