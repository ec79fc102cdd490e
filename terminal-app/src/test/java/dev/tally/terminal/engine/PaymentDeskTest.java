package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.message.MessageView;
import dev.tally.terminal.api.PaymentDesk;
import dev.tally.terminal.settlement.Settlement;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cashier API's desk (in this package for the engine's test host and terminal): what a request that meets another
 * one of the same order in flight is told.
 */
class PaymentDeskTest {

    @TempDir
    Path dir;

    /**
     * LOCKED carries the payment in flight: its amount, STAN and state, whatever the refused request asked for (it used
     * to show the refused request's amount beside the other one's STAN, and 0.00 for a cancel), and a retry time on
     * the journal's millisecond grain, from the engine's clock.
     */
    @Test
    void aRequestMeetingAnotherOfTheSameOrderInFlightIsToldAboutTheOneInFlight() throws Exception {
        withSaleInFlight("C-70", (t, desk) -> {
            String stan = t.journal.liveAttempt("C-70").orElseThrow().stanText();

            PaymentResult other = desk.pay("C-70", 400, null).result();
            assertEquals(PaymentStatus.LOCKED, other.status(), other.message());
            assertEquals(370, other.amount(), "the amount of the payment in flight, not the refused request's");
            assertEquals(stan, other.attempt().stanText());
            assertNotNull(other.retryAfter());
            assertEquals(0, other.retryAfter().getNano() % 1_000_000, "milliseconds: " + other.retryAfter());

            PaymentResult cancel = desk.cancel("C-70").result();
            assertEquals(PaymentStatus.LOCKED, cancel.status(), cancel.message());
            assertEquals(370, cancel.amount(), "a cancel shows what it meets, not 0.00");
        });
    }

    /**
     * A request waiting for the same one in flight that is interrupted (serve stopping) is told LOCKED, written on the
     * audit trail, and keeps its interrupt: but only once the refusal is written. Set before, the journal's wait for its
     * group commit (a park) returned at once, over and over: it spun on a carrier thread until the commit came.
     */
    @Test
    void anInterruptedWaiterWritesItsRefusalWithoutSpinningThenKeepsItsInterrupt() throws Exception {
        withSaleInFlight("C-71", (t, desk) -> {
            long attempt = t.journal.liveAttempt("C-71").orElseThrow().id();

            // the same payment again waits for the one in flight
            PaymentDesk.Outcome[] told = new PaymentDesk.Outcome[1];
            boolean[] interruptKept = new boolean[1];
            Thread waiter = Thread.ofVirtual().start(() -> {
                told[0] = desk.pay("C-71", 370, null);
                interruptKept[0] = Thread.currentThread().isInterrupted();
            });
            await("the repeat to wait for the payment in flight",
                    () -> waiter.getState() == Thread.State.TIMED_WAITING);

            Thread leader;
            synchronized (t.journal) { // the journal's writer: held, so the next group commit waits for the test
                leader = Thread.ofPlatform().start(() -> t.journal.noteRefusal(attempt, java.time.Instant.now(),
                        "test: a change whose group commit waits"));
                await("a group commit to wait for the journal", () -> leader.getState() == Thread.State.BLOCKED);
                waiter.interrupt();
                // its refusal queued behind that commit: parked (a virtual thread that spins stays RUNNABLE)
                try {
                    await("the interrupted waiter to park for its refusal's commit", () -> waiter.getState()
                            == Thread.State.WAITING && java.util.Arrays.stream(waiter.getStackTrace())
                            .anyMatch(f -> f.getMethodName().equals("inTransaction")));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; it is " + waiter.getState() + " at "
                            + java.util.Arrays.toString(waiter.getStackTrace()), e);
                }
            }
            waiter.join(Duration.ofSeconds(30));
            assertTrue(!waiter.isAlive(), "the refusal's commit never came");
            leader.join(Duration.ofSeconds(30));
            assertEquals(PaymentStatus.LOCKED, told[0].result().status(), told[0].result().message());
            assertTrue(interruptKept[0], "the interrupt is restored for the caller");
            assertTrue(t.journal.events(attempt).stream().anyMatch(e -> e.detail().contains("request in progress")),
                    "the refusal is on the audit trail: " + t.journal.events(attempt));
        });
    }

    /** What a test does while a sale is in flight: its terminal and serve's desk in front of it. */
    @FunctionalInterface
    private interface WhileInFlight {
        void run(TestTerminal t, PaymentDesk desk) throws Exception;
    }

    /**
     * Pays {@code order} 3.70 through serve's desk against a host that holds the sale's answer until the test lets it
     * go (the test, not time: room for several desk calls on a slow machine), runs {@code body} while it is in flight,
     * then lets the answer go and checks the sale was approved.
     */
    private void withSaleInFlight(String order, WhileInFlight body) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Duration timeout = Duration.ofSeconds(30);
        try (FakeHost host = holdingSales(release);
             TestTerminal t = TestTerminal.shared(dir.resolve("j.db"), host.port(), timeout, PaymentEngineTest.NOW)) {
            PaymentDesk desk = desk(t, timeout);
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            try {
                Future<PaymentDesk.Outcome> first = pool.submit(() -> desk.pay(order, 370, null));
                await("the sale to reach the host",
                        () -> host.received.stream().anyMatch(m -> "0200".equals(MessageView.of(m).mti())));
                body.run(t, desk);
                release.countDown();
                assertEquals(PaymentStatus.APPROVED, first.get(30, TimeUnit.SECONDS).result().status());
            } finally {
                release.countDown();
                pool.shutdownNow();
            }
        }
    }

    /** A host that answers every request 00, a sale only once {@code release} is counted down: the test, not time. */
    private static FakeHost holdingSales(CountDownLatch release) throws java.io.IOException {
        return new FakeHost((h, req) -> {
            if ("0200".equals(MessageView.of(req).mti())) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return h.answer(req, "00");
        });
    }

    /** The desk serve puts in front of {@code t}'s engine. */
    private static PaymentDesk desk(TestTerminal t, Duration timeout) {
        Settlement settlement = new Settlement(t.journal, t.session, t.engine,
                new TerminalProfile("TALLY001", "HOSPITAL0000001", "840", timeout), Clock.systemDefaultZone());
        ReversalScheduler reversals = new ReversalScheduler(t.engine, t.channel, Duration.ofSeconds(600));
        return new PaymentDesk(t.engine, settlement, reversals, timeout);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 20 s for " + what);
            Thread.sleep(10); // polling interval, not a wait for an outcome
        }
    }
}
