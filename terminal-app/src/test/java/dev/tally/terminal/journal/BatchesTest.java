package dev.tally.terminal.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settlement batch state machine as the journal keeps it (SETTLING → UPLOADING → CLOSED). */
class BatchesTest {

    @TempDir
    Path dir;

    private static Attempt approved(Journal j, String order, long amount) {
        Attempt a = j.openAttempt(JournalTest.sale(order, amount));
        return j.approve(j.markSent(a.id(), "1122080307"), "00", "000000000001", "A12345", "approved");
    }

    @Test
    void settlingFreezesTheTotalsOpensTheNextBatchAndClosingSettlesAndPurges() {
        try (Journal j = Journal.open(dir.resolve("j.db"), JournalTest.CLOCK)) {
            Attempt a = approved(j, "INV-1", 1000);
            Attempt b = approved(j, "INV-2", 2050);
            Attempt failed = j.openAttempt(JournalTest.sale("INV-3", 999));
            j.markSent(failed.id(), "1122080308");
            j.requireReversal(failed.id(), "98", Instant.EPOCH, null, "no answer");
            j.reversalUnanswered(failed.id(), null, true, "gave up");
            Batches batches = j.batches();

            Batch started = batches.begin("TALLY001", "HOSPITAL0000001");
            assertEquals(BatchState.SETTLING, started.state());
            assertEquals(1, started.batchNumber());
            assertEquals(2, started.debitCount(), "REVERSAL_FAILED is not in the totals");
            assertEquals(3050, started.debitAmount());
            assertEquals(2, batches.openBatch("TALLY001"), "new sales go into the next batch");
            assertEquals(started, batches.begin("TALLY001", "HOSPITAL0000001"), "one settlement at a time: resumed");
            Attempt later = approved(j, "INV-4", 500);
            assertEquals(2, later.batchNumber());

            Batch uploading = batches.uploadRequested(started, "95", "000003000000004049000000000000000000");
            assertEquals(BatchState.UPLOADING, uploading.state());
            assertEquals(List.of(a.id(), b.id()), batches.toUpload(uploading).stream().map(Attempt::id).toList());
            uploading = batches.uploaded(uploading, a);
            assertEquals(1, uploading.uploaded());
            assertEquals(List.of(b.id()), batches.toUpload(uploading).stream().map(Attempt::id).toList(),
                    "a resumed upload starts after the last acknowledged one");
            assertEquals(List.of(failed.id()), batches.unresolved(uploading).stream().map(Attempt::id).toList());

            Batch closed = batches.close(uploading, "95", null, "test");
            assertEquals(BatchState.CLOSED, closed.state());
            assertEquals(AttemptState.SETTLED, j.find(a.id()).orElseThrow().state());
            assertEquals(AttemptState.SETTLED, j.find(b.id()).orElseThrow().state());
            assertEquals(AttemptState.APPROVED, j.find(later.id()).orElseThrow().state(), "the next batch is untouched");
            assertThrows(JournalException.class, () -> j.revealPan(j.find(a.id()).orElseThrow()), "PAN purged");
            assertEquals(JournalTest.PAN, j.revealPan(j.find(failed.id()).orElseThrow()), "its reversal still needs it");
            assertEquals(JournalTest.PAN, j.revealPan(j.find(later.id()).orElseThrow()));
            assertTrue(batches.inProgress("TALLY001").isEmpty());
            assertThrows(IllegalStateException.class, () -> batches.close(closed, "00", null, "twice"));
        }
    }

    /**
     * The card numbers purged at settlement are gone from the journal's files, not only from its rows: the old
     * ciphertexts are not in the database file's free space nor in the WAL's older frames, while the journal is
     * open (serve goes on after a settlement) and after it is closed. Still decryptable with the key beside the
     * journal, they were every settled card number of the journal.
     */
    @Test
    void theCiphertextsOfPurgedCardNumbersAreNotLeftInTheJournalsFiles() throws Exception {
        Path file = dir.resolve("j.db");
        List<String> purged;
        List<String> kept;
        try (Journal j = Journal.open(file, JournalTest.CLOCK)) {
            List<Long> settled = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                settled.add(approved(j, "INV-" + i, 100L * i).id());
            }
            Attempt declined = j.openAttempt(JournalTest.sale("INV-D", 700));
            List<String> declinedCt = ciphertexts(j, List.of(declined.id()));
            j.decline(j.markSent(declined.id(), "1122080309"), "51", null, "declined"); // its card number dropped now
            settled.add(declined.id());
            Attempt failed = j.openAttempt(JournalTest.sale("INV-F", 999));
            j.markSent(failed.id(), "1122080308");
            j.requireReversal(failed.id(), "98", Instant.EPOCH, null, "no answer");
            j.reversalUnanswered(failed.id(), null, true, "gave up");
            purged = new ArrayList<>(ciphertexts(j, settled));
            assertEquals(6, purged.size(), "the approved ones; the declined one's was dropped at its decline");
            for (String ct : purged) {
                assertTrue(inFiles(file, ct), "the scan finds a stored ciphertext before the purge");
            }
            assertEquals(1, declinedCt.size());
            purged.addAll(declinedCt); // gone from the files too once the purge empties the WAL

            Batches batches = j.batches();
            batches.close(batches.begin("TALLY001", "HOSPITAL0000001"), "00", null, "test");
            Attempt later = approved(j, "INV-7", 800); // the till goes on after its settlement

            assertEquals(List.of(), ciphertexts(j, settled), "purged from the rows");
            kept = ciphertexts(j, List.of(failed.id(), later.id()));
            for (String ct : purged) {
                assertFalse(inFiles(file, ct), "a purged card number's ciphertext is still in the open journal's files");
            }
            assertEquals(JournalTest.PAN, j.revealPan(j.find(failed.id()).orElseThrow()), "its reversal still needs it");
        }
        for (String ct : purged) {
            assertFalse(inFiles(file, ct), "a purged card number's ciphertext is still in the journal's files");
        }
        assertEquals(2, kept.size());
        for (String ct : kept) {
            assertTrue(inFiles(file, ct), "a card number still needed is kept");
        }
    }

    /**
     * A journal written before secure_delete (schema version 4) may hold card numbers purged by its past
     * settlements in its free space: its first open by this version clears them, once.
     */
    @Test
    void aJournalWrittenBeforeSecureDeleteHasItsFreeSpaceClearedOnceAtItsFirstOpen() throws Exception {
        Path file = dir.resolve("j.db");
        List<String> purged;
        try (Journal j = Journal.open(file, JournalTest.CLOCK)) {
            List<Long> ids = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                ids.add(approved(j, "INV-" + i, 100L * i).id());
            }
            purged = ciphertexts(j, ids);
        }
        // the file as a tally of schema version 4 left it after a settlement: purged without secure_delete
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA secure_delete = OFF");
            st.execute("UPDATE attempts SET pan_encrypted = NULL");
            st.execute("DROP TABLE free_space_scrubbed");
            st.execute("DELETE FROM schema_version WHERE version >= 5");
        }
        assertTrue(purged.stream().anyMatch(ct -> inFiles(file, ct)), "the version 4 purge left ciphertexts in the file");

        try (Journal j = Journal.open(file, JournalTest.CLOCK)) {
            assertEquals(Journal.SCHEMA_VERSION, j.schemaVersion());
            for (String ct : purged) {
                assertFalse(inFiles(file, ct), "a card number purged before is still in the open journal's files");
            }
        }
        for (String ct : purged) {
            assertFalse(inFiles(file, ct), "a card number purged before is still in the journal's files");
        }
    }

    /** The stored (encrypted) card numbers of the attempts, as the journal's rows hold them. */
    private static List<String> ciphertexts(Journal j, List<Long> ids) {
        synchronized (j) { // the journal's writer connection is used by one thread at a time
            return j.query("SELECT id, pan_encrypted FROM attempts WHERE pan_encrypted IS NOT NULL ORDER BY id", ps -> { },
                    rs -> ids.contains(rs.getLong(1)) ? rs.getString(2) : null).stream()
                    .filter(java.util.Objects::nonNull).toList();
        }
    }

    /**
     * Whether the journal's database file or its WAL holds the ciphertext, or the middle 20 characters of its
     * Base64 (a copy whose ends were overwritten still reveals the card number's blocks).
     */
    private static boolean inFiles(Path file, String ciphertext) {
        String body = ciphertext.substring("v1:".length());
        String middle = body.substring(body.length() / 2 - 10, body.length() / 2 + 10);
        for (Path p : List.of(file, file.resolveSibling(file.getFileName() + "-wal"))) {
            try {
                if (Files.exists(p) && new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(middle)) {
                    return true;
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return false;
    }
}
