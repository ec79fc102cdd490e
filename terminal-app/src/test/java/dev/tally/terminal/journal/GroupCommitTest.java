package dev.tally.terminal.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit (DESIGN.md §7): many logical terminals share one journal and their changes are committed
 * together — but each caller still returns only once its own change is committed, and a change that fails
 * fails alone.
 */
class GroupCommitTest {

    static final String PAN = "4761739001010119";

    @TempDir
    Path dir;

    static NewAttempt sale(String terminal, String order) {
        return new NewAttempt(terminal, "HOSPITAL0000001", order, AttemptKind.SALE, 1000, "840",
                LocalDateTime.of(2026, 11, 22, 9, 3, 7), PAN, "476173******0119");
    }

    /** The attempt's state as another connection sees it: only what is committed. */
    static String committedState(Path file, long id) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             PreparedStatement ps = c.prepareStatement("SELECT state FROM attempts WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyMarkSentIsCommittedWhenItReturnsUnderConcurrentTerminals() throws Exception {
        Path file = dir.resolve("j.db");
        int terminals = 16;
        int salesEach = 15;
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        try (Journal j = Journal.open(file, Clock.systemUTC())) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < terminals; t++) {
                String tid = String.format("LOAD%04d", t + 1);
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        for (int k = 0; k < salesEach; k++) {
                            Attempt a = j.openAttempt(sale(tid, tid + "-" + k));
                            if (!"NEW".equals(committedState(file, a.id()))) {
                                problems.add("NEW of " + a.id() + " not committed when openAttempt returned");
                            }
                            a = j.markSent(a.id(), "1122080307");
                            // "committed durably before sent": another connection must already see SENT
                            if (!"SENT".equals(committedState(file, a.id()))) {
                                problems.add("SENT of " + a.id() + " not committed when markSent returned");
                            }
                            j.approve(a, "00", "000000000001", "A12345", "approved");
                        }
                    } catch (Exception e) {
                        problems.add(e.toString());
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertTrue(problems.isEmpty(), problems.toString());
            assertEquals("2", j.pragma("synchronous"), "FULL throughout");
            List<Attempt> approved = j.inStates(Set.of(AttemptState.APPROVED));
            assertEquals(terminals * salesEach, approved.size());
            Set<String> stans = new HashSet<>();
            for (Attempt a : approved) {
                assertTrue(stans.add(a.terminalId() + "/" + a.stan()), "STAN reused: " + a);
                assertEquals(3, j.events(a.id()).size(), "NEW, SENT, APPROVED each audited once");
            }
        }
    }

    @Test
    void theNewAndTheSentCommitsAreEachCommittedWithFullSync() {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, Clock.systemUTC())) {
            Attempt a = j.openAttempt(sale("TALLY001", "INV-1"));
            assertEquals("NEW", committedState(file, a.id()), "committed (visible to another connection)");
            assertEquals("2", j.pragma("synchronous"), "FULL for the SENT commit that precedes a send");
            a = j.markSent(a.id(), "1122080307");
            assertEquals("SENT", committedState(file, a.id()));
            assertEquals("2", j.pragma("synchronous"));
        }
    }

    @Test
    void theWalIsCheckpointedInTheBackgroundBetweenGroupsAndNothingCommittedIsLost() throws Exception {
        Path file = dir.resolve("j.db");
        AtomicInteger approved = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> problems = new ConcurrentLinkedQueue<>();
        try (Journal j = Journal.open(file, Clock.systemUTC())) {
            assertEquals("0", j.pragma("wal_autocheckpoint"), "no checkpoint inside a group's COMMIT");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String tid = String.format("LOAD%04d", t + 1);
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        // until the writer has restarted the WAL twice after background passes
                        for (int n = 0; j.walCheckpointsFinished() < 2 && System.nanoTime() < deadline; n++) {
                            Attempt a = j.openAttempt(sale(tid, tid + "-" + n));
                            a = j.markSent(a.id(), "1122080307");
                            j.approve(a, "00", "000000000001", "A12345", "approved");
                            approved.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        problems.add(e);
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            assertTrue(problems.isEmpty(), () -> "changes failed: " + problems);
            assertTrue(j.walCheckpointsFinished() >= 2,
                    "the WAL was not checkpointed and restarted within a minute of writing");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             var st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertEquals("ok", rs.getString(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(state = 'APPROVED') FROM attempts")) {
                rs.next();
                assertEquals(approved.get(), rs.getInt(1), "every attempt written is there");
                assertEquals(approved.get(), rs.getInt(2), "and approved");
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM attempt_events")) {
                rs.next();
                assertEquals(3L * approved.get(), rs.getLong(1), "NEW, SENT, APPROVED audited for each");
            }
        }
    }

    @Test
    void aChangeThatFailsInAGroupFailsAloneAndTheOthersStand() throws Exception {
        Path file = dir.resolve("j.db");
        int threads = 12;
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger opened = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        try (Journal j = Journal.open(file, Clock.systemUTC())) {
            for (int round = 0; round < 10; round++) {
                String contested = "SAME-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> ts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String tid = String.format("LOAD%04d", t + 1);
                    String own = tid + "-own-" + round;
                    ts.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                            try {
                                j.openAttempt(sale(tid, contested));
                                opened.incrementAndGet();
                            } catch (OrderBusyException e) {
                                busy.incrementAndGet();
                            }
                            j.openAttempt(sale(tid, own)); // never affected by the others' refusals
                        } catch (Exception e) {
                            problems.add(e.toString());
                        }
                    }));
                }
                go.countDown();
                for (Thread t : ts) {
                    t.join(60_000);
                }
                assertEquals(1, j.attempts(contested).size(), "one attempt per order, whatever the grouping");
            }
            assertTrue(problems.isEmpty(), problems.toString());
            assertEquals(10, opened.get());
            assertEquals(10 * (threads - 1), busy.get());
            assertEquals(10 + 10 * threads, j.inStates(Set.of(AttemptState.NEW)).size());
        }
    }

    @Test
    void anInterruptedCallerStillWaitsParkedForItsCommitAndKeepsItsInterrupt() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, Clock.systemUTC())) {
            CountDownLatch leaderIn = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread leader = Thread.ofPlatform().start(() -> j.inTransaction(c -> {
                leaderIn.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return null;
            }));
            assertTrue(leaderIn.await(30, TimeUnit.SECONDS));
            AtomicReference<Attempt> opened = new AtomicReference<>();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread waiter = Thread.ofPlatform().unstarted(() -> {
                opened.set(j.openAttempt(sale("LOAD0001", "INV-INTERRUPTED")));
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            long spent = 0;
            boolean waited;
            try {
                waiter.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (waiter.getState() != Thread.State.WAITING) { // queued behind the leader, parked
                    assertTrue(System.nanoTime() < deadline, "the waiter never parked: " + waiter.getState());
                    Thread.onSpinWait();
                }
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                assumeTrue(threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled(),
                        "this JVM measures no thread's CPU time");
                long cpuBefore = threads.getThreadCpuTime(waiter.threadId());
                waiter.interrupt();
                // a waiter that spins while its interrupt flag is set burns a core until the leader is done: give it
                // a second to show, and stop early once it has
                long window = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < window && spent < TimeUnit.MILLISECONDS.toNanos(100)) {
                    Thread.sleep(10);
                    spent = threads.getThreadCpuTime(waiter.threadId()) - cpuBefore;
                }
                waited = waiter.isAlive();
            } finally {
                release.countDown(); // the leader is let go whatever was found, or closing the journal waits for it
            }
            leader.join(30_000);
            waiter.join(30_000);
            assertTrue(waited, "the waiter must wait for its change's commit, interrupted or not");
            assertTrue(spent < TimeUnit.MILLISECONDS.toNanos(100),
                    "an interrupted waiter used " + spent / 1_000_000 + " ms of CPU while the leader held the journal");
            assertEquals("NEW", committedState(file, opened.get().id()), "its change committed when it returned");
            assertTrue(interruptKept.get(), "the caller's interrupt is given back");
        }
    }
}
