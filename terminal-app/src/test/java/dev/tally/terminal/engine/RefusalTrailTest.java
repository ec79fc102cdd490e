package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCards;
import dev.tally.spec.message.MessageView;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refused payment (ALREADY_PAID, LOCKED) leaves a trace on the audit trail of the attempt that holds the order, so the
 * problem report shows what the cashier saw; nothing else changes, nothing is sent, and a loop of retries writes one
 * event a minute, not one per retry.
 */
class RefusalTrailTest {

    @TempDir
    Path dir;

    /** A clock the test moves; the journal and the engine read it. */
    static final class MovedClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-22T10:41:07Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }

        void forward(Duration d) {
            now = now.plus(d);
        }
    }

    private static final String PAN = TestCards.bundled().defaultCard().pan();

    private static List<AttemptEvent> refusals(TestTerminal t, Attempt a) {
        return t.journal.events(a.id()).stream().filter(e -> e.detail().startsWith("request refused: ")).toList();
    }

    private static long sales(FakeHost host) {
        return host.received.stream().filter(m -> "0200".equals(MessageView.of(m).mti())).count();
    }

    @Test
    void anAlreadyPaidOrderRefusedIsOnItsAttemptsTrailOnceAMinuteHoweverOftenItIsAsked() throws Exception {
        MovedClock clock = new MovedClock();
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(5),
                     PaymentEngineTest.NOW, clock)) {
            Attempt paid = t.engine.sale("INV-PAID", 1200, null).attempt();
            assertEquals(AttemptState.APPROVED, paid.state());
            int eventsBefore = t.journal.events(paid.id()).size();

            clock.forward(Duration.ofSeconds(30));
            PaymentResult refused = t.engine.sale("INV-PAID", 600, null);
            assertEquals(PaymentStatus.ALREADY_PAID, refused.status());
            List<AttemptEvent> trail = refusals(t, paid);
            assertEquals(1, trail.size(), t.journal.events(paid.id()).toString());
            AttemptEvent e = trail.getFirst();
            assertEquals("request refused: sale of 6.00 840 (card 476173******0119), nothing sent; the cashier was told: "
                    + refused.message(), e.detail());
            assertTrue(e.detail().contains("ALREADY_PAID: order INV-PAID was paid 10:41:07 (STAN " + paid.stanText()),
                    e.detail());
            assertEquals(clock.now, e.at(), "the time is the injected clock's");
            assertEquals(AttemptState.APPROVED, e.fromState());
            assertEquals(AttemptState.APPROVED, e.toState(), "no state change");
            assertFalse(e.detail().contains(PAN), "full PAN on the trail");

            // a till retrying in a loop: counted, not written
            for (int i = 0; i < 50; i++) {
                clock.forward(Duration.ofMillis(100));
                assertEquals(PaymentStatus.ALREADY_PAID, t.engine.sale("INV-PAID", 600, null).status());
            }
            assertEquals(eventsBefore + 1, t.journal.events(paid.id()).size(), "one event for 51 refusals in a minute");

            clock.forward(RefusalTrail.WINDOW);
            t.engine.sale("INV-PAID", 600, null);
            trail = refusals(t, paid);
            assertEquals(2, trail.size(), trail.toString());
            assertTrue(trail.get(1).detail().endsWith(" (50 more refusals since the one written at 10:41:37, not written"
                    + " one by one)"), trail.get(1).detail());

            // another process (a one-shot tally sale) a moment later: the journal says one was just written
            clock.forward(Duration.ofSeconds(1));
            new RefusalTrail(t.journal, clock).record(t.engine.sale("INV-PAID", 600, null), "sale of 6.00 840");
            assertEquals(2, refusals(t, paid).size(), "not written again within the minute");

            assertEquals(1, t.journal.attempts("INV-PAID").size(), "no new attempt");
            assertEquals(AttemptState.APPROVED, t.journal.find(paid.id()).orElseThrow().state());
            assertEquals(1, sales(host), "nothing sent for a refused payment");
        }
    }

    /**
     * A refusal the journal could not take (a full disk, a journal closing) does not start the minute's window: the
     * next refusal is written. It used to be counted as if the failed one had been written, so none was for a minute.
     */
    @Test
    void aRefusalThatCouldNotBeWrittenLeavesTheNextOneToBeWritten() throws Exception {
        MovedClock clock = new MovedClock();
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(5),
                     PaymentEngineTest.NOW, clock)) {
            Attempt paid = t.engine.sale("INV-PAID", 1200, null).attempt();
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("j.db"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE TRIGGER no_refusal BEFORE INSERT ON attempt_events WHEN NEW.detail LIKE"
                        + " 'request refused: %' BEGIN SELECT RAISE(ABORT, 'the disk is full (a test)'); END");
            }
            clock.forward(Duration.ofSeconds(1));
            assertEquals(PaymentStatus.ALREADY_PAID, t.engine.sale("INV-PAID", 600, null).status(),
                    "the cashier's answer is the same when its trace cannot be written");
            assertEquals(0, refusals(t, paid).size());
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("j.db"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("DROP TRIGGER no_refusal");
            }

            clock.forward(Duration.ofSeconds(1));
            assertEquals(PaymentStatus.ALREADY_PAID, t.engine.sale("INV-PAID", 600, null).status());
            assertEquals(1, refusals(t, paid).size(), "written a second after the one that failed: "
                    + t.journal.events(paid.id()));
        }
    }

    @Test
    void aLockedOrderRefusedIsOnTheTrailOfTheAttemptWhoseOutcomeIsUncertain() throws Exception {
        MovedClock clock = new MovedClock();
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                     PaymentEngineTest.NOW, clock, link -> host.silentTo(link, PaymentEngineTest.SILENCE,
                             (req, sent) -> true))) { // nothing is answered: the sale and its reversal stay uncertain
            PaymentResult first = t.engine.sale("INV-LOCK", 3000, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, first.status(), first.message());
            Attempt uncertain = t.journal.lastAttempt("INV-LOCK").orElseThrow();
            long sent = host.received.size();

            clock.forward(Duration.ofSeconds(5));
            PaymentResult locked = t.engine.sale("INV-LOCK", 3000, "mc-1");
            assertEquals(PaymentStatus.LOCKED, locked.status(), locked.message());
            List<AttemptEvent> trail = refusals(t, uncertain);
            assertEquals(1, trail.size(), t.journal.events(uncertain.id()).toString());
            String card = TestCards.bundled().find("mc-1").orElseThrow().maskedPan();
            assertTrue(trail.getFirst().detail().startsWith("request refused: sale of 30.00 840 (card " + card
                    + "), nothing sent; the cashier was told: LOCKED: order INV-LOCK has an unanswered attempt (STAN "
                    + uncertain.stanText()), trail.getFirst().detail());
            assertEquals(AttemptState.REVERSAL_PENDING, trail.getFirst().toState());
            assertFalse(t.journal.lastEvent(uncertain.id()).orElseThrow().isRefusal(),
                    "'why is it still here' (tally pending) is the attempt's own last event, not the refusal");
            assertEquals(1, t.journal.attempts("INV-LOCK").size(), "no new attempt");
            assertEquals(AttemptState.REVERSAL_PENDING, t.journal.find(uncertain.id()).orElseThrow().state());
            assertEquals(1, sales(host), "no sale sent for the refused payment");
            assertTrue(host.received.size() >= sent, "only reversals of the uncertain attempt may have gone");
        }
    }

    /**
     * {@code tally serve}: a different request for an order whose payment is on its way (PaymentDesk's LOCKED) is on the
     * trail of the attempt in flight, which goes on undisturbed: its answer is recorded as it comes.
     */
    @Test
    void aRequestRefusedWhileTheOrdersPaymentIsInFlightIsOnItsTrailAndThePaymentGoesOn() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Duration timeout = Duration.ofSeconds(30); // the test, not time, releases the held answer
        try (FakeHost host = new FakeHost((h, req) -> {
            if ("0200".equals(MessageView.of(req).mti())) {
                try {
                    release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return h.answer(req, "00");
        }); TestTerminal t = TestTerminal.shared(dir.resolve("j.db"), host.port(), timeout, PaymentEngineTest.NOW)) {
            dev.tally.terminal.settlement.Settlement settlement = new dev.tally.terminal.settlement.Settlement(t.journal,
                    t.session, t.engine, new TerminalProfile("TALLY001", "HOSPITAL0000001", "840", timeout),
                    Clock.systemDefaultZone());
            ReversalScheduler reversals = new ReversalScheduler(t.engine, t.channel, Duration.ofSeconds(600));
            dev.tally.terminal.api.PaymentDesk desk = new dev.tally.terminal.api.PaymentDesk(t.engine, settlement,
                    reversals, timeout);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            try {
                java.util.concurrent.Future<dev.tally.terminal.api.PaymentDesk.Outcome> first =
                        pool.submit(() -> desk.pay("C-71", 370, null));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (sales(host) == 0) {
                    assertTrue(System.nanoTime() < deadline, "the sale never reached the host");
                    Thread.sleep(10); // polling interval, not a wait for an outcome
                }
                Attempt inFlight = t.journal.liveAttempt("C-71").orElseThrow();

                PaymentResult other = desk.pay("C-71", 400, null).result();
                assertEquals(PaymentStatus.LOCKED, other.status(), other.message());
                PaymentResult cancel = desk.cancel("C-71").result(); // within the minute: counted, not written
                assertEquals(PaymentStatus.LOCKED, cancel.status(), cancel.message());
                List<AttemptEvent> trail = refusals(t, inFlight);
                assertEquals(1, trail.size(), t.journal.events(inFlight.id()).toString());
                assertEquals("request refused: sale of 4.00 840, nothing sent; the cashier was told: " + other.message(),
                        trail.getFirst().detail());
                assertEquals(AttemptState.SENT, trail.getFirst().toState());

                release.countDown();
                assertEquals(PaymentStatus.APPROVED, first.get(30, java.util.concurrent.TimeUnit.SECONDS).result().status());
                assertEquals(AttemptState.APPROVED, t.journal.find(inFlight.id()).orElseThrow().state());
                assertEquals(1, sales(host), "one sale sent");
            } finally {
                release.countDown();
                pool.shutdownNow();
            }
        }
    }
}
