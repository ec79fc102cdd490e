package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.Masking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's data key ({@code JOURNAL.key}) deleted by mistake while the journal stores a card number:
 * every command that needs it — a sale, {@code serve} — stops with exit 1 naming the key file, and nothing is
 * written: no new key (which could never read the stored PANs, and whose PANs would be lost when the original
 * key is restored), no journal change, nothing sent. The problem report needs no key (it shows masked card
 * numbers only) and is written; so does a journal replay (SupportToolsTest). With the key restored, the
 * terminal carries on.
 */
class MissingDataKeyTest {

    @TempDir
    Path dir;

    @Test
    void withTheDataKeyGoneEveryCommandStopsNamingItAndChangesNothing() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            assertEquals(0, lab.tally("sale", "--order", "K-1", "--amount", "20.00").exit(), "its PAN is kept for the upload");
            Path key = lab.journal.resolveSibling(lab.journal.getFileName() + ".key");
            byte[] original = Files.readAllBytes(key);
            Files.delete(key);
            String before = lab.journalDump();
            byte[] bytes = Files.readAllBytes(lab.journal);
            Path token = dir.resolve("api-token");

            assertRefused(lab.tally("sale", "--order", "K-2", "--amount", "30.00"), key);
            Lab.Run report = lab.tally("report", "--order", "K-1");
            assertEquals(0, report.exit(), report.toString());
            assertTrue(report.out().contains("the customer was charged 20.00 840"), report.out());
            assertFalse(Files.exists(key), "a new data key was written by the report");
            // a serve that started would block here: the deadline turns that into a failure, not a hung build
            assertRefused(assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> lab.tally("serve", "--api-port", "0", "--api-token-file", token.toString())), key);
            assertEquals(before, lab.journalDump(), "the journal changed");
            assertArrayEquals(bytes, Files.readAllBytes(lab.journal), "the journal file was touched");
            assertTrue(lab.ledger("K-2").isEmpty(), "nothing sent");
            assertFalse(Files.exists(token), "serve went as far as the API token");

            // the key restored from the backup: the terminal carries on
            Files.write(key, original);
            assertEquals(0, lab.tally("sale", "--order", "K-2", "--amount", "30.00").exit());
            Lab.Run settle = lab.tally("settle");
            assertEquals(0, settle.exit(), settle.toString());
            lab.assertInvariant();
        }
    }

    /**
     * A journal that stores no card number any more (the day settled: its PANs are purged) carries on with a new
     * key when its key is lost. The key's check value, recorded in the journal, then tells the old key (found
     * later in a backup and put back) from the new one: refused, naming both check values, while a card number
     * written under the new key is stored; nothing changed, nothing sent.
     */
    @Test
    void aJournalWithoutCardNumbersGetsANewKeyAndAnOldKeyPutBackLaterIsToldApart() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            assertEquals(0, lab.tally("sale", "--order", "N-1", "--amount", "20.00").exit());
            Lab.Run settle = lab.tally("settle"); // the batch closes: its card numbers are purged
            assertEquals(0, settle.exit(), settle.toString());
            Path key = lab.journal.resolveSibling(lab.journal.getFileName() + ".key");
            byte[] original = Files.readAllBytes(key);
            Files.delete(key);

            Lab.Run sale = lab.tally("sale", "--order", "N-2", "--amount", "30.00");
            assertEquals(0, sale.exit(), sale.toString());
            assertTrue(Files.exists(key), "a new key");
            byte[] replacement = Files.readAllBytes(key);
            assertFalse(Arrays.equals(original, replacement));

            Files.write(key, original); // the old key, found in a backup
            String before = lab.journalDump();
            Lab.Run refused = lab.tally("sale", "--order", "N-3", "--amount", "40.00");
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("is not the key this journal's card numbers were written with"),
                    refused.err());
            assertTrue(refused.err().contains("put back the key whose check value is"), refused.err());
            assertEquals(before, lab.journalDump(), "the journal changed");
            assertTrue(lab.ledger("N-3").isEmpty(), "nothing sent");

            Files.write(key, replacement);
            assertEquals(0, lab.tally("sale", "--order", "N-3", "--amount", "40.00").exit());
            Lab.Run again = lab.tally("settle");
            assertEquals(0, again.exit(), again.toString());
            lab.assertInvariant();
        }
    }

    private static void assertRefused(Lab.Run r, Path key) {
        assertEquals(1, r.exit(), r.toString());
        // (the CLI scrubs digit runs that could be a PAN: a temp dir's name may hold one)
        assertTrue(r.err().startsWith(Masking.scrub("tally: journal: data key " + key.toAbsolutePath()
                + " is missing: restore it from your backup; nothing was changed")), r.err());
        assertEquals("ERROR", r.status(), r.out());
        assertFalse(Files.exists(key), "a new data key was written by " + r);
    }
}
