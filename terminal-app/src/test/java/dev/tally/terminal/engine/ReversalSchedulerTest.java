package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCards;
import dev.tally.spec.message.MessageView;
import dev.tally.terminal.card.CardData;
import dev.tally.terminal.card.LabCardReader;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptKind;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.journal.NewAttempt;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally serve}'s background loop: besides the reversals that are due, it sweeps the sales that ended
 * without recording their outcome, and never a sale still waiting for its answer.
 */
class ReversalSchedulerTest {

    private static final ReversalPolicy NOW = new ReversalPolicy(3, Duration.ZERO, 2.0, Duration.ZERO);

    @TempDir
    Path dir;

    /**
     * A sale whose answer came but whose journal refused both the answer and the fallback to a reversal leaves
     * its attempt SENT with nobody waiting for it (the engine's own catch could not write either). Before, only
     * a restart's recovery reversed it, and until then the order answered LOCKED, "request still out". The
     * scheduler now reverses it on its next tick (reason 96), and the order is free again.
     */
    @Test
    void aSaleLeftSentWithNobodyWaitingIsReversedOnTheNextTickWithoutARestart() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.shared(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            t.engine.reversalsRunInBackground();
            Attempt left = leftSent(t, "INV-LEFT");
            assertEquals(PaymentStatus.LOCKED, t.engine.sale("INV-LEFT", 100, null).status(), "locked while SENT");

            try (ReversalScheduler scheduler = new ReversalScheduler(t.engine, t.channel, Duration.ofMillis(50)).start()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (t.journal.find(left.id()).orElseThrow().state() != AttemptState.REVERSED) {
                    assertTrue(System.nanoTime() < deadline, "still " + t.journal.find(left.id()).orElseThrow().state()
                            + " long after the scheduler started");
                    Thread.sleep(10); // polling interval, not a wait for an outcome
                }
            }
            Attempt reversed = t.journal.find(left.id()).orElseThrow();
            assertEquals("96", reversed.reversalReason());
            assertEquals(1, host.received.stream().filter(m -> MessageView.of(m).mti().equals("0400")).count());
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-LEFT", 100, null).status(),
                    "the order is free again once its abandoned attempt is reversed");
        }
    }

    /**
     * In serve, LOCKED for a failed reversal whose slow retry fell due during a host outage tells the time the loop
     * tries it, now; it told the retry time the outage had passed (its last try plus the longest interval).
     */
    @Test
    void theLockOfAFailedReversalPastItsRetryTellsTheLoopsTimeNotOneGonePast() throws Exception {
        RefusalTrailTest.MovedClock clock = new RefusalTrailTest.MovedClock();
        ReversalPolicy oneTry = new ReversalPolicy(1, Duration.ZERO, 2.0, Duration.ofMinutes(5));
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED, oneTry, clock,
                     link -> host.silentTo(link, Duration.ofMillis(300), (req, sent) -> true))) { // the host is down
            t.engine.reversalsRunInBackground();
            PaymentResult r = t.engine.sale("INV-OUTAGE", 100, null); // its one reversal try goes unanswered
            assertEquals(PaymentStatus.REVERSAL_FAILED, r.status(), r.message());
            clock.forward(Duration.ofHours(1).plusMillis(400)); // the outage outlasts the 5 min retry

            PaymentResult locked = t.engine.sale("INV-OUTAGE", 100, null);
            assertEquals(PaymentStatus.LOCKED, locked.status(), locked.message());
            // rounded up to the second, as the trail's note and tally pending show a next try: 11:41:08 for 11:41:07.400
            String now = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")
                    .format(ReversalLoop.toTheSecondUp(clock.instant()).atZone(clock.getZone()));
            assertEquals("11:41:08", now);
            assertTrue(locked.message().contains("it is tried again at " + now + " "), locked.message());
            PaymentResult asked = t.engine.result(t.journal.find(r.attempt().id()).orElseThrow());
            assertTrue(asked.message().contains("the reversal is tried again at " + now + " "), asked.message());
            assertEquals(clock.instant().plus(FakeHost.ANSWERED), locked.retryAfter());
        }
    }

    /**
     * In serve, a reversal that failed all its tries is not left for 'tally pending --resolve' (which cannot run while
     * serve holds the journal): the loop tries it again after the policy's longest interval, and the LOCKED answer
     * says when, until the acquirer acknowledges it.
     */
    @Test
    void aFailedReversalIsTriedAgainInTheBackgroundUntilAcknowledgedAndTheLockSaysWhen() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean acknowledge = new java.util.concurrent.atomic.AtomicBoolean();
        ReversalPolicy oneTry = new ReversalPolicy(1, Duration.ZERO, 2.0, Duration.ofMillis(300));
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.shared(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED, oneTry,
                     link -> host.silentTo(link, Duration.ofMillis(500), (req, sent) -> !acknowledge.get()))) {
            // silent, then back
            t.engine.reversalsRunInBackground();
            PaymentResult r = t.engine.sale("INV-FAILED", 100, null); // its one reversal try goes unanswered
            assertEquals(PaymentStatus.REVERSAL_FAILED, r.status(), r.message());
            assertTrue(r.message().contains("the reversal is tried again at ") && !r.message().contains("pending --resolve"),
                    r.message());
            PaymentResult locked = t.engine.sale("INV-FAILED", 100, null);
            assertEquals(PaymentStatus.LOCKED, locked.status());
            assertTrue(locked.message().contains("it is tried again at ") && !locked.message().contains("pending --resolve"),
                    locked.message());
            assertTrue(locked.retryAfter() != null, "a time to retry: " + locked.message());

            acknowledge.set(true);
            try (ReversalScheduler scheduler = new ReversalScheduler(t.engine, t.channel, Duration.ofMillis(50)).start()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (t.journal.find(r.attempt().id()).orElseThrow().state() != AttemptState.REVERSED) {
                    assertTrue(System.nanoTime() < deadline, "still " + t.journal.find(r.attempt().id()).orElseThrow()
                            .state() + " long after the scheduler started");
                    Thread.sleep(10); // polling interval, not a wait for an outcome
                }
            }
            assertTrue(t.journal.events(r.attempt().id()).stream().anyMatch(e -> e.detail().startsWith("0401 repeat sent")
                    && e.detail().contains(", try 2 (tried again until acknowledged; the 1 try allowed went unanswered)")),
                    "the retry after giving up is not 'try 2 of 1'");
            assertTrue(r.message().contains("was not acknowledged after 1 try (last try: "), r.message());
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-FAILED", 100, null).status(), "the order is free again");
        }
    }

    /** The sweep leaves alone a sale whose answer is still awaited: it is SENT, and under way. */
    @Test
    void aSaleWaitingForItsAnswerIsNotSwept() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (FakeHost host = new FakeHost((h, req) -> {
            try {
                assertTrue(answer.await(20, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return h.answer(req, "00");
        }); TestTerminal t = TestTerminal.shared(dir.resolve("j.db"), host.port(), Duration.ofSeconds(30), NOW)) {
            t.engine.reversalsRunInBackground();
            CompletableFuture<PaymentResult> sale = CompletableFuture.supplyAsync(
                    () -> t.engine.sale("INV-WAIT", 100, null), r -> Thread.ofVirtual().start(r));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (t.journal.liveAttempt("INV-WAIT").map(Attempt::state).orElse(null) != AttemptState.SENT) {
                assertTrue(System.nanoTime() < deadline, "the sale never went SENT");
                Thread.sleep(10); // polling interval, not a wait for an outcome
            }

            assertEquals(0, t.engine.reverseAbandonedSales().size(), "a sale under way is not abandoned");
            answer.countDown();
            assertEquals(PaymentStatus.APPROVED, sale.get(20, TimeUnit.SECONDS).status());
            assertEquals(0, t.engine.reverseAbandonedSales().size(), "an answered sale is not abandoned either");
            assertEquals(0, host.received.stream().filter(m -> MessageView.of(m).mti().startsWith("040")).count());
        }
    }

    /** An attempt SENT in the journal with no sale of this process behind it, as a sale that could not record its answer leaves it. */
    /**
     * Serve stopping while a reversal try waits for its answer (up to the host timeout): the try ends now and is
     * recorded in the journal, which is still open, and a try cut short so is never the one that gives up. The loop
     * used to be given 5 s, then the journal and the message log were closed under the try, and its outcome was
     * written nowhere.
     */
    @Test
    void stoppingEndsTheTryWaitingForItsAnswerAndRecordsIt() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> null); // answers sign-ons only: a reversal waits the whole timeout
             TestTerminal t = TestTerminal.shared(dir.resolve("j.db"), host.port(), Duration.ofSeconds(30),
                     new ReversalPolicy(1, Duration.ZERO, 2.0, Duration.ZERO))) {
            t.engine.reversalsRunInBackground();
            Attempt left = leftSent(t, "INV-STOP");
            ReversalScheduler scheduler = new ReversalScheduler(t.engine, t.channel, Duration.ofMillis(50)).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (host.received.stream().noneMatch(m -> MessageView.of(m).mti().equals("0400"))) {
                assertTrue(System.nanoTime() < deadline, "the sweep never sent the reversal");
                Thread.sleep(10); // polling interval, not a wait for an outcome
            }
            scheduler.stopEndingTries();
            assertTrue(t.journal.events(left.id()).stream().anyMatch(e -> e.detail().startsWith("reversal try 1: ")
                    && e.detail().contains("closed by the terminal")), "the try's end is in the journal: "
                    + t.journal.events(left.id()));
            assertEquals(AttemptState.REVERSAL_PENDING, t.journal.find(left.id()).orElseThrow().state(),
                    "its one try allowed was cut by the stop, not given up: the next start tries again");
            scheduler.close();
        }
    }

    private static Attempt leftSent(TestTerminal t, String order) {
        CardData card = new LabCardReader(TestCards.bundled()).read(null);
        return t.journal.openSent(new NewAttempt("TALLY001", "HOSPITAL0000001", order, AttemptKind.SALE, 100, "840",
                LocalDateTime.now(), card.pan(), card.maskedPan()), "1123053000", a -> a).attempt();
    }
}
