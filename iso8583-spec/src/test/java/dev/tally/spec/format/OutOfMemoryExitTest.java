package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Child JVMs with a small heap: an OutOfMemoryError in a thread that is not main must end the process. */
class OutOfMemoryExitTest {

    @TempDir
    Path dir;

    @Test
    void anOutOfMemoryErrorInAnotherThreadEndsTheProcessWithItsLine() throws Exception {
        Result r = child("platform");
        assertEquals(OutOfMemoryExit.EXIT_CODE, r.code, r.stderr);
        assertTrue(r.stderr.contains("child: ran out of memory (the JVM's heap may grow to "), r.stderr);
        assertTrue(r.stderr.contains("MB) and stopped at once. Give it more."), r.stderr);
        assertFalse(r.stderr.contains("still waiting"), "the main thread never went on: " + r.stderr);
    }

    @Test
    void anOutOfMemoryErrorInAVirtualThreadEndsTheProcessToo() throws Exception {
        Result r = child("virtual");
        assertEquals(OutOfMemoryExit.EXIT_CODE, r.code, r.stderr);
        assertTrue(r.stderr.contains("child: ran out of memory"), r.stderr);
    }

    @Test
    void anOutOfMemoryErrorEndsTheProcessWhenTheHeapStaysFull() throws Exception {
        Result r = child("full");
        assertEquals(OutOfMemoryExit.EXIT_CODE, r.code, r.stderr);
        assertTrue(r.stderr.contains("child: ran out of memory"), r.stderr);
    }

    @Test
    void otherUncaughtExceptionsArePrintedAsTheJvmDoesAndTheProcessGoesOn() throws Exception {
        Result r = child("other");
        assertEquals(0, r.code, r.stderr);
        assertTrue(r.stderr.contains("Exception in thread \"worker\" java.lang.IllegalStateException: boom"), r.stderr);
        assertTrue(r.stderr.contains("main went on"), r.stderr);
    }

    @Test
    void findsAnOutOfMemoryErrorAmongTheCauses() {
        assertTrue(OutOfMemoryExit.causedByOutOfMemory(new IllegalStateException(new RuntimeException(new OutOfMemoryError()))));
        assertFalse(OutOfMemoryExit.causedByOutOfMemory(new IllegalStateException(new RuntimeException())));
        assertFalse(OutOfMemoryExit.causedByOutOfMemory(null));
    }

    private record Result(int code, String stderr) {
    }

    private Result child(String mode) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx24m", "-cp", System.getProperty("java.class.path"), Child.class.getName(), mode));
        Path err = dir.resolve(mode + ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(dir.resolve(mode + ".out").toFile())
                .start();
        try {
            // without the handler the main thread waits for ever: the deadline is what fails the test then
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child is still running: " + Files.readString(err));
            return new Result(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /** Installs the handler, has a worker thread fail, and waits (for ever, but for mode "other"). */
    public static final class Child {
        /** What the "full" hog keeps: the heap stays full after it dies, as when a large log fills it. */
        static final List<Object> KEPT = new ArrayList<>();

        public static void main(String[] args) throws Exception {
            OutOfMemoryExit.install("child", "Give it more.");
            CountDownLatch never = new CountDownLatch(1);
            Runnable hog = () -> {
                List<long[]> held = new ArrayList<>();
                while (true) {
                    held.add(new long[1 << 16]);
                }
            };
            switch (args[0]) {
                case "platform" -> new Thread(hog, "hog").start();
                case "virtual" -> Thread.ofVirtual().name("hog").start(hog);
                case "full" -> new Thread(() -> {
                    while (true) {
                        KEPT.add(new long[16]);
                    }
                }, "hog").start();
                default -> {
                    Thread t = new Thread(() -> {
                        throw new IllegalStateException("boom");
                    }, "worker");
                    t.start();
                    t.join();
                    System.err.println("main went on");
                    return;
                }
            }
            if (!never.await(50, TimeUnit.SECONDS)) {
                System.err.println("still waiting");
            }
        }
    }
}
