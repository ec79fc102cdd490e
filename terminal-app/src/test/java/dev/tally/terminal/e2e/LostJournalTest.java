package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.Masking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal emptied by a bad copy or restore (0 bytes) while its data key is still beside it, after a sale whose
 * reversal failed (the debit stands at the host): {@code pending} said "nothing pending" and the next sale reused
 * STAN 000002, so the failed reversal was forgotten for good. Now every command is refused (exit 1) saying the
 * journal was lost, and nothing is created, changed or sent; the journal restored from its backup carries on.
 */
class LostJournalTest {

    @TempDir
    Path dir;

    @Test
    void anEmptiedJournalWithItsDataKeyThereIsRefusedAsLostAndNothingIsDone() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            lab.timeout = "1";
            assertEquals(4, lab.tally("--reversal-attempts", "1", "sale", "--order", "L-1", "--amount", "40.99").exit());
            assertEquals(4, lab.tally("--reversal-attempts", "1", "pending", "--resolve").exit());
            assertEquals("REVERSAL_FAILED", lab.lastState("L-1"));
            assertEquals(1, lab.standingDebits("L-1"));
            byte[] backup = Files.readAllBytes(lab.journal);
            Path key = Path.of(lab.journal + ".key");
            byte[] keyBytes = Files.readAllBytes(key);

            Files.write(lab.journal, new byte[0]); // a copy or restore that failed
            var files = journalFiles(dir);
            for (String[] command : new String[][] {{"pending"}, {"sale", "--order", "L-2", "--amount", "10.00"}}) {
                Lab.Run r = lab.tally(command);
                assertEquals(1, r.exit(), r.toString());
                assertEquals("ERROR", r.status(), r.out());
                // (the CLI scrubs digit runs that could be a card number: a temp folder's name may hold one)
                assertTrue(r.err().startsWith(Masking.scrub("tally: journal: the journal " + lab.journal.toAbsolutePath()
                        + " is empty (0 bytes) but its data key " + key.toAbsolutePath() + " exists, so the journal"
                        + " was lost or truncated")), r.err());
                assertTrue(r.err().contains("restore it from a backup; nothing was changed. To start a new journal"
                        + " there on purpose, move the key away too"), r.err());
                assertEquals(0, Files.size(lab.journal), "the empty file was made a new journal by " + String.join(" ", command));
                assertEquals(files, journalFiles(dir), "a file was made or removed beside the journal");
                assertArrayEquals(keyBytes, Files.readAllBytes(key));
            }
            assertTrue(lab.ledger("L-2").isEmpty(), "a sale was sent");

            // the journal restored: the failed reversal is listed again, the order still locked
            Files.write(lab.journal, backup);
            Lab.Run pending = lab.tally("--reversal-attempts", "1", "pending");
            assertEquals(4, pending.exit(), pending.toString());
            assertEquals("L-1", pending.json().get("pending").get(0).get("orderId").asText());
            assertEquals("REVERSAL_FAILED", pending.json().get("pending").get(0).get("state").asText());
            lab.assertInvariant();
        }
    }

    /** The journal's files (its database, key, lock, write-ahead log), not the simulator's ledger beside them. */
    private static java.util.List<String> journalFiles(Path dir) throws Exception {
        return JournalCommandTest.files(dir).stream().filter(f -> f.startsWith("tally-journal")).toList();
    }
}
