package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally backup --to DEST} while {@code tally serve} runs: a sale committed only to the write-ahead log (a
 * reader holds the checkpoint back) is in the backup, where a plain copy of the journal file lacks it; DEST and
 * DEST.key are 0600; an existing DEST is refused (64) with nothing changed; it works with no serve too.
 */
class BackupCommandTest {

    @TempDir
    Path dir;

    @Test
    void aBackupWhileServeRunsHoldsTheSaleStillInTheWriteAheadLog() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3));
             ServeProcess api = new ServeProcess(lab, dir.resolve("token"), "--timeout", "3")) {
            assertEquals(200, api.post("/v1/payments", "{\"orderId\":\"BK-1\",\"amount\":\"10.00\"}").status());
            Path copied = dir.resolve("copied.db");
            // serve's background checkpoint (every second) brings the first sale into the journal file
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            do {
                Thread.sleep(200);
                Files.copy(lab.journal, copied, StandardCopyOption.REPLACE_EXISTING);
            } while (!"APPROVED".equals(state(copied, "BK-1")) && System.nanoTime() < deadline);
            assertEquals("APPROVED", state(copied, "BK-1"));
            // a reader's open transaction: no checkpoint copies what is committed after it into the journal file
            try (Connection pin = DriverManager.getConnection("jdbc:sqlite:" + lab.journal)) {
                pin.setAutoCommit(false);
                try (Statement st = pin.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM attempts")) {
                    rs.next();
                }
                ServeProcess.Reply paid = api.post("/v1/payments", "{\"orderId\":\"BK-2\",\"amount\":\"12.34\"}");
                assertEquals(200, paid.status(), paid.body());
                assertEquals("APPROVED", paid.json().get("status").asText());

                // what "cp j.db bk/" gets: the journal file alone lacks the sale the cashier was told APPROVED
                Files.copy(lab.journal, copied, StandardCopyOption.REPLACE_EXISTING);
                assertEquals(null, state(copied, "BK-2"), "the sale is only in the write-ahead log");

                Path dest = dir.resolve("bk").resolve("j.db");
                Files.createDirectories(dest.getParent());
                Lab.Run r = lab.tally("backup", "--to", dest.toString());
                assertEquals(0, r.exit(), r.toString());
                assertEquals("OK", r.status(), r.out());
                assertEquals(2, r.json().get("attempts").asInt(), r.out());
                assertEquals("ok", r.json().get("integrity").asText());
                assertEquals("APPROVED", state(dest, "BK-2"), "the backup holds the sale the WAL held");
                assertEquals("APPROVED", state(dest, "BK-1"));
                Path keyDest = Path.of(dest + ".key");
                assertArrayEquals(Files.readAllBytes(Path.of(lab.journal + ".key")), Files.readAllBytes(keyDest));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest)));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyDest)));
                assertFalse(Files.exists(Path.of(dest + "-wal")), "a whole file: nothing beside it");

                // DEST exists: refused, nothing changed
                byte[] before = Files.readAllBytes(dest);
                Lab.Run again = lab.tally("backup", "--to", dest.toString());
                assertEquals(64, again.exit(), again.toString());
                assertTrue(again.err().contains("exists"), again.err());
                assertArrayEquals(before, Files.readAllBytes(dest));
                // DEST.key exists (DEST does not): refused too, the key left alone, no DEST made
                Path other = dir.resolve("bk").resolve("other.db");
                Files.writeString(Path.of(other + ".key"), "not mine");
                assertEquals(64, lab.tally("backup", "--to", other.toString()).exit());
                assertFalse(Files.exists(other));
                assertEquals("not mine", Files.readString(Path.of(other + ".key")));
            }
        }
        // no serve: the same
        Path quiet = dir.resolve("quiet.db");
        Files.createDirectories(dir.resolve("lab2"));
        try (Lab lab = new Lab(dir.resolve("lab2"), Duration.ofSeconds(3))) {
            assertEquals(0, lab.tally("sale", "--order", "BK-3", "--amount", "1.00").exit());
            Lab.Run text = Lab.raw("--journal", lab.journal.toString(), "backup", "--to", quiet.toString());
            assertEquals(0, text.exit(), text.toString());
            assertTrue(text.out().contains("1 attempt(s), the latest at "), text.out());
            assertEquals("APPROVED", state(quiet, "BK-3"));
        }
    }

    /**
     * A file that is no tally journal (a text file, a copy of a simulator's ledger) is said to be none, as every other
     * command says it: backup said "the journal's data key ... is missing ... restore the key first". Nothing is made.
     */
    @Test
    void aFileThatIsNoJournalIsSaidToBeNone() throws Exception {
        Path text = Files.writeString(dir.resolve("x.jsonl"), "{\"at\":\"2026-11-22T10:00:00Z\"}\n");
        Files.createDirectories(dir.resolve("lab"));
        new Lab(dir.resolve("lab"), Duration.ofSeconds(3)).close(); // a simulator's ledger, closed: whole in its file
        Path ledger = Files.copy(dir.resolve("lab/ledger.db"), dir.resolve("ledger-copy.db"));
        for (Path notJournal : new Path[] {text, ledger}) {
            byte[] before = Files.readAllBytes(notJournal);
            Path dest = dir.resolve("y.db");
            Lab.Run r = Lab.raw("--journal", notJournal.toString(), "backup", "--to", dest.toString());
            Lab.Run journal = Lab.raw("--journal", notJournal.toString(), "journal");
            assertEquals(journal.exit(), r.exit(), r.toString());
            assertTrue(r.err().contains(notJournal.getFileName() + " is not a tally journal"), r.err());
            assertFalse(r.err().contains("key"), r.err());
            assertFalse(Files.exists(dest) || Files.exists(Path.of(dest + ".key")), "nothing made");
            assertArrayEquals(before, Files.readAllBytes(notJournal));
        }
    }

    /** The order's latest state in the journal file {@code db} as it is (read-only, nothing beside it used). */
    private static String state(Path db, String order) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toUri() + "?immutable=1");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE name = 'attempts'")) {
            if (!rs.next() || rs.getInt(1) == 0) {
                return null; // not even the journal's tables are in the file yet
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toUri() + "?immutable=1");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT state FROM attempts WHERE order_ref = '" + order + "' ORDER BY id DESC")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
