package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.terminal.cli.ExitCodes;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A `tally` process that runs out of heap says so and stops with exit code 70. */
class OutOfMemoryTest {

    @TempDir
    Path dir;

    @Test
    void aReplayOfALogTooLargeForTheHeapStopsWithExitCode70AndSaysWhatToDo() throws Exception {
        Path log = dir.resolve("big.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (int i = 1; i <= 60_000; i++) {
                String stan = String.format("%06d", i % 999_999 + 1);
                w.write("{\"ts\":1795469109404,\"dir\":\"IN\",\"peer\":\"127.0.0.1:48788\",\"terminalId\":\"LOAD0002\","
                        + "\"mti\":\"0800\",\"stan\":\"" + stan + "\",\"messageId\":\"H" + i + "\",\"event\":\"REQUEST\","
                        + "\"fields\":{\"TRANSMISSION_DATE_TIME\":\"1123212509\",\"STAN\":\"" + stan
                        + "\",\"TERMINAL_ID\":\"LOAD0002\",\"NETWORK_MANAGEMENT_CODE\":\"001\"}}\n");
            }
        }
        Path err = dir.resolve("err.txt");
        // port 1: the log is read, and fills the heap, before anything is sent
        Process p = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx16m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.tally.terminal.cli.TallyCli", "replay", log.toString(), "--host", "127.0.0.1", "--port", "1"))
                .redirectError(err.toFile()).redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "still running: " + Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
        String stderr = Files.readString(err);
        assertEquals(ExitCodes.OUT_OF_MEMORY, p.exitValue(), stderr);
        assertTrue(stderr.startsWith("tally: ran out of memory (the JVM's heap may grow to "), stderr);
        assertTrue(stderr.contains("TALLY_JAVA_OPTS=-Xmx2g"), stderr);
    }
}
