package dev.tally.simulator;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * What the simulator logs (slf4j-simple writes to {@code System.err}, looked up at every line) while a piece of a
 * test runs; System.err is put back afterwards.
 */
final class LogCapture {

    interface Body {
        void run() throws Exception;
    }

    /** A body that can look at what was logged so far (to wait for a line instead of for a fixed time). */
    interface Watching {
        void run(Supplier<String> soFar) throws Exception;
    }

    private LogCapture() {
    }

    static String during(Body body) throws Exception {
        return watching(soFar -> body.run());
    }

    static String watching(Watching body) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        System.setErr(new PrintStream(sink, true, StandardCharsets.UTF_8));
        try {
            body.run(() -> sink.toString(StandardCharsets.UTF_8));
        } finally {
            System.err.flush();
            System.setErr(original);
        }
        String captured = sink.toString(StandardCharsets.UTF_8);
        original.print(captured); // still in the test's report
        return captured;
    }
}
