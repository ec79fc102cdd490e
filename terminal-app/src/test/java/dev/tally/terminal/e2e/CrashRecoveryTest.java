package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code tally sale} while it waits for the host: the next command, whatever it is, finds
 * the attempt SENT, turns it into a pending reversal and sends it; the host ends with no standing debit.
 */
class CrashRecoveryTest {

    @TempDir
    Path dir;

    @Test
    void aSaleKilledWhileWaitingIsReversedByTheNextCommand() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElseThrow());
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.tally.terminal.cli.TallyCli"));
            // .69: the host applies the debit and never answers; the 30 s timeout keeps the child waiting
            cmd.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()),
                    "--journal", lab.journal.toString(), "--timeout", "30", "--json",
                    "sale", "--order", "INV-KILL", "--amount", "50.69"));
            Path out = dir.resolve("child.out");
            Path err = dir.resolve("child.err");
            Process child = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                Lab.await("the journal to show the sale SENT", Duration.ofSeconds(30),
                        () -> "SENT".equals(lab.lastState("INV-KILL")) || !child.isAlive());
                assertTrue(child.isAlive(), "the child ended early: " + Files.readString(err));
                Lab.await("the host to apply the debit", Duration.ofSeconds(10),
                        () -> lab.standingDebits("INV-KILL") == 1);
            } finally {
                child.destroyForcibly();
                child.waitFor();
            }
            assertEquals("SENT", lab.lastState("INV-KILL"), "killed while waiting");

            // any command that works the journal (journal only reads it: it shows the attempt as the crash left it)
            assertEquals("SENT", lab.tally("journal", "--order", "INV-KILL").json().get("attempts").get(0).get("state")
                    .asText());
            assertEquals(0, lab.tally("pending").exit());
            Lab.Run any = lab.tally("journal", "--order", "INV-KILL");
            assertEquals(0, any.exit(), any.toString());
            assertEquals("REVERSED", lab.lastState("INV-KILL"));
            assertEquals(0, lab.standingDebits("INV-KILL"), "host: " + lab.ledger("INV-KILL"));
            String events = any.json().get("attempts").get(0).get("events").toString();
            assertTrue(events.contains("recovery"), events);
            lab.assertInvariant();

            for (Path p : List.of(out, err, lab.journal)) {
                assertFalse(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(Lab.PAN),
                        "full PAN in " + p);
            }
        }
    }
}
