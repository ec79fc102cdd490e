package dev.tally.terminal.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
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
}
