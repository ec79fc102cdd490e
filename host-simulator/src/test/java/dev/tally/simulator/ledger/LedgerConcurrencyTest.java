package dev.tally.simulator.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger under concurrent requests: group commit (several units in one SQLite transaction, each in its
 * own savepoint), the cached statements, and the lookup connection.
 */
class LedgerConcurrencyTest {

    private static final List<TestCard> CARDS = TestCards.bundled().all();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T09:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static SaleRequest sale(String terminal, int stan, long amount) {
        return new SaleRequest(terminal, "HOSPITAL0000001", stan, "1122090000", "ORD-" + terminal + "-" + stan, amount,
                "840", "visa-1", "476173******0119", null, CreditPolicy.IMMEDIATE, ReversalPolicy.ACKNOWLEDGE);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Submits a unit while the test holds the writer, and waits until it is queued behind it. */
    private static <T> Future<T> enqueue(Ledger l, ExecutorService pool, Callable<T> unit, String what)
            throws InterruptedException {
        int before = l.queued();
        Future<T> f = pool.submit(unit);
        await(() -> l.queued() == before + 1, what + " to queue");
        return f;
    }

    @Test
    void unitsQueuedBehindTheWriterCommitTogetherAndAFailingOneIsRolledBackAlone() throws Exception {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long before = l.balance("visa-1");
            Future<SaleResult> first;
            Future<Object> failing;
            Future<SaleResult> third;
            try (AutoCloseable held = l.holdWriter()) {
                first = enqueue(l, pool, () -> l.recordSale(sale("T1", 1, 100)), "the first unit");
                // debits the card, then fails: its debit must not survive, the others must
                failing = enqueue(l, pool, () -> l.tx(c -> {
                    debit(c, 5000);
                    throw new IllegalStateException("boom");
                }), "the failing unit");
                third = enqueue(l, pool, () -> l.recordSale(sale("T1", 3, 300)), "the third unit");
            }
            assertEquals(100, first.get(10, TimeUnit.SECONDS).transaction().amount());
            Exception e = assertThrows(Exception.class, () -> failing.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals("boom", e.getCause().getMessage());
            assertEquals(300, third.get(10, TimeUnit.SECONDS).transaction().amount());
            assertEquals(0, l.queued());
            assertEquals(before - 400, l.balance("visa-1"), "both sales debited, the failed unit's debit rolled back");
            assertEquals(2, l.transactions(Ledger.Filter.all()).size());
        }
    }

    /**
     * A batch runs its units without a savepoint each; when one fails, the pass is rolled back and the others run
     * again, each in a savepoint. Counted: with no failure every unit runs once; a failure sends the units before
     * it round a second time, and a second failure (in that second pass) stays its own unit's too.
     */
    @Test
    void whenAUnitFailsTheOthersRunAgainEachAloneAndEveryOutcomeIsItsOwn() throws Exception {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long before = l.balance("visa-1");
            AtomicInteger[] runs = new AtomicInteger[5];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = new AtomicInteger();
            }
            List<Future<SaleResult>> sales = new ArrayList<>();
            Future<Object> firstFailure;
            Future<Object> secondFailure;
            try (AutoCloseable held = l.holdWriter()) {
                sales.add(enqueue(l, pool, countedSale(l, runs[0], 1, 100), "sale 1"));
                firstFailure = enqueue(l, pool, countedFailure(l, runs[1], 5000, "first"), "the first failing unit");
                sales.add(enqueue(l, pool, countedSale(l, runs[2], 2, 200), "sale 2"));
                // after the first failure, so it runs in the second pass only, beside the others' savepoints
                secondFailure = enqueue(l, pool, countedFailure(l, runs[3], 7000, "second"), "the second failing unit");
                sales.add(enqueue(l, pool, countedSale(l, runs[4], 3, 300), "sale 3"));
            }
            assertEquals(100, sales.get(0).get(10, TimeUnit.SECONDS).transaction().amount());
            assertEquals(200, sales.get(1).get(10, TimeUnit.SECONDS).transaction().amount());
            assertEquals(300, sales.get(2).get(10, TimeUnit.SECONDS).transaction().amount());
            Exception e1 = assertThrows(Exception.class, () -> firstFailure.get(10, TimeUnit.SECONDS));
            assertEquals("first", e1.getCause().getMessage());
            Exception e2 = assertThrows(Exception.class, () -> secondFailure.get(10, TimeUnit.SECONDS));
            assertEquals("second", e2.getCause().getMessage());
            assertEquals(List.of(2, 1, 1, 1, 1), java.util.Arrays.stream(runs).map(AtomicInteger::get).toList(),
                    "units before the first failure ran twice, it once, the ones after it once");
            assertEquals(before - 600, l.balance("visa-1"), "the three sales debited, neither failed unit's debit");
            assertEquals(3, l.transactions(Ledger.Filter.all()).size());
            assertEquals(3, l.transactions(Ledger.Filter.all()).stream().map(LedgerTransaction::rrn).distinct().count(),
                    "an RRN each, none repeated by the second pass");

            // nothing failing: one pass, each unit once
            AtomicInteger once = new AtomicInteger();
            List<Future<SaleResult>> more = new ArrayList<>();
            try (AutoCloseable held = l.holdWriter()) {
                for (int stan = 10; stan < 13; stan++) {
                    more.add(enqueue(l, pool, countedSale(l, once, stan, 10), "sale " + stan));
                }
            }
            for (Future<SaleResult> f : more) {
                assertEquals(10, f.get(10, TimeUnit.SECONDS).transaction().amount());
            }
            assertEquals(3, once.get());
        }
    }

    /** A sale unit of terminal T1 that counts its runs. */
    private static Callable<SaleResult> countedSale(Ledger l, AtomicInteger runs, int stan, long amount) {
        return () -> l.tx(c -> {
            runs.incrementAndGet();
            return l.recordSaleIn(c, sale("T1", stan, amount));
        });
    }

    /** A unit that counts its runs, debits the card, then fails with {@code message}. */
    private static Callable<Object> countedFailure(Ledger l, AtomicInteger runs, long amount, String message) {
        return () -> l.tx(c -> {
            runs.incrementAndGet();
            debit(c, amount);
            throw new IllegalStateException(message);
        });
    }

    private static void debit(Connection c, long amount) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE cards SET balance = balance - ? WHERE id = 'visa-1'")) {
            ps.setLong(1, amount);
            ps.executeUpdate();
        }
    }

    @Test
    void anErrorInOneUnitFailsItsWholeBatchWithNothingAppliedAndTheLedgerCarriesOn() throws Exception {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long before = l.balance("visa-1");
            Future<SaleResult> innocent;
            Future<Object> broken;
            try (AutoCloseable held = l.holdWriter()) {
                innocent = enqueue(l, pool, () -> l.recordSale(sale("T1", 1, 100)), "the sale");
                broken = enqueue(l, pool, () -> l.tx(c -> {
                    throw new StackOverflowError("simulated");
                }), "the failing unit");
            }
            // an Error is not an exception a unit can be rolled back from alone: the batch goes, both callers hear it
            Exception e1 = assertThrows(Exception.class, () -> innocent.get(10, TimeUnit.SECONDS));
            Exception e2 = assertThrows(Exception.class, () -> broken.get(10, TimeUnit.SECONDS));
            assertTrue(String.valueOf(e1.getCause()).contains("simulated"), String.valueOf(e1.getCause()));
            assertTrue(String.valueOf(e2.getCause()).contains("simulated"), String.valueOf(e2.getCause()));
            assertEquals(before, l.balance("visa-1"), "nothing of the batch applied");
            assertTrue(l.transactions(Ledger.Filter.all()).isEmpty());
            assertEquals(100, l.recordSale(sale("T1", 1, 100)).transaction().amount(), "the ledger carries on");
        }
    }

    @Test
    void aCutoverMovesTheDateForSalesCommittedAfterItInTheSameBatch() throws Exception {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            java.time.LocalDate today = l.businessDate();
            Future<SaleResult> before;
            Future<java.time.LocalDate> cut;
            Future<SaleResult> after;
            try (AutoCloseable held = l.holdWriter()) {
                before = enqueue(l, pool, () -> l.recordSale(sale("T1", 1, 100)), "the first sale");
                cut = enqueue(l, pool, l::cutover, "the cut-over");
                after = enqueue(l, pool, () -> l.recordSale(sale("T1", 2, 100)), "the second sale");
            }
            assertEquals(today, before.get(10, TimeUnit.SECONDS).transaction().businessDate());
            assertEquals(today.plusDays(1), cut.get(10, TimeUnit.SECONDS));
            assertEquals(today.plusDays(1), after.get(10, TimeUnit.SECONDS).transaction().businessDate());
            assertEquals(today.plusDays(1), l.businessDate());
        }
    }

    @Test
    void concurrentSalesAllLandExactlyOnceAndDuplicatesAreCaughtInsideTheTransaction() throws Exception {
        Path file = dir.resolve("l.db");
        int terminals = 16;
        int each = 40;
        try (Ledger l = Ledger.open(file, CLOCK, CARDS);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long before = l.balance("visa-1");
            List<Future<SaleResult>> results = new ArrayList<>();
            for (int t = 0; t < terminals; t++) {
                String terminal = String.format("T%07d", t);
                for (int s = 1; s <= each; s++) {
                    int stan = s;
                    // every sale sent twice at once: exactly one of the two records it
                    results.add(pool.submit(() -> l.recordSale(sale(terminal, stan, 10))));
                    results.add(pool.submit(() -> l.recordSale(sale(terminal, stan, 10))));
                }
            }
            int recorded = 0;
            int duplicates = 0;
            for (Future<SaleResult> f : results) {
                if (f.get(30, TimeUnit.SECONDS).duplicate()) {
                    duplicates++;
                } else {
                    recorded++;
                }
            }
            assertEquals(terminals * each, recorded);
            assertEquals(terminals * each, duplicates);
            assertEquals(before - 10L * terminals * each, l.balance("visa-1"));
        }
        // and it is all in the file, seen by another connection after the ledger closed
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), COUNT(DISTINCT rrn) FROM transactions")) {
            rs.next();
            assertEquals(terminals * each, rs.getInt(1));
            assertEquals(terminals * each, rs.getInt(2), "one RRN per sale");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery("""
                     SELECT (SELECT value FROM counters WHERE name = 'rrn'), MAX(CAST(substr(rrn, 5) AS INTEGER))
                     FROM transactions""")) {
            rs.next();
            assertTrue(rs.getLong(1) >= rs.getLong(2), "the stored RRN sequence is past every RRN committed: "
                    + rs.getLong(1) + " < " + rs.getLong(2));
        }
    }

    @Test
    void callersThatParkWithoutATimeOutAreAllWokenAndEveryTransactionFinishes() throws Exception {
        // rounds of callers arriving at once, one transaction each, and nobody after them: a caller whose
        // wake-up was missed has no later arrival to run its unit, and stays parked for good
        int rounds = 300;
        int callers = 16;
        Set<String> rrns = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int r = 0; r < rounds; r++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> round = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    round.add(pool.submit(() -> {
                        start.await();
                        return rrns.add(l.nextRrn());
                    }));
                }
                start.countDown();
                for (Future<Boolean> f : round) {
                    assertTrue(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS), "RRNs repeat");
                }
            }
            assertEquals(rounds * callers, rrns.size());
            assertEquals(0, l.queued(), "nothing left queued");
        } finally {
            pool.shutdownNow(); // a caller left parked is interrupted, so a failure here ends instead of hanging
        }
    }

    /** The WAL header's checkpoint sequence number (bytes 12 to 15, big-endian): one more each time the WAL starts again. */
    private static int walCheckpointSequence(Path wal) throws java.io.IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(wal)) {
            java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(16);
            while (header.hasRemaining() && ch.read(header, header.position()) > 0) {
                // a header is 32 bytes: read until the first 16 are in
            }
            assertEquals(16, header.position(), "a WAL header in " + wal);
            return header.getInt(12);
        }
    }

    /**
     * After the writer's finishing checkpoint (a RESTART, what it runs when the background checkpointer has copied
     * nearly everything, WalCheckpointer) the next sale writes the WAL from its start: the header's checkpoint sequence
     * moves on and the file does not grow. Asserted on the first sale after the checkpoint rather than as "the next 200
     * sales keep the WAL within its size after 1,500": the background checkpointer (every 250 ms) restarts the WAL too,
     * so the size the 1,500 left depended on how many sales each of its rounds let in, i.e. on the machine's speed.
     * Only the checkpoint under test restarts the WAL for that sale, unless a background round happens to end within
     * the last sale or two before it (the round's finish, or a pass that copied everything, would restart it too): a
     * broken checkpoint fails nearly always, not always.
     */
    @Test
    void theWalIsCheckpointedAndStartsAgainInsteadOfGrowingWithEverySale() throws Exception {
        Path file = dir.resolve("l.db");
        Path wal = dir.resolve("l.db-wal");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            for (int stan = 1; stan <= 1500; stan++) {
                l.recordSale(sale("T1", stan, 1));
            }
            long sizeBefore = java.nio.file.Files.size(wal);
            int sequenceBefore = walCheckpointSequence(wal);
            l.checkpointNow();
            l.recordSale(sale("T1", 1501, 1));
            int sequenceAfter = walCheckpointSequence(wal);
            long sizeAfter = java.nio.file.Files.size(wal);
            assertTrue(sequenceAfter != sequenceBefore, "the sale after the checkpoint starts the WAL again: checkpoint"
                    + " sequence still " + sequenceAfter + ", WAL " + sizeBefore + " then " + sizeAfter + " bytes");
            // the file is never cut below what it was (journal_size_limit); the sale reused it from its start
            assertTrue(sizeAfter <= sizeBefore, "the sale after the checkpoint reuses the WAL from its start: "
                    + sizeBefore + " then " + sizeAfter + " bytes");
            for (int stan = 1502; stan <= 3000; stan++) {
                l.recordSale(sale("T1", stan, 1));
            }
            assertEquals(3000, l.transactions(Ledger.Filter.all().terminal("T1")).size());
        }
    }

    @Test
    void theLookupConnectionSeesEveryCommitAtOnce() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            for (int stan = 1; stan <= 50; stan++) {
                assertTrue(l.saleRrn("TALLY001", stan, "1122090000").isEmpty());
                SaleResult r = l.recordSale(sale("TALLY001", stan, 1));
                // a cached lookup statement must not keep reading an old snapshot
                assertEquals(r.transaction().rrn(), l.saleRrn("TALLY001", stan, "1122090000").orElseThrow());
            }
        }
    }

    @Test
    void aSaleReadsBackAsItWasReturned() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            for (CreditPolicy p : List.of(CreditPolicy.IMMEDIATE, CreditPolicy.NEVER, CreditPolicy.NEXT_CUTOVER,
                    CreditPolicy.after(Duration.ofHours(1)))) {
                int stan = l.transactions(Ledger.Filter.all()).size() + 1;
                SaleRequest r = new SaleRequest("TALLY001", "HOSPITAL0000001", stan, "1122090000", "ORD-" + stan, 700, "840",
                        "visa-1", "476173******0119", null, p, ReversalPolicy.ACKNOWLEDGE);
                LedgerTransaction returned = l.recordSale(r).transaction();
                assertEquals(l.transaction("TALLY001", stan, "1122090000").orElseThrow(), returned, p.kind().name());
            }
            SaleRequest declined = new SaleRequest("TALLY001", "HOSPITAL0000001", 99, "1122090000", "ORD-99", 700, "840",
                    "visa-1", "476173******0119", "05", null, null);
            LedgerTransaction declinedReturned = l.recordSale(declined).transaction();
            assertEquals("05", declinedReturned.responseCode());
            assertEquals(l.transaction("TALLY001", 99, "1122090000").orElseThrow(), declinedReturned);
            SaleRequest tooMuch = new SaleRequest("TALLY001", "HOSPITAL0000001", 100, "1122090000", "ORD-100",
                    999_999_999_999L, "840", "visa-1", "476173******0119", null, null, null);
            LedgerTransaction nsf = l.recordSale(tooMuch).transaction();
            assertEquals("51", nsf.responseCode());
            assertEquals(l.transaction("TALLY001", 100, "1122090000").orElseThrow(), nsf);
        }
    }

    @Test
    void aSaleOnACardWithNoAccountIsAnErrorAndChangesNothing() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            SaleRequest r = new SaleRequest("TALLY001", "HOSPITAL0000001", 1, "1122090000", "ORD-1", 10, "840", "no-such-card",
                    "476173******0119", null, null, null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.recordSale(r));
            assertTrue(e.getMessage().contains("no-such-card"), e.getMessage());
            assertTrue(l.transactions(Ledger.Filter.all()).isEmpty());
        }
    }

    @Test
    void aTransactionCannotStartAnother() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> l.tx(c -> l.balance("visa-1")));
            assertTrue(e.getMessage().contains("cannot start another"), e.getMessage());
        }
    }
}
