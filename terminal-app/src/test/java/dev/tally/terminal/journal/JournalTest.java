package dev.tally.terminal.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    static final String PAN = "4761739001010119";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T08:03:07Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    static NewAttempt sale(String order, long amount) {
        return new NewAttempt("TALLY001", "HOSPITAL0000001", order, AttemptKind.SALE, amount, "840",
                LocalDateTime.of(2026, 11, 22, 9, 3, 7), PAN, "476173******0119");
    }

    @Test
    void anAttemptGoesNewSentApprovedAndEveryStepIsAudited() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-1", 1234));
            assertEquals(AttemptState.NEW, a.state());
            assertEquals(j.find(a.id()).orElseThrow(), a, "returned exactly as written");
            assertEquals(1, a.stan());
            assertEquals("1122", a.localDate());
            assertEquals("090307", a.localTime());
            a = j.markSent(a.id(), "1122080307");
            assertEquals(AttemptState.SENT, a.state());
            assertNotNull(a.sentAt());
            a = j.approve(a, "00", "000000000001", "A12345", "approved");
            assertEquals(AttemptState.APPROVED, a.state());
            assertEquals("000000000001", a.rrn());
            assertEquals(j.find(a.id()).orElseThrow(), a, "the approved attempt returned exactly as written");
            List<AttemptEvent> events = j.events(a.id());
            assertEquals(List.of(AttemptState.NEW, AttemptState.SENT, AttemptState.APPROVED),
                    events.stream().map(AttemptEvent::toState).toList());
            assertEquals(AttemptState.SENT, events.get(2).fromState());
            assertEquals(PAN, j.revealPan(a));
        }
    }

    /**
     * serve's sweep reverses a SENT attempt whose sale ended without recording the answer; an attempt whose answer
     * was recorded since the sweep read it is left exactly as it is (an approval is never reversed by the sweep).
     */
    @Test
    void reverseUnansweredTakesOnlyANewOrSentAttemptAndLeavesAnAnsweredOneAsItIs() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Attempt sent = j.openSent(sale("INV-U", 500), "1122090307", a -> a).attempt();
            Attempt approved = j.approve(j.openSent(sale("INV-A", 500), "1122090308", a -> a).attempt(), "00",
                    "000000000001", "A12345", "approved");
            int eventsBefore = j.events(approved.id()).size();

            assertTrue(j.reverseUnanswered(approved.id(), "96", CLOCK.instant(), "sweep").isEmpty());
            assertEquals(approved, j.find(approved.id()).orElseThrow(), "unchanged");
            assertEquals(eventsBefore, j.events(approved.id()).size(), "nothing audited");

            Attempt reversing = j.reverseUnanswered(sent.id(), "96", CLOCK.instant(), "sweep").orElseThrow();
            assertEquals(AttemptState.REVERSAL_PENDING, reversing.state());
            assertEquals("96", reversing.reversalReason());
            assertNotNull(reversing.reversalStan());
            assertTrue(j.reverseUnanswered(sent.id(), "96", CLOCK.instant(), "sweep").isEmpty(), "once only");
        }
    }

    /**
     * A write that SQLite rolls back whole on its own (as on a full disk, SQLITE_FULL; here a trigger's RAISE(ROLLBACK))
     * fails with its own reason. Before, the rollback's "no transaction is active" and then auto-commit's "cannot
     * commit" replaced it, so the cashier never learned the disk was full. The journal takes writes again after.
     */
    @Test
    void aWriteSqliteRollsBackOnItsOwnFailsWithItsReasonAndTheJournalWorksAfter() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK);
             Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = other.createStatement()) {
            Attempt sent = j.openSent(sale("INV-FULL", 500), "1122090307", a -> a).attempt();
            diskFullAtAStateChange(st);
            JournalException e = assertThrows(JournalException.class,
                    () -> j.approve(sent, "00", "000000000001", "A12345", "approved"));
            assertTrue(e.getMessage().contains("database or disk is full (test)"), e.getMessage());
            assertFalse(e.getMessage().contains("no transaction is active"), e.getMessage());

            st.execute("DROP TRIGGER full_disk");
            assertEquals(AttemptState.APPROVED, j.approve(sent, "00", "000000000001", "A12345", "approved").state());
            assertEquals(AttemptState.APPROVED, j.find(sent.id()).orElseThrow().state());
        }
    }

    /**
     * What GET /health reads: a write the storage refused (a full disk, played by a trigger) is trouble until the next
     * change commits; a change the schema refused (a unique constraint: a race or a bug) says nothing of the storage and
     * is none, or a quiet till's monitor would page someone for a full disk that is not there.
     */
    @Test
    void writeTroubleIsTheStoragesNotAChangeTheSchemaRefused() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK);
             Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = other.createStatement()) {
            Attempt sent = j.openSent(sale("INV-TROUBLE", 500), "1122090307", a -> a).attempt();
            assertThrows(JournalException.class, () -> j.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO attempts SELECT * FROM attempts LIMIT 1");
                }
            }));
            assertTrue(j.writeTrouble().isEmpty(), "a UNIQUE constraint: " + j.writeTrouble());

            diskFullAtAStateChange(st);
            assertThrows(JournalException.class, () -> j.approve(sent, "00", "000000000001", "A12345", "approved"));
            assertTrue(j.writeTrouble().orElseThrow().reason().contains("database or disk is full"));
            st.execute("DROP TRIGGER full_disk");
            j.approve(sent, "00", "000000000001", "A12345", "approved");
            assertTrue(j.writeTrouble().isEmpty(), "cleared by the next change that commits");
        }
    }

    /** Plays a full disk (SQLite rolls the write back on its own) at the next change of an attempt's state. */
    private static void diskFullAtAStateChange(Statement st) throws java.sql.SQLException {
        st.execute("CREATE TRIGGER full_disk BEFORE UPDATE OF state ON attempts"
                + " BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full (test)'); END");
    }

    /**
     * A process that waited on a lock file which was then deleted (a refused open removes the lock file it made) and
     * made anew by a third process does not take the deleted file's lock for the journal's: it waits for the holder
     * of the file now at the path. Before, both went on at once.
     */
    @Test
    void aLockFileDeletedWhileAnotherWaitsOnItIsNotTakenForTheJournalsLock() throws Exception {
        Path lockFile = dir.resolve("j.db.lock");
        ProcessLock first = ProcessLock.acquire(lockFile, java.time.Duration.ZERO);
        java.util.concurrent.CompletableFuture<ProcessLock> waiter = new java.util.concurrent.CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                waiter.complete(ProcessLock.acquire(lockFile, java.time.Duration.ofSeconds(2)));
            } catch (Throwable e) {
                waiter.completeExceptionally(e);
            }
        });
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (t.getState() != Thread.State.TIMED_WAITING) { // it holds the file open and waits between tries
            assertTrue(System.nanoTime() < deadline, "the waiter never started waiting");
            Thread.onSpinWait();
        }
        Files.delete(lockFile);
        try (ProcessLock third = ProcessLock.acquire(lockFile, java.time.Duration.ZERO)) { // the lock file made anew
            first.close(); // the waiter's file is free now, but no longer the journal's lock
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> waiter.get(10, java.util.concurrent.TimeUnit.SECONDS).close());
            assertTrue(e.getCause() instanceof JournalBusyException, String.valueOf(e.getCause()));
        }
    }

    /**
     * A declined sale's card number is dropped when the decline is recorded (nothing needs it: no reversal, no upload);
     * it was kept until the batch settled. An approved one keeps it for its upload or reversal.
     */
    @Test
    void aDeclinedSalesCardNumberIsDroppedAtOnceAndAnApprovedOneKept() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Attempt declined = j.decline(j.openSent(sale("INV-D", 500), "1122090307", a -> a).attempt(), "05",
                    "000000000001", "declined");
            Attempt approved = j.approve(j.openSent(sale("INV-A", 500), "1122090308", a -> a).attempt(), "00",
                    "000000000002", "A12345", "approved");
            JournalException none = assertThrows(JournalException.class, () -> j.revealPan(declined));
            assertTrue(none.getMessage().startsWith("no encrypted PAN stored for this attempt"), none.getMessage());
            assertEquals("476173******0119", j.find(declined.id()).orElseThrow().maskedPan(), "the masked PAN stays");
            assertEquals(PAN, j.revealPan(approved));
        }
    }

    /**
     * A reversed sale's card number is dropped when the acknowledgement is recorded (nothing leaves REVERSED; no upload);
     * it was kept until the batch settled. One whose reversal failed keeps it: its reversal is tried again.
     */
    @Test
    void aReversedSalesCardNumberIsDroppedAtOnceAndAFailedReversalsKept() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Attempt reversed = j.openSent(sale("INV-R", 500), "1122090307", a -> a).attempt();
            j.requireReversal(reversed.id(), "98", Instant.EPOCH, null, "no answer");
            Attempt failed = j.openSent(sale("INV-F", 500), "1122090308", a -> a).attempt();
            j.requireReversal(failed.id(), "98", Instant.EPOCH, null, "no answer");
            j.reversalUnanswered(failed.id(), null, true, "gave up");
            assertEquals(PAN, j.revealPan(j.find(reversed.id()).orElseThrow()), "kept while its reversal is pending");
            j.reversed(reversed.id(), "acknowledged 00");
            JournalException none = assertThrows(JournalException.class, () -> j.revealPan(reversed));
            assertTrue(none.getMessage().startsWith("no encrypted PAN stored for this attempt"), none.getMessage());
            assertEquals("476173******0119", j.find(reversed.id()).orElseThrow().maskedPan(), "the masked PAN stays");
            assertEquals(PAN, j.revealPan(j.find(failed.id()).orElseThrow()), "a failed reversal is tried again");
        }
    }

    /** What {@code tally report} reads with: no lock, no data key, nothing written; writes and PANs refused. */
    @Test
    void aJournalOpenedReadOnlyIsReadWithoutItsKeyOrLockAndRefusesWritesAndPans() throws Exception {
        Path file = dir.resolve("j.db");
        long id;
        try (Journal j = Journal.open(file, CLOCK)) {
            id = j.approve(j.openSent(sale("INV-RO", 500), "1122090307", a -> a).attempt(), "00", "000000000001",
                    "A12345", "approved").id();
        }
        Files.delete(dir.resolve("j.db.key"));
        byte[] bytes = Files.readAllBytes(file);
        try (Journal ro = Journal.openReadOnly(file, CLOCK)) {
            assertEquals(AttemptState.APPROVED, ro.find(id).orElseThrow().state());
            assertEquals(3, ro.events(id).size());
            JournalException write = assertThrows(JournalException.class, () -> ro.openAttempt(sale("INV-RO2", 1)));
            assertTrue(write.getMessage().contains("read-only"), write.getMessage());
            assertThrows(JournalException.class, () -> ro.revealPan(ro.find(id).orElseThrow()));
            assertThrows(RuntimeException.class, () -> ro.note(id, "a note"));
        }
        assertArrayEquals(bytes, Files.readAllBytes(file), "the journal file was touched");
        assertFalse(Files.exists(dir.resolve("j.db.key")), "a key was made");
        JournalException none = assertThrows(JournalException.class, () -> Journal.openReadOnly(dir.resolve("no.db"), CLOCK));
        assertTrue(none.getMessage().contains("no journal at"), none.getMessage());
        Path garbage = Files.writeString(dir.resolve("garbage.db"), "not a database, but long enough to be read as one?");
        JournalException notDb = assertThrows(JournalException.class, () -> Journal.openReadOnly(garbage, CLOCK));
        assertTrue(notDb.getMessage().contains("is not a tally journal"), notDb.getMessage());
        Path other = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE something_else (x INTEGER)");
        }
        JournalException notOurs = assertThrows(JournalException.class, () -> Journal.openReadOnly(other, CLOCK));
        assertTrue(notOurs.getMessage().contains("is not a tally journal"), notOurs.getMessage());
        // a simulator's ledger has a schema_version of its own: refused by both opens, untouched, no key made
        Path ledger = dir.resolve("ledger.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
            st.execute("INSERT INTO schema_version VALUES (2, 'x')");
            st.execute("CREATE TABLE business_day (id INTEGER PRIMARY KEY, business_date TEXT)");
        }
        byte[] ledgerBytes = Files.readAllBytes(ledger);
        JournalException notRead = assertThrows(JournalException.class, () -> Journal.openReadOnly(ledger, CLOCK));
        assertTrue(notRead.getMessage().contains("is not a tally journal"), notRead.getMessage());
        JournalException rw = assertThrows(JournalException.class, () -> Journal.open(ledger, CLOCK).close());
        assertTrue(rw.getMessage().contains("is not a tally journal") && rw.getMessage().contains("simulator's ledger")
                && rw.getMessage().contains("nothing was changed"), rw.getMessage());
        assertArrayEquals(ledgerBytes, Files.readAllBytes(ledger), "the ledger was touched");
        assertFalse(Files.exists(dir.resolve("ledger.db.key")), "a key was made beside it");

        // a journal in use (its process lock held, as by tally serve) is read at once, with what is committed
        try (Journal live = Journal.open(dir.resolve("live.db"), CLOCK)) {
            live.openSent(sale("INV-LIVE", 700), "1122090308", a -> a);
            try (Journal ro = Journal.openReadOnly(dir.resolve("live.db"), CLOCK)) {
                assertEquals(AttemptState.SENT, ro.lastAttempt("INV-LIVE").orElseThrow().state());
            }
            // opened to write meanwhile: busy (the CLI's exit 75), saying what to do while a serve holds it
            JournalBusyException busy = assertThrows(JournalBusyException.class,
                    () -> Journal.open(dir.resolve("live.db"), CLOCK, java.time.Duration.ofMillis(100)));
            assertTrue(busy.getMessage().contains("in use by another tally process")
                    && busy.getMessage().contains("nothing was done")
                    && busy.getMessage().contains("through its cashier API"), busy.getMessage());
        }
    }

    @Test
    void aSnapshotReadsAnAttemptAndItsEventsAsOfOneCommitWhileAnotherProcessWrites() {
        try (Journal live = Journal.open(dir.resolve("live.db"), CLOCK)) {
            Attempt sent = live.openSent(sale("INV-SNAP", 700), "1122090308", a -> a).attempt();
            long id = sent.id();
            try (Journal ro = Journal.openReadOnly(dir.resolve("live.db"), CLOCK)) {
                // serve answers the sale between the report's two reads
                List<AttemptEvent> events = ro.snapshot(() -> {
                    assertEquals(AttemptState.SENT, ro.find(id).orElseThrow().state());
                    live.approve(sent, "00", "123456789012", "A1B2C3", "0210 answered 00");
                    return ro.events(id);
                });
                assertEquals(AttemptState.SENT, events.getLast().toState(),
                        "the events read after the attempt are of the same commit: " + events);
                // outside the snapshot the next read sees the answer; a snapshot inside a snapshot is the same one
                assertEquals(AttemptState.APPROVED, ro.snapshot(() -> ro.snapshot(() -> ro.find(id))).orElseThrow().state());
                assertEquals(AttemptState.APPROVED, ro.events(id).getLast().toState());
            }
        }
    }

    @Test
    void stansCountPerTerminalFromOneAndWrapAfter999999ToOne() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            assertEquals(1, j.nextStan("T1"));
            assertEquals(2, j.nextStan("T1"));
            assertEquals(1, j.nextStan("T2"), "each terminal counts on its own");
            assertEquals(1, j.openAttempt(sale("INV-S", 100)).stan(), "an attempt takes its terminal's next STAN");
            assertEquals(2, j.nextStan("TALLY001"));
            j.inTransaction(c -> {
                try (var ps = c.prepareStatement("UPDATE terminal_state SET next_stan = 999998 WHERE terminal_id = 'T1'")) {
                    return ps.executeUpdate();
                }
            });
            assertEquals(999_998, j.nextStan("T1"));
            assertEquals(999_999, j.nextStan("T1"));
            assertEquals(1, j.nextStan("T1"), "after 999999 comes 1 (000000 is not a STAN)");
            assertEquals(2, j.nextStan("T1"));
        }
    }

    @Test
    void openSentIsOneCommitAuditedAsNewThenSentAndARequestThatCannotBeBuiltWritesNothing() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Journal.Opened<String> o = j.openSent(sale("INV-S", 500), "1122090307", a -> "request for STAN " + a.stanText());
            assertEquals(AttemptState.SENT, o.attempt().state());
            assertEquals("1122090307", o.attempt().transmissionTime());
            assertEquals("request for STAN " + o.attempt().stanText(), o.request());
            assertEquals(List.of(AttemptState.NEW, AttemptState.SENT),
                    j.events(o.attempt().id()).stream().map(AttemptEvent::toState).toList());
            assertEquals(AttemptState.NEW, j.events(o.attempt().id()).get(1).fromState());
            assertEquals(j.find(o.attempt().id()).orElseThrow(), o.attempt(), "returned exactly as written");
            assertNotNull(o.attempt().sentAt());

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> j.openSent(sale("INV-T", 500), "1122090308", a -> {
                        throw new IllegalArgumentException("bad card data");
                    }));
            assertEquals("bad card data", e.getMessage());
            assertTrue(j.attempts("INV-T").isEmpty(), "nothing written for a request that could not be built");
            // and the order is free: a later attempt opens normally
            assertEquals(AttemptState.SENT, j.openSent(sale("INV-T", 500), "1122090309", a -> "ok").attempt().state());
        }
    }

    @Test
    void readsDoNotWaitForTheWriterWhileItCommits() throws Exception {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-R", 100));
            j.markSent(a.id(), "1122090000");
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            // a group commit holds the journal's monitor through its fsync: stand in for it
            Thread writer = Thread.ofPlatform().start(() -> {
                synchronized (j) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            try {
                assertTrue(held.await(10, java.util.concurrent.TimeUnit.SECONDS));
                var read = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                        j.find(a.id()).orElseThrow().state() + " " + j.liveAttempt("INV-R").isPresent() + " "
                                + j.attempts("INV-R").size() + " " + j.events(a.id()).size());
                assertEquals("SENT true 1 2", read.get(10, java.util.concurrent.TimeUnit.SECONDS),
                        "a read answers while the writer holds the journal");
            } finally {
                release.countDown();
                writer.join();
            }
        }
    }

    @Test
    void theJournalIsWalWithFullSynchronousCommits() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            assertEquals("wal", j.pragma("journal_mode"));
            assertEquals("2", j.pragma("synchronous"), "2 = FULL: the commit before a send is on disk");
        }
    }

    @Test
    void everyStateSurvivesReopeningTheFile() {
        Path file = dir.resolve("j.db");
        long id;
        try (Journal j = Journal.open(file, CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-2", 500));
            j.markSent(a.id(), "1122080307");
            id = a.id();
        }
        try (Journal j = Journal.open(file, CLOCK)) {
            assertEquals(Journal.SCHEMA_VERSION, j.schemaVersion());
            Attempt a = j.find(id).orElseThrow();
            assertEquals(AttemptState.SENT, a.state());
            assertEquals("1122080307", a.transmissionTime());
            assertEquals(PAN, j.revealPan(a), "the data key beside the journal still decrypts it");
            assertEquals(2, j.nextStan("TALLY001"), "STANs carry on after a restart");
        }
    }

    @Test
    void anOrderHasAtMostOneLiveAttempt() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Attempt first = j.openAttempt(sale("INV-3", 100));
            OrderBusyException busy = assertThrows(OrderBusyException.class, () -> j.openAttempt(sale("INV-3", 200)));
            assertEquals(first.id(), busy.existing().id());
            busy = assertThrows(OrderBusyException.class, () -> j.openSent(sale("INV-3", 200), "1122080306", a -> "x"));
            assertEquals(first.id(), busy.existing().id());
            assertEquals(1, j.events(first.id()).size(), "a refusal writes no event");
            Attempt declined = j.decline(j.markSent(first.id(), "1122080307"), "51", null, "declined");
            assertEquals(AttemptState.DECLINED, declined.state());
            assertEquals(j.find(first.id()).orElseThrow(), declined, "the declined attempt returned exactly as written");
            Attempt second = j.openAttempt(sale("INV-3", 200));
            assertEquals(first.stan() + 1, second.stan(), "the refusals consumed no STAN");
            j.approve(j.markSent(second.id(), "1122080308"), "00", "1", "2", "ok");
            assertThrows(OrderBusyException.class, () -> j.openAttempt(sale("INV-3", 300)),
                    "an approved order refuses a new attempt");
            assertEquals(2, j.attempts("INV-3").size());
        }
    }

    @Test
    void theUniqueIndexHoldsEvenAgainstADirectInsert() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            j.openAttempt(sale("INV-4", 100));
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var st = c.createStatement()) {
            var e = assertThrows(java.sql.SQLException.class, () -> st.executeUpdate("""
                    INSERT INTO attempts (terminal_id, merchant_id, order_ref, kind, amount, currency, stan, local_date,
                      local_time, state, masked_pan, created_at, updated_at, batch_number)
                    VALUES ('TALLY001','HOSPITAL0000001','INV-4','SALE',1,'840',99,'1122','090307','SENT','x',0,0,1)"""));
            assertTrue(e.getMessage().contains("UNIQUE"), e.getMessage());
        }
    }

    @Test
    void aVersion2JournalIsUpgradedAndFindsAttemptsByStanThroughIndexesNotAScan() throws Exception {
        Path file = dir.resolve("j.db");
        long saleId;
        long reversedId;
        int reversalStan;
        try (Journal j = Journal.open(file, CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-1", 500));
            j.markSent(a.id(), "1122080307");
            saleId = a.id();
            Attempt b = j.openAttempt(sale("INV-2", 600));
            j.markSent(b.id(), "1122080308");
            b = j.requireReversal(b.id(), "98", CLOCK.instant(), null, "no answer");
            reversedId = b.id();
            reversalStan = b.reversalStan();
        }
        // the file as a tally of schema version 2 left it
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("DROP INDEX attempts_by_reversal_stan");
            st.execute("DROP INDEX attempts_by_stan");
            st.execute("CREATE INDEX attempts_by_stan ON attempts (terminal_id, stan)");
            st.execute("DROP TABLE data_key");
            st.execute("DROP TABLE free_space_scrubbed");
            st.execute("DELETE FROM schema_version WHERE version >= 3");
        }
        try (Journal j = Journal.open(file, CLOCK)) {
            assertEquals(Journal.SCHEMA_VERSION, j.schemaVersion());
            assertEquals(saleId, j.byStan("TALLY001", 1).orElseThrow().id());
            assertEquals(reversedId, j.byStan("TALLY001", 2).orElseThrow().id());
            assertEquals(reversedId, j.byStan("TALLY001", reversalStan).orElseThrow().id(), "by its reversal STAN");
            assertTrue(j.byStan("TALLY002", 1).isEmpty(), "another terminal's STAN 1 is not ours");
            assertEquals(2, j.attempts(null).size());
        }
        List<String> plan = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + Journal.BY_STAN);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                plan.add(rs.getString("detail"));
            }
        }
        assertTrue(plan.stream().noneMatch(d -> d.startsWith("SCAN attempts")), plan.toString());
        assertTrue(plan.stream().anyMatch(d -> d.contains("attempts_by_stan (stan=? AND terminal_id=?)")), plan.toString());
        assertTrue(plan.stream().anyMatch(d -> d.contains("attempts_by_reversal_stan")), plan.toString());
    }

    @Test
    void aJournalThatFailsToOpenLeavesNothingOpenBehind() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            j.openAttempt(sale("INV-1", 500));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_version (version) VALUES (99)");
        }
        assertFalse(Files.exists(dir.resolve("j.db-wal")), "every connection closed: SQLite removed the WAL");
        JournalException e = assertThrows(JournalException.class, () -> Journal.open(file, CLOCK));
        assertTrue(e.getMessage().contains("newer than this tally"), e.getMessage());
        // the writer connection the failed open made is closed: the last connection out removes the WAL again
        assertFalse(Files.exists(dir.resolve("j.db-wal")), "a connection of the failed open was left open");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("DELETE FROM schema_version WHERE version = 99");
        }
        try (Journal j = Journal.open(file, CLOCK, java.time.Duration.ZERO)) {
            assertEquals(1, j.attempts(null).size(), "the lock was released and nothing was changed");
        }
    }

    /** A reversal is due when pending with no next time or one not after now; never when failed or reversed. */
    @Test
    void aReversalIsDueWhenPendingAndItsTimeHasCome() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Instant now = CLOCK.instant();
            assertFalse(j.reversalDue(now, "TALLY001"), "nothing pending");
            Attempt a = j.openAttempt(sale("INV-D", 700));
            j.markSent(a.id(), "1122080307");
            Attempt approved = j.approve(j.markSent(j.openAttempt(sale("INV-E", 800)).id(), "1122080308"), "00", "1",
                    "2", "ok");
            assertFalse(j.reversalDue(now, "TALLY001"), "sent and approved attempts are not reversals");
            j.requireReversal(a.id(), "98", now.plusMillis(1), null, "no answer");
            assertFalse(j.reversalDue(now, "TALLY001"), "pending, due a millisecond later");
            assertTrue(j.reversalDue(now.plusMillis(1), "TALLY001"), "due at its time");
            assertTrue(j.reversalDue(now.plusSeconds(60), "TALLY001"), "and after");
            assertFalse(j.reversalDue(now.plusSeconds(60), "TALLY002"), "another terminal's reversal is not this one's");
            j.reversalUnanswered(a.id(), now.minusSeconds(1), false, "dropped");
            assertTrue(j.reversalDue(now, "TALLY001"), "due again");
            j.reversalUnanswered(a.id(), null, true, "given up");
            assertFalse(j.reversalDue(now.plusSeconds(60), "TALLY001"), "failed: only the operator retries it");
            j.requireReversal(approved.id(), "17", now, null, "cancelled");
            assertTrue(j.reversalDue(now, "TALLY001"));
            j.reversed(approved.id(), "acknowledged");
            assertFalse(j.reversalDue(now.plusSeconds(60), "TALLY001"), "reversed");
        }
    }

    @Test
    void aLateAnswerIsRecordedButNeverFlipsAnAttempt() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-5", 1070));
            Attempt sent = j.markSent(a.id(), "1122080307");
            a = j.requireReversal(a.id(), "98", CLOCK.instant(), null, "no answer");
            assertEquals(AttemptState.REVERSAL_PENDING, a.state());
            assertNotNull(a.reversalStan());
            long id = a.id();
            // the answer arrives for the attempt as it was sent: refused, nothing written
            int events = j.events(id).size();
            assertThrows(IllegalStateException.class, () -> j.approve(sent, "00", "1", "2", "late approval"));
            assertEquals(events, j.events(id).size());
            Attempt reversing = a;
            assertThrows(IllegalArgumentException.class, () -> j.approve(reversing, "00", "1", "2", "late approval"));
            j.note(id, "late 0210 ignored");
            assertEquals(AttemptState.REVERSAL_PENDING, j.find(id).orElseThrow().state());
            AttemptEvent last = j.events(id).getLast();
            assertEquals(AttemptState.REVERSAL_PENDING, last.fromState());
            assertEquals(AttemptState.REVERSAL_PENDING, last.toState());
        }
    }

    @Test
    void theReversalCounterIsPersistedAndExhaustionFailsTheAttempt() {
        try (Journal j = Journal.open(dir.resolve("j.db"), CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-6", 1099));
            j.markSent(a.id(), "1122080307");
            a = j.requireReversal(a.id(), "98", CLOCK.instant(), null, "no answer");
            int reversalStan = a.reversalStan();
            a = j.reversalTransmitting(a.id(), "0400");
            assertEquals(1, a.reversalAttempts());
            a = j.reversalUnanswered(a.id(), CLOCK.instant().plusSeconds(10), false, "dropped");
            assertEquals(AttemptState.REVERSAL_PENDING, a.state());
            assertEquals(CLOCK.instant().plusSeconds(10), a.nextReversalAt());
            a = j.reversalTransmitting(a.id(), "0401");
            a = j.reversalUnanswered(a.id(), null, true, "dropped again");
            assertEquals(AttemptState.REVERSAL_FAILED, a.state());
            assertEquals(2, a.reversalAttempts());
            assertEquals(reversalStan, a.reversalStan(), "every repeat keeps the reversal STAN");
            assertThrows(OrderBusyException.class, () -> j.openAttempt(sale("INV-6", 1000)), "failed keeps the order locked");
            a = j.reversalTransmitting(a.id(), "0401 forced");
            a = j.reversed(a.id(), "acknowledged");
            assertEquals(AttemptState.REVERSED, a.state());
            j.openAttempt(sale("INV-6", 1000));
        }
    }

    @Test
    void recoveryTurnsInFlightAttemptsIntoPendingReversals() {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            Attempt sent = j.openAttempt(sale("INV-7", 100));
            j.markSent(sent.id(), "1122080307");
            j.openAttempt(sale("INV-8", 100));
        }
        try (Journal j = Journal.open(file, CLOCK)) {
            List<Attempt> recovered = j.recoverInFlight("98", "recovery");
            assertEquals(2, recovered.size());
            assertTrue(recovered.stream().allMatch(a -> a.state() == AttemptState.REVERSAL_PENDING
                    && "98".equals(a.reversalReason()) && a.nextReversalAt() != null));
            assertTrue(j.inStates(Set.of(AttemptState.NEW, AttemptState.SENT)).isEmpty());
        }
    }

    @Test
    void thePanIsStoredOnlyEncryptedUnderAnOwnerOnlyKey() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-9", 100));
            j.markSent(a.id(), "1122080307");
        }
        for (Path p : List.of(file, dir.resolve("j.db-wal"))) {
            if (Files.exists(p)) {
                String bytes = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(PAN), "clear PAN in " + p);
            }
        }
        Path key = dir.resolve("j.db.key");
        assertEquals(32, Files.size(key));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }

    /**
     * A data key others can read (restored from a backup, copied with its mode lost) is used, with a warning naming
     * the file and how to fix it: with the journal, it decrypts every stored card number. Its own 0600 key: silent.
     */
    @Test
    void aDataKeyOthersCanReadIsUsedWithAWarningAndAnOwnerOnlyOneQuietly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("j.db");
        Path key = dir.resolve("j.db.key");
        String made = dev.tally.spec.format.StandardErrorCapture.printed(() -> { }, () -> {
            try (Journal j = Journal.open(file, CLOCK)) {
                j.openAttempt(sale("INV-K", 100));
            }
        });
        assertFalse(made.contains("can be read by other users"), made);
        String quiet = dev.tally.spec.format.StandardErrorCapture.printed(() -> { }, () -> Journal.open(file, CLOCK).close());
        assertFalse(quiet.contains("can be read by other users"), quiet);

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        String warned = dev.tally.spec.format.StandardErrorCapture.printed(() -> { }, () -> {
            try (Journal j = Journal.open(file, CLOCK)) {
                assertEquals(PAN, j.revealPan(j.attempts("INV-K").getFirst()), "the key is used");
            }
        });
        assertTrue(warned.contains("WARN") && warned.contains("the journal data key " + key
                + " can be read by other users (rw-r--r--)") && warned.contains("chmod 600 " + key), warned);
        assertFalse(warned.contains(PAN), warned);
    }

    /**
     * A journal that stores card numbers keeps its own data key: with the key file gone, opening it is refused
     * naming the file, and nothing is written (no new key beside it, the database untouched). A new key would
     * leave the stored PANs (pending reversals, the batch upload) unreadable for good.
     */
    @Test
    void anExistingJournalWhoseDataKeyIsMissingIsRefusedAndNoNewKeyIsMade() throws Exception {
        Path file = dir.resolve("j.db");
        Path key = dir.resolve("j.db.key");
        long id;
        try (Journal j = Journal.open(file, CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-1", 500));
            id = j.markSent(a.id(), "1122080307").id();
        }
        byte[] original = Files.readAllBytes(key);
        Files.delete(key);
        byte[] before = Files.readAllBytes(file);

        JournalException e = assertThrows(JournalException.class, () -> Journal.open(file, CLOCK));
        assertTrue(e.getMessage().startsWith("data key " + key.toAbsolutePath()
                + " is missing: restore it from your backup; nothing was changed"), e.getMessage());
        assertFalse(Files.exists(key), "a new data key was written for an existing journal");
        assertArrayEquals(before, Files.readAllBytes(file), "the journal file was changed");
        assertFalse(Files.exists(dir.resolve("j.db-wal")), "the database was opened");

        // the original key back: everything as before, the PAN readable, and the lock was released
        Files.write(key, original);
        try (Journal j = Journal.open(file, CLOCK, java.time.Duration.ZERO)) {
            assertEquals(PAN, j.revealPan(j.find(id).orElseThrow()));
        }

        // a journal that stores no card number (here: none yet) loses nothing with a new key: it gets one
        Path empty = dir.resolve("e.db");
        Journal.open(empty, CLOCK).close();
        Files.delete(dir.resolve("e.db.key"));
        try (Journal j = Journal.open(empty, CLOCK)) {
            assertEquals(PAN, j.revealPan(j.openAttempt(sale("INV-E", 100))));
        }
        assertEquals(32, Files.size(dir.resolve("e.db.key")));
    }

    @Test
    void aJournalBeingCreatedGetsItsDataKey() throws Exception {
        Path file = dir.resolve("sub/new.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            Attempt a = j.openAttempt(sale("INV-1", 500));
            assertEquals(PAN, j.revealPan(a));
        }
        assertEquals(32, Files.size(dir.resolve("sub/new.db.key")));
        // an empty file (made ahead, 0 bytes, no WAL) holds no journal yet: it is created now, with its key
        Path touched = Files.createFile(dir.resolve("touched.db"));
        try (Journal j = Journal.open(touched, CLOCK)) {
            assertEquals(PAN, j.revealPan(j.openAttempt(sale("INV-2", 600))));
        }
        assertEquals(32, Files.size(dir.resolve("touched.db.key")));
    }

    /**
     * A journal emptied (0 bytes: a copy or restore that failed) or gone while its data key is still beside it was
     * lost, not new: opening it is refused, naming both files and what to do, and nothing is created or changed.
     * Taken as new, it forgot a sale still to reverse and gave the next sale its STAN again.
     */
    @Test
    void aJournalEmptiedOrGoneWhileItsDataKeyIsThereIsRefusedAsLost() throws Exception {
        Path file = dir.resolve("j.db");
        Path key = dir.resolve("j.db.key");
        try (Journal j = Journal.open(file, CLOCK)) {
            j.markSent(j.openAttempt(sale("INV-1", 500)).id(), "1122080307"); // still to be reversed
        }
        byte[] backup = Files.readAllBytes(file);
        byte[] keyBytes = Files.readAllBytes(key);
        Files.write(file, new byte[0]);
        List<String> files = list(dir);

        JournalException e = assertThrows(JournalException.class, () -> Journal.open(file, CLOCK));
        assertEquals("the journal " + file.toAbsolutePath() + " is empty (0 bytes) but its data key "
                + key.toAbsolutePath() + " exists, so the journal was lost or truncated (a failed copy or restore?)"
                + " with the sales it still had to reverse or settle: restore it from a backup; nothing was changed."
                + " To start a new journal there on purpose, move the key away too", e.getMessage());
        assertEquals(0, Files.size(file), "the empty file was made a journal");
        assertEquals(files, list(dir), "a file was made or removed (a write-ahead log, a lock)");
        assertArrayEquals(keyBytes, Files.readAllBytes(key));

        Files.delete(file);
        e = assertThrows(JournalException.class, () -> Journal.open(file, CLOCK));
        assertTrue(e.getMessage().startsWith("there is no journal at " + file.toAbsolutePath() + " but its data key "
                + key.toAbsolutePath() + " exists, so the journal was lost"), e.getMessage());
        assertFalse(Files.exists(file), "a new journal was made");

        // restored from the backup: the sale to reverse is there, its STAN not given again
        Files.write(file, backup);
        try (Journal j = Journal.open(file, CLOCK, java.time.Duration.ZERO)) {
            assertEquals(AttemptState.SENT, j.attempts("INV-1").getFirst().state());
            assertEquals(2, j.openAttempt(sale("INV-2", 600)).stan());
        }
        // a new journal on purpose: the key moved away too
        Files.delete(file);
        Files.move(key, dir.resolve("j.db.key.old"));
        try (Journal j = Journal.open(file, CLOCK, java.time.Duration.ZERO)) {
            assertEquals(1, j.openAttempt(sale("INV-3", 700)).stan());
        }
    }

    /**
     * Every path to one journal meets its process lock: through a symbolic link to the journal (with one to its key)
     * or to its folder, a second open is refused as busy while the first holds it, naming the lock beside the real
     * journal; no lock is made beside the link. Found by the path as typed, a link let a second tally run on the
     * journal a serve held and reverse a sale the serve was still waiting on. A journal not made yet is locked where
     * it will be, a dangling link to it included.
     */
    @Test
    void aSymbolicLinkToAJournalOrItsFolderMeetsTheSameLock() throws Exception {
        Path real = Files.createDirectories(dir.resolve("till"));
        Path file = real.resolve("j.db");
        Path link = Files.createSymbolicLink(dir.resolve("link.db"), Path.of("till/j.db"));
        Path folderLink = Files.createSymbolicLink(dir.resolve("counter"), real);
        Path lockFile = real.toRealPath().resolve("j.db.lock");
        try (Journal j = Journal.open(file, CLOCK)) {
            j.markSent(j.openAttempt(sale("INV-1", 500)).id(), "1122080307"); // the serve waits on its answer
            for (Path other : List.of(link, folderLink.resolve("j.db"))) {
                JournalBusyException e = assertThrows(JournalBusyException.class,
                        () -> Journal.open(other, CLOCK, java.time.Duration.ofMillis(100)), other.toString());
                assertTrue(e.getMessage().contains(lockFile + " is locked"), e.getMessage());
            }
        }
        assertFalse(Files.exists(dir.resolve("link.db.lock")), "a lock beside the link");
        try (Journal j = Journal.open(link, CLOCK, java.time.Duration.ZERO)) { // the first gone: the link opens it
            assertEquals(AttemptState.SENT, j.attempts("INV-1").getFirst().state());
            assertEquals(PAN, j.revealPan(j.attempts("INV-1").getFirst()), "with the journal's own key, beside it");
        }
        assertFalse(Files.exists(dir.resolve("link.db.key")), "a second key beside the link");

        Path dangling = Files.createSymbolicLink(dir.resolve("later-link.db"), Path.of("till/later.db"));
        try (ProcessLock held = ProcessLock.acquire(real.resolve("later.db.lock"), java.time.Duration.ZERO)) {
            for (Path other : List.of(dangling, folderLink.resolve("later.db"))) {
                assertThrows(JournalBusyException.class,
                        () -> Journal.open(other, CLOCK, java.time.Duration.ofMillis(100)), other.toString());
            }
        }
        assertFalse(Files.exists(real.resolve("later.db")), "a journal was made while another process held its lock");
    }

    /**
     * A journal with a second name (a hard link) is refused by either name, naming the problem and how to find the
     * other name, with nothing changed; with the extra name gone it opens. Before, each name got its own lock file and
     * data key lookup, so a second tally on the other name ran beside a serve holding the first, as a symbolic link once
     * did (above).
     */
    @Test
    void aJournalWithASecondNameIsRefusedByEitherName() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            j.markSent(j.openAttempt(sale("INV-1", 500)).id(), "1122080307");
        }
        Path other = Files.createLink(dir.resolve("backup.db"), file);
        List<String> before = list(dir);
        for (Path name : List.of(file, other)) {
            JournalException e = assertThrows(JournalException.class, () -> Journal.open(name, CLOCK), name.toString());
            assertTrue(e.getMessage().contains("the journal " + name.toAbsolutePath() + " has 2 names (hard links"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("-samefile " + name.toRealPath()), e.getMessage());
            assertTrue(e.getMessage().endsWith("Nothing was changed"), e.getMessage());
            // read only too (tally report): by the other name SQLite misses the write-ahead log, so the latest sales
            JournalException read = assertThrows(JournalException.class, () -> Journal.openReadOnly(name, CLOCK));
            assertTrue(read.getMessage().contains("has 2 names (hard links"), read.getMessage());
        }
        assertEquals(before, list(dir), "nothing made or removed beside it");
        Files.delete(other);
        try (Journal j = Journal.open(file, CLOCK)) {
            assertEquals(AttemptState.SENT, j.attempts("INV-1").getFirst().state());
        }
    }

    /**
     * A journal given through a link whose data key an earlier version kept beside the link: refused naming both
     * places and the move, with nothing changed. Without it a journal with card numbers was refused as "data key
     * missing: restore it from your backup", and one without got a second key.
     */
    @Test
    void aKeyLeftBesideALinkByAnEarlierVersionIsNamedWithItsMove() throws Exception {
        Path real = Files.createDirectories(dir.resolve("till"));
        try (Journal j = Journal.open(real.resolve("j.db"), CLOCK)) {
            j.openAttempt(sale("INV-1", 500));
        }
        Path link = Files.createSymbolicLink(dir.resolve("link.db"), Path.of("till/j.db"));
        Files.move(real.resolve("j.db.key"), dir.resolve("link.db.key")); // as the earlier version kept it
        List<String> before = list(real);
        JournalException e = assertThrows(JournalException.class, () -> Journal.open(link, CLOCK));
        assertTrue(e.getMessage().contains("the key found beside the link, " + dir.resolve("link.db.key").toAbsolutePath()
                + ", is where earlier versions looked: move it to " + real.toRealPath().resolve("j.db.key")), e.getMessage());
        assertEquals(before, list(real), "nothing made beside the journal");
        assertTrue(Files.exists(dir.resolve("link.db.key")));

        Files.move(dir.resolve("link.db.key"), real.resolve("j.db.key"));
        try (Journal j = Journal.open(link, CLOCK)) {
            assertEquals(PAN, j.revealPan(j.attempts("INV-1").getFirst()));
        }
    }

    /**
     * Opened through a symbolic link, a journal is read where SQLite keeps its write-ahead log: beside the real file.
     * Here a crash left a card number in the log only, and the data key is gone: the open is refused with nothing
     * made. Looked for beside the link, the log was missed, the journal taken to hold no card number, and a new key
     * made that can never read it.
     */
    @Test
    void throughASymbolicLinkTheCardNumbersInTheWriteAheadLogAreSeen() throws Exception {
        Path real = Files.createDirectories(dir.resolve("till"));
        Path file = real.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            j.openAttempt(sale("INV-1", 500));
        }
        String url = "jdbc:sqlite:" + file;
        String pan;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT pan_encrypted FROM attempts")) {
                pan = rs.getString(1);
            }
            st.executeUpdate("UPDATE attempts SET pan_encrypted = NULL"); // checkpointed into the file on close
        }
        Path crash = Files.createDirectories(dir.resolve("crash"));
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("UPDATE attempts SET pan_encrypted = ?")) {
            ps.setString(1, pan);
            ps.executeUpdate();
            // the files as a crash leaves them: the card number in the write-ahead log only
            Files.copy(file, crash.resolve("j.db"));
            Files.copy(real.resolve("j.db-wal"), crash.resolve("j.db-wal"));
        }
        Path link = Files.createSymbolicLink(dir.resolve("link.db"), crash.resolve("j.db"));
        JournalException e = assertThrows(JournalException.class, () -> Journal.open(link, CLOCK));
        assertTrue(e.getMessage().startsWith("data key " + crash.toRealPath().resolve("j.db.key")
                + " is missing: restore it from your backup; nothing was changed (1 attempt(s)"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("link.db.key")), "a new key that cannot read the card number");
        assertFalse(Files.exists(crash.resolve("j.db.key")));
    }

    private static List<String> list(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSecondProcessWaitsForTheJournalLock() {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            JournalException e = assertThrows(JournalException.class,
                    () -> Journal.open(file, CLOCK, java.time.Duration.ofMillis(100)));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        Journal.open(file, CLOCK).close();
    }

    // ---------------------------------------------------------------- a damaged journal

    /** A journal whose order T99 failed its reversal (a debit standing at the host); its attempt id. */
    static long journalWithAFailedReversal(Path file) {
        try (Journal j = Journal.open(file, CLOCK)) {
            j.approve(j.openSent(sale("T98", 700), "1122090300", a -> a).attempt(), "00", "000000000001", "A12345", "ok");
            Attempt a = j.openSent(sale("T99", 1099), "1122090307", x -> x).attempt();
            a = j.requireReversal(a.id(), "98", CLOCK.instant(), null, "no answer");
            a = j.reversalTransmitting(a.id(), "0400");
            a = j.reversalUnanswered(a.id(), null, true, "dropped");
            assertEquals(AttemptState.REVERSAL_FAILED, a.state());
            return a.id();
        }
    }

    /** Sets an attempt's state to text no tally writes, past the CHECK constraint (as a flipped byte would). */
    static void spoilState(Path file, long id, String state) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA ignore_check_constraints = ON");
            st.executeUpdate("UPDATE attempts SET state = '" + state + "' WHERE id = " + id);
        }
    }

    /**
     * An attempt whose state no tally writes ("REVDRSAL_FAILED": one byte flipped) is the journal's damage, refused at
     * every open, the read-only one included: read past, it hid a failed reversal (pending said "nothing pending") and
     * a sale was taken on the journal. The message names the file, the attempt and what to do, never the bytes read.
     */
    @Test
    void anAttemptInAStateNoTallyWritesIsRefusedAtEveryOpenAsDamage() throws Exception {
        Path file = dir.resolve("j.db");
        long id = journalWithAFailedReversal(file);
        spoilState(file, id, "REVDRSAL_FAILED");
        for (java.util.function.Supplier<Journal> opening : List.<java.util.function.Supplier<Journal>>of(
                () -> Journal.open(file, CLOCK), () -> Journal.openReadOnly(file, CLOCK))) {
            JournalDamagedException e = assertThrows(JournalDamagedException.class, () -> opening.get().close());
            assertDamageSaid(e, file, "attempt " + id + " has a state no tally writes");
        }
        // a number or a blob in its place too (both sort outside the names)
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA ignore_check_constraints = ON");
            st.executeUpdate("UPDATE attempts SET state = x'00ff' WHERE id = " + id);
        }
        assertDamageSaid(assertThrows(JournalDamagedException.class, () -> Journal.open(file, CLOCK).close()), file,
                "attempt " + id);
        spoilState(file, id, "REVERSAL_FAILED");
        try (Journal j = Journal.open(file, CLOCK)) {
            assertEquals(AttemptState.REVERSAL_FAILED, j.find(id).orElseThrow().state(), "opens again once restored");
        }
    }

    /** The check at open is a few index searches, not a scan of every attempt (a journal of years of sales). */
    @Test
    void theCheckOfTheStatesAtOpenSearchesTheIndexAndScansNothing() throws Exception {
        Path file = dir.resolve("j.db");
        journalWithAFailedReversal(file);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + Journal.UNKNOWN_STATE)) {
            int searches = 0;
            while (rs.next()) {
                String step = rs.getString("detail");
                assertFalse(step.startsWith("SCAN"), step);
                searches += step.startsWith("SEARCH attempts USING COVERING INDEX attempts_by_state") ? 1 : 0;
            }
            assertEquals(AttemptState.values().length + 1, searches);
        }
    }

    /**
     * A value spoiled after the journal was opened (or in the row but not in the index) is met when it is read: the
     * same damage, named by the journal's file, not "No enum constant ...AttemptState.REVDRSAL_FAILED" (which the CLI
     * took for bad input, exit 64). So are an event's state, an attempt's kind and a batch's state.
     */
    @Test
    void aValueNoTallyWritesReadFromAnOpenJournalIsItsDamage() throws Exception {
        Path file = dir.resolve("j.db");
        long id = journalWithAFailedReversal(file);
        try (Journal j = Journal.open(file, CLOCK);
             Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA ignore_check_constraints = ON");
            st.executeUpdate("UPDATE attempts SET state = 'REVDRSAL_FAILED' WHERE id = " + id);
            assertDamageSaid(assertThrows(JournalDamagedException.class, () -> j.attempts("T99")), file,
                    "attempt " + id + " has a state no tally writes");
            assertDamageSaid(assertThrows(JournalDamagedException.class, () -> j.snapshot(() -> j.find(id))), file,
                    "attempt " + id + " has a state");
            assertDamageSaid(assertThrows(JournalDamagedException.class,
                    () -> j.openAttempt(sale("T99", 100))), file, "attempt " + id);
            st.executeUpdate("UPDATE attempts SET state = 'REVERSAL_FAILED', kind = 'SALF' WHERE id = " + id);
            assertDamageSaid(assertThrows(JournalDamagedException.class, () -> j.find(id)), file,
                    "attempt " + id + " has a kind no tally writes");
            st.executeUpdate("UPDATE attempts SET kind = 'SALE' WHERE id = " + id);
            st.executeUpdate("UPDATE attempt_events SET to_state = 'SE?T' WHERE attempt_id = " + id);
            assertDamageSaid(assertThrows(JournalDamagedException.class, () -> j.events(id)), file,
                    "(of attempt " + id + ") has a state no tally writes");
            st.executeUpdate("INSERT INTO batches (terminal_id, batch_number, merchant_id, state, debit_count,"
                    + " debit_amount, started_at, updated_at) VALUES ('TALLY001', 7, 'M', 'CL0SED', 0, 0, 1, 1)");
            assertDamageSaid(assertThrows(JournalDamagedException.class, () -> j.batches().all("TALLY001")),
                    file, "settlement batch 7 has a state no tally writes");
        }
    }

    /**
     * A file SQLite finds malformed (64 bytes of garbage over its pages) is the same damage (SQLITE_CORRUPT), refused
     * at open: a sale was taken on a journal that failed PRAGMA integrity_check.
     */
    @Test
    void aJournalSqliteFindsMalformedIsRefusedAsDamage() throws Exception {
        Path file = dir.resolve("j.db");
        journalWithAFailedReversal(file);
        try (Journal j = Journal.open(file, CLOCK)) {
            for (int i = 0; i < 200; i++) {
                j.openAttempt(sale("FILL-" + i, 100 + i));
            }
        }
        byte[] db = Files.readAllBytes(file);
        int page = 4096;
        byte[] garbage = new byte[64];
        java.util.Arrays.fill(garbage, (byte) 0xA7);
        for (int at = page; at + garbage.length <= db.length; at += page) { // every page's header but the first
            System.arraycopy(garbage, 0, db, at, garbage.length);
        }
        Files.write(file, db);
        for (java.util.function.Supplier<Journal> opening : List.<java.util.function.Supplier<Journal>>of(
                () -> Journal.open(file, CLOCK), () -> Journal.openReadOnly(file, CLOCK))) {
            JournalDamagedException e = assertThrows(JournalDamagedException.class, () -> opening.get().close());
            assertDamageSaid(e, file, "malformed");
        }
    }

    /**
     * quick_check (for serve's start) finds damage an open does not meet: garbage over pages nothing read at open (here
     * the events' pages), which a sale would otherwise have gone on writing beside.
     */
    @Test
    void theQuickCheckRefusesPagesOfGarbageThatTheOpenDidNotRead() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            for (int i = 0; i < 300; i++) {
                j.note(j.openAttempt(sale("FILL-" + i, 100 + i)).id(), "a note long enough to fill the events' pages"
                        + " quickly, " + "x".repeat(200));
            }
        }
        try (Journal j = Journal.open(file, CLOCK)) {
            j.quickCheck(); // ok
        }
        // garbage over the middle of the file (events' pages): the open's reads (schema, states' index) pass
        byte[] db = Files.readAllBytes(file);
        int page = 4096;
        int pages = db.length / page;
        for (int p = pages / 2; p < pages / 2 + 3; p++) {
            java.util.Arrays.fill(db, p * page + 8, p * page + 72, (byte) 0xA7);
        }
        Files.write(file, db);
        try (Journal j = Journal.open(file, CLOCK)) {
            assertDamageSaid(assertThrows(JournalDamagedException.class, j::quickCheck), file, "quick_check finds");
        }
    }

    static void assertDamageSaid(JournalDamagedException e, Path file, String what) {
        String m = e.getMessage();
        assertTrue(m.contains("the journal " + file + " is damaged"), m);
        assertTrue(m.contains(what), m);
        assertTrue(m.contains("restore the journal and its key from a backup"), m);
        assertTrue(m.contains("sqlite3 " + file + " 'PRAGMA integrity_check'"), m);
        for (String raw : new String[]{"REVDRSAL", "SAL", "SE?T", "CL0SED", "No enum constant", "SALF"}) {
            assertFalse(m.contains(raw), raw + " in: " + m);
        }
    }

    // ---------------------------------------------------------------- a journal stored read-only

    /**
     * Where the journal's -shm cannot be made (a read-only mount, a 0444 journal in a 0555 folder) it failed with
     * "[SQLITE_CANTOPEN] Unable to open the database file". A journal without a write-ahead log holds every commit in
     * its file, and is read as it is (immutable), nothing made beside it.
     */
    @Test
    void aJournalWithoutAWalIsReadWhereItsShmCannotBeMade() {
        Path file = dir.resolve("j.db");
        long id = journalWithAFailedReversal(file);
        assertFalse(Files.exists(dir.resolve("j.db-wal")), "closed: its WAL is gone");
        try (Journal j = Journal.openReadOnly(file, CLOCK, true)) {
            assertEquals(AttemptState.REVERSAL_FAILED, j.find(id).orElseThrow().state());
            assertEquals(2, j.attempts(null).size());
        }
        assertFalse(Files.exists(dir.resolve("j.db-shm")));
        assertFalse(Files.exists(dir.resolve("j.db-wal")));
    }

    /**
     * A journal whose latest sales are in its write-ahead log is not read without its -shm (read as it is, it would
     * miss them): refused in one line saying why and what to do, not "[SQLITE_CANTOPEN] Unable to open ...". Nor is a
     * journal a process has open (its -shm is there), even with its WAL emptied.
     */
    @Test
    void aJournalWithAWalIsRefusedWhereItsShmCannotBeMadeSayingWhyAndWhatToDo() throws Exception {
        Path file = dir.resolve("j.db");
        Path copy = Files.createDirectory(dir.resolve("copy")).resolve("j.db");
        journalWithAFailedReversal(file);
        try (Journal j = Journal.open(file, CLOCK)) {
            j.openAttempt(sale("IN-THE-WAL", 100));
            assertTrue(Files.size(dir.resolve("j.db-wal")) > 0);
            Files.copy(file, copy);
            Files.copy(dir.resolve("j.db-wal"), copy.resolveSibling("j.db-wal"));
            JournalException open = assertThrows(JournalException.class, () -> Journal.openReadOnly(file, CLOCK, true));
            assertTrue(open.getMessage().contains("it is in WAL mode"), open.getMessage());
        }
        JournalException e = assertThrows(JournalException.class, () -> Journal.openReadOnly(copy, CLOCK, true));
        String m = e.getMessage();
        assertTrue(m.startsWith("cannot read the journal " + copy + ": it is in WAL mode, and reading it needs j.db-shm"
                + " beside it, which cannot be made in " + copy.getParent()), m);
        assertTrue(m.contains("copy the journal, its -wal and its .key to a writable folder"), m);
        assertFalse(m.contains("SQLITE_CANTOPEN"), m);
        // where it can be made, the copy reads whole, its WAL's sale included
        try (Journal j = Journal.openReadOnly(copy, CLOCK)) {
            assertEquals(1, j.attempts("IN-THE-WAL").size());
        }
    }

    /** The same, for real, where file modes apply (not as root): a 0444 journal in a 0555 folder. */
    @Test
    void aJournalInAFolderNobodyMayWriteIsRead() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root writes a 0555 folder");
        Path folder = Files.createDirectory(dir.resolve("ro"));
        Path file = folder.resolve("j.db");
        long id = journalWithAFailedReversal(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try (Journal j = Journal.openReadOnly(file, CLOCK)) {
            assertEquals(AttemptState.REVERSAL_FAILED, j.find(id).orElseThrow().state());
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * A journal file SQLite can open only to read, in a folder tally may write (a restore owned by root, 0644, while
     * tally runs as a user), is refused at its open, before anything is read, waited for or sent: the file named, that
     * it cannot be written, what to check, and that nothing was changed. Its first write said only "journal change
     * failed and was rolled back: [SQLITE_READONLY] Attempt to write a readonly database". Made read-only for real:
     * mode 0444 for a user; for root, whom modes do not stop, the immutable flag (chattr +i), which SQLite meets the
     * same way (it opens the file read-only).
     */
    @Test
    void aJournalFileThatCannotBeWrittenIsRefusedAtItsOpenSayingWhatToCheck() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            j.openAttempt(sale("INV-RO", 100));
        }
        byte[] before = Files.readAllBytes(file);
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            org.junit.jupiter.api.Assumptions.assumeTrue(chattr("+i", file), "no immutable flag here (chattr +i)");
        } else {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        }
        try {
            JournalException e = assertThrows(JournalException.class, () -> Journal.open(file, CLOCK));
            String m = e.getMessage();
            assertTrue(m.startsWith("the journal " + file + " cannot be written: it is read-only to tally, which runs"
                    + " as user " + System.getProperty("user.name")), m);
            assertTrue(m.contains("SQLITE_READONLY"), m);
            assertTrue(m.contains("Check the owner and mode") && m.contains("ls -l " + file), m);
            assertTrue(m.endsWith("Nothing was changed"), m);
            assertFalse(m.contains("rolled back"), m);
            assertArrayEquals(before, Files.readAllBytes(file));
        } finally {
            if (root) {
                chattr("-i", file);
            } else {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        }
        try (Journal j = Journal.open(file, CLOCK)) { // writable again: it opens, the lock it held given back
            assertEquals(1, j.attempts("INV-RO").size());
        }
    }

    /**
     * A write refused because the journal was moved or replaced under the running process (SQLITE_READONLY_DBMOVED) is
     * not "read-only to tally: chown, chmod": no owner or mode explains it. sqlite-jdbc's getErrorCode() is the primary
     * code (SQLITE_READONLY) for both, so the extended one is read from the exception's result code.
     */
    @Test
    void aJournalMovedUnderTheProcessIsNotSaidToBeReadOnly() {
        assertTrue(Journal.readOnly(new org.sqlite.SQLiteException("[SQLITE_READONLY] Attempt to write a readonly database",
                org.sqlite.SQLiteErrorCode.SQLITE_READONLY)));
        assertTrue(Journal.readOnly(new org.sqlite.SQLiteException("[SQLITE_READONLY_CANTINIT]",
                org.sqlite.SQLiteErrorCode.SQLITE_READONLY_CANTINIT)));
        org.sqlite.SQLiteException moved = new org.sqlite.SQLiteException("[SQLITE_READONLY_DBMOVED] the database file"
                + " was moved", org.sqlite.SQLiteErrorCode.SQLITE_READONLY_DBMOVED);
        assertEquals(org.sqlite.SQLiteErrorCode.SQLITE_READONLY.code, moved.getErrorCode(), "the primary code only");
        assertFalse(Journal.readOnly(moved));
        assertFalse(Journal.readOnly(new org.sqlite.SQLiteException("[SQLITE_FULL]", org.sqlite.SQLiteErrorCode.SQLITE_FULL)));
    }

    /** {@code chattr FLAG file}: whether it worked (not on every file system, and only as root). */
    private static boolean chattr(String flag, Path file) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException none) {
            return false; // no chattr
        }
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    // ---------------------------------------------------------------- modes

    /**
     * A new journal, its -wal and -shm (SQLite gives them the journal's mode) and its lock file are readable by their
     * owner only, as the data key: they hold order ids, amounts, masked card numbers and card-number ciphertexts. They
     * were 0644.
     */
    @Test
    void aNewJournalItsWalShmAndLockFileAreOwnerOnly() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, CLOCK)) {
            j.openAttempt(sale("INV-M", 100));
            for (String name : new String[]{"j.db", "j.db-wal", "j.db-shm", "j.db.lock", "j.db.key"}) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))),
                        name);
            }
        }
        // an empty file given as a new journal (touch j2.db) is made owner-only too
        Path empty = Files.createFile(dir.resolve("j2.db"));
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-r--r--"));
        Journal.open(empty, CLOCK).close();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(empty)));
    }

    /**
     * An existing journal others can read (an earlier tally's 0644) is used as it is, with one warning naming the
     * files to chmod: its mode is the operator's to decide (a backup account reading it by its group would silently
     * stop), as for a data key others can read.
     */
    @Test
    void anExistingJournalOthersCanReadIsUsedAsItIsWithAWarning() throws Exception {
        Path file = dir.resolve("j.db");
        Journal.open(file, CLOCK).close();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (dev.tally.terminal.StdErrTee logged = dev.tally.terminal.StdErrTee.start()) {
            Journal.open(file, CLOCK).close();
            String said = logged.text();
            assertTrue(said.contains("the journal " + file + " can be read by other users (rw-r--r--)"), said);
            assertTrue(said.contains("chmod 600 " + file), said);
            assertEquals(1, said.lines().filter(l -> l.contains("can be read by other users")).count(), said);
        }
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "left as it was");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        try (dev.tally.terminal.StdErrTee logged = dev.tally.terminal.StdErrTee.start()) {
            Journal.open(file, CLOCK).close();
            assertFalse(logged.text().contains("can be read by other users"), logged.text());
        }
    }
}
