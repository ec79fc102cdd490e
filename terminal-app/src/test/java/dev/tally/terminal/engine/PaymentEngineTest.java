package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCards;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.terminal.StdErrTee;
import dev.tally.terminal.card.UnknownCardException;
import dev.tally.terminal.cli.TallyCli;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostChannel;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.host.SignOnException;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.journal.Journal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Engine behaviour against a fake host: MAC failure, A1 re-sign-on, 94, the wire content of a reversal. */
class PaymentEngineTest {

    @TempDir
    Path dir;

    static final ReversalPolicy NOW = new ReversalPolicy(3, Duration.ZERO, 2.0, Duration.ZERO);
    /** How long an exchange the fake host leaves unanswered waits ({@link FakeHost#silentTo}). */
    static final Duration SILENCE = Duration.ofMillis(600);

    /** A terminal of {@code host} that leaves unanswered the requests {@code silent} picks; the rest are answered. */
    /** The first sale goes unanswered, and its first reversal. */
    private static final java.util.function.BiPredicate<MessageView, List<MessageView>> FIRST_SALE_AND_ITS_FIRST_REVERSAL_LOST =
            (req, sent) -> "0200".equals(req.mti()) ? FakeHost.count(sent, "0200") == 0
                    : req.mti().startsWith("040") && FakeHost.count(sent, "040") == 0;

    private TestTerminal terminal(FakeHost host, java.util.function.BiPredicate<MessageView, List<MessageView>> silent) {
        return TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED, NOW, Clock.systemDefaultZone(),
                link -> host.silentTo(link, SILENCE, silent));
    }

    /**
     * Asked while its answer is awaited (a cashier system polling after its own HTTP timeout), a payment is IN_PROGRESS
     * with a time to ask again: before, it was REVERSAL_PENDING, which tells the cashier the payment did not go through
     * while the customer is about to be charged.
     */
    @Test
    void aPaymentWhoseAnswerIsAwaitedIsInProgress() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (FakeHost host = new FakeHost((h, req) -> {
            if ("0200".equals(MessageView.of(req).mti())) {
                asked.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return h.answer(req, "00");
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(10), NOW)) {
            CompletableFuture<PaymentResult> sale = CompletableFuture.supplyAsync(() -> t.engine.sale("INV-WAIT", 500, null));
            assertTrue(asked.await(10, TimeUnit.SECONDS), "the sale reached the host");
            Attempt out = t.journal.lastAttempt("INV-WAIT").orElseThrow();
            PaymentResult now = t.engine.result(out);
            assertEquals(PaymentStatus.IN_PROGRESS, now.status(), now.message());
            assertTrue(now.message().startsWith("In progress: the request went to the host at "), now.message());
            assertEquals(out.sentAt().plus(Duration.ofSeconds(11)), now.retryAfter(), "after the answer's timeout");
            assertEquals(4, dev.tally.terminal.cli.ExitCodes.of(now.status()), "exit 4 for tally status: no approval yet");
            release.countDown();
            assertEquals(PaymentStatus.APPROVED, sale.get(10, TimeUnit.SECONDS).status());
        }
    }

    /**
     * A REVERSAL_PENDING payment asked about once its next try's time has come (the try is out, its answer awaited) says
     * to ask again when that answer is due, never at a time already past: the journal's next-try time stays where it was
     * during the try, and a till polling GET /v1/payments after retryAfter came back at once, again and again.
     */
    @Test
    void aPendingReversalsRetryTimeIsNeverInThePast() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = terminal(host, (req, sent) -> true)) { // neither the sale nor its reversal is answered
            PaymentResult sale = t.engine.sale("INV-PEND", 900, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, sale.status(), sale.message());
            Attempt a = t.journal.lastAttempt("INV-PEND").orElseThrow();
            Thread.sleep(5); // the policy's next try (no pause: due at once) is behind us now
            java.time.Instant asked = java.time.Instant.now();
            PaymentResult later = t.engine.result(a);
            assertEquals(PaymentStatus.REVERSAL_PENDING, later.status(), later.message());
            assertTrue(!a.nextReversalAt().isAfter(asked), "the next try is due: " + a.nextReversalAt());
            assertTrue(later.retryAfter().isAfter(asked.plus(FakeHost.ANSWERED).minusSeconds(1)),
                    "ask again once the try's answer is due, not at " + later.retryAfter() + " (asked " + asked + ")");
            assertTrue(later.message().contains(", next at now)"), later.message());
        }
    }

    /**
     * A pending reversal whose next try is ahead: the payment's retryAfter is when that try's answer is due, the same
     * instant a LOCKED for the order gives (one formula, OrderLock.reversalAnswerDueBy); it was the try's own time, so a
     * till polling then arrived as the try went out.
     */
    @Test
    void aPendingReversalsRetryAfterIsItsNextTrysAnswerAsALockedSays() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                     ReversalPolicy.of(3, Duration.ofMinutes(10)), Clock.systemDefaultZone(),
                     link -> host.silentTo(link, SILENCE, (req, sent) -> true))) { // nothing answered
            PaymentResult sale = t.engine.sale("INV-AHEAD", 900, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, sale.status(), sale.message());
            Attempt a = t.journal.lastAttempt("INV-AHEAD").orElseThrow();
            java.time.Instant due = a.nextReversalAt().plus(FakeHost.ANSWERED);
            assertTrue(a.nextReversalAt().isAfter(java.time.Instant.now()), "the next try is ahead");
            assertEquals(due, t.engine.result(a).retryAfter());
            PaymentResult locked = t.engine.sale("INV-AHEAD", 900, null);
            assertEquals(PaymentStatus.LOCKED, locked.status(), locked.message());
            assertEquals(due, locked.retryAfter());
        }
    }

    /** A cancelled approval whose reversal is not through yet says the customer is still charged, not "Not approved". */
    @Test
    void aCancelledApprovalAwaitingItsReversalSaysTheChargeStands() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = terminal(host, (req, sent) -> req.mti().startsWith("040"))) { // the reversal goes unanswered
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-CANCEL", 700, null).status());
            PaymentResult r = t.engine.reverse("INV-CANCEL");
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(r.message().startsWith("Approved by the host (auth ") && r.message().contains(
                    "then cancelled: the customer stays charged until the reversal goes through"), r.message());
        }
    }

    /** A 00 the terminal did not trust (its MAC failed) is no approval: the pending message does not say "Approved". */
    @Test
    void anUntrustedApprovalAwaitingItsReversalIsNotCalledApproved() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            ISOMsg resp = h.answer(req, "00");
            byte[] mac = MessageView.of(resp).mac().orElseThrow();
            mac[0] ^= 1;
            resp.set(64, mac);
            return resp;
        }); TestTerminal t = terminal(host, (req, sent) -> !"0200".equals(req.mti()))) { // the reversal goes unanswered
            PaymentResult r = t.engine.sale("INV-UNTRUSTED", 800, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(r.message().startsWith("Not approved: "), r.message());
        }
    }

    /** A cancel of a payment another terminal id made commits nothing: its reversal is that terminal's to send. */
    @Test
    void aCancelOfAnotherTerminalsPaymentChangesNothing() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-T2", 900, null).status());
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("j.db"));
                 java.sql.Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE attempts SET terminal_id = 'TALLY002' WHERE order_ref = 'INV-T2'"));
            }
            int sent = host.received.size();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.engine.reverse("INV-T2"));
            assertTrue(e.getMessage().contains("--terminal-id TALLY002") && e.getMessage().contains("nothing was done"),
                    e.getMessage());
            assertEquals(AttemptState.APPROVED, t.journal.lastAttempt("INV-T2").orElseThrow().state());
            assertEquals(sent, host.received.size(), "nothing sent");
        }
    }

    @Test
    void aResponseWhoseMacFailsIsReversedWithReasonA0() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            ISOMsg resp = h.answer(req, "00");
            if ("0200".equals(MessageView.of(req).mti())) {
                byte[] mac = MessageView.of(resp).mac().orElseThrow();
                mac[0] ^= 1;
                resp.set(64, mac);
            }
            return resp;
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            PaymentResult r = t.engine.sale("INV-MAC", 1234, null);
            assertEquals(PaymentStatus.REVERSED, r.status(), r.message());
            assertEquals("A0", r.attempt().reversalReason());
            List<MessageView> wire = host.received.stream().map(MessageView::of).toList();
            // a 00 whose MAC fails keeps the keys (only an A0/A1 says the host holds others: ReSignOnTest)
            assertEquals(List.of("0800", "0200", "0400"), wire.stream().map(MessageView::mti).toList());
            MessageView sale = wire.get(1);
            MessageView reversal = wire.get(2);
            assertEquals("A0", reversal.responseCode(), "field 39 of the 0400 carries the reason");
            assertEquals(sale.stan(), reversal.originalData().orElseThrow().stan(), "field 90 names the original");
            assertEquals(sale.transmissionDateTime(), reversal.originalData().orElseThrow().transmissionDateTime());
            assertEquals(sale.amount(), reversal.amount());
            // the request on the wire is the journaled attempt's: its STAN and local time and date
            assertEquals(r.attempt().stan(), sale.stan());
            assertEquals(r.attempt().localTime(), sale.message().getString(12));
            assertEquals(r.attempt().localDate(), sale.message().getString(13));
            assertEquals(r.attempt().transmissionTime(), sale.transmissionDateTime());
            assertEquals("INV-MAC", reversal.orderReference().orElseThrow());
            assertTrue(sale.pinBlock().isPresent(), "PIN block on the sale");
            assertTrue(dev.tally.spec.crypto.MessageMac.verify(sale.message(), host.macKey), "the sale is MACed");
            assertTrue(dev.tally.spec.crypto.MessageMac.verify(reversal.message(), host.macKey), "the reversal is MACed");
        }
    }

    @Test
    void reversalRepeatsAre0401WithTheSameReversalStanAndTheCounterIsPersisted() throws Exception {
        // sales get no answer; the first two reversals get none either, the third is acknowledged
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = terminal(host,
                     (req, sent) -> !req.mti().startsWith("040") || FakeHost.count(sent, "040") < 2)) {
            PaymentResult r = t.engine.sale("INV-REP", 500, "mc-1");
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status());
            assertEquals(PaymentStatus.LOCKED, t.engine.sale("INV-REP", 500, "mc-1").status());
            List<Attempt> left = t.engine.resolvePending();
            assertTrue(left.isEmpty(), left.toString());
            Attempt a = t.journal.lastAttempt("INV-REP").orElseThrow();
            assertEquals(AttemptState.REVERSED, a.state());
            assertEquals(3, a.reversalAttempts());
            List<MessageView> reversals = host.received.stream().map(MessageView::of)
                    .filter(v -> v.mti().startsWith("040")).toList();
            assertEquals(List.of("0400", "0401", "0401"), reversals.stream().map(MessageView::mti).toList());
            assertEquals(1, reversals.stream().map(MessageView::stan).distinct().count(), "one reversal STAN");
            assertEquals((int) a.reversalStan(), reversals.getFirst().stan());
        }
    }

    /** The order's reversal is due when the cashier tries again: run first, and once acknowledged the sale goes. */
    @Test
    void aSaleOnAnOrderWhoseReversalIsDueRunsItAndThenPays() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = terminal(host, FIRST_SALE_AND_ITS_FIRST_REVERSAL_LOST)) {
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-DUE", 700, null).status());
            PaymentResult again = t.engine.sale("INV-DUE", 700, null);
            assertEquals(PaymentStatus.APPROVED, again.status(), again.message());
            assertEquals(List.of("0800", "0200", "0400", "0401", "0200"),
                    host.received.stream().map(m -> MessageView.of(m).mti()).toList());
            assertEquals(List.of(AttemptState.REVERSED, AttemptState.APPROVED),
                    t.journal.attempts("INV-DUE").stream().map(Attempt::state).toList());
        }
    }

    /**
     * A one-shot sale sends the reversals due of earlier payments first, each waiting up to the timeout for its answer:
     * the till is told so before, not left silent for a minute or more (an operator took it for hung and killed it).
     */
    @Test
    void theTillIsToldBeforeDueReversalsAreSentAheadOfTheSale() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = terminal(host, FIRST_SALE_AND_ITS_FIRST_REVERSAL_LOST)) {
            List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
            t.engine.notesTo(notes::add);
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-DUE", 700, null).status());
            assertEquals(List.of(), notes, "nothing was due before the first sale");
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-NEXT", 700, null).status());
            assertEquals(1, notes.size(), notes.toString());
            assertTrue(notes.getFirst().matches("sending the reversal due of earlier payments first \\(order INV-DUE\\):"
                    + " it waits up to \\d+ m?s for the host's answer"), notes.getFirst());
        }
    }

    @Test
    void aSignOnRequiredAnswerDeclinesAndTheNextSaleSignsOnAgain() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            long sales = h.received.stream().filter(m -> "0200".equals(MessageView.of(m).mti())).count();
            return h.answer(req, sales == 1 ? "A1" : "00");
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            PaymentResult first = t.engine.sale("INV-A1", 100, null);
            assertEquals(PaymentStatus.DECLINED, first.status());
            assertEquals("A1", first.responseCode());
            PaymentResult second = t.engine.sale("INV-A1", 100, null);
            assertEquals(PaymentStatus.APPROVED, second.status(), second.message());
            assertEquals(List.of("0800", "0200", "0800", "0200"),
                    host.received.stream().map(m -> MessageView.of(m).mti()).toList());
        }
    }

    @Test
    void aDuplicateTransmissionAnswerIsReversedToBeSure() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "0200".equals(MessageView.of(req).mti()) ? "94" : "00"));
             TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            PaymentResult r = t.engine.sale("INV-94", 100, null);
            assertEquals(PaymentStatus.REVERSED, r.status());
            assertEquals("06", r.attempt().reversalReason());
        }
    }

    /**
     * An answer with a code the catalogue does not know (08 "honour with identification" is an approval in ISO
     * 8583:1987) is reversed, and the cashier is told so plainly; the order is paid again only once nothing stands.
     * Before, it was taken for a decline: no reversal, and the order took a second payment while the host may have held
     * the first debit (DESIGN.md §6).
     */
    @Test
    void anAnswerWithACodeTheCatalogueDoesNotKnowIsReversedNotDeclined() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "0200".equals(MessageView.of(req).mti())
                && FakeHost.count(h.received.stream().map(MessageView::of).toList(), "0200") == 1 ? "08" : "00"));
             TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            PaymentResult r = t.engine.sale("INV-08", 1234, null);
            assertEquals(PaymentStatus.REVERSED, r.status(), r.message());
            assertEquals("08", r.responseCode());
            assertEquals("06", r.attempt().reversalReason());
            assertEquals("Not approved: the bank answered code 08, which this terminal does not know: the payment was"
                    + " reversed to be sure and nothing stands. The order may be paid again.", r.message());
            assertTrue(t.journal.events(r.attempt().id()).stream().anyMatch(e -> e.detail().equals("0210 answered 08:"
                    + " the bank answered code 08, which this terminal does not know: the payment is reversed to be sure")));
            assertEquals(List.of("0800", "0200", "0400"), host.received.stream().map(m -> MessageView.of(m).mti()).toList());
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-08", 1234, null).status());
        }
    }

    /** Its reversal not acknowledged yet, a sale answered with an unknown code is uncertain and locked, not declined. */
    @Test
    void anAnswerWithAnUnknownCodeAwaitingItsReversalSaysSoAndLocksTheOrder() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "0200".equals(MessageView.of(req).mti()) ? "10" : "00"));
             TestTerminal t = terminal(host, (req, sent) -> req.mti().startsWith("040"))) { // the reversal goes unanswered
            PaymentResult r = t.engine.sale("INV-10", 1234, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(r.message().startsWith("Outcome unknown: the bank answered code 10, which this terminal does not"
                    + " know: the payment is reversed to be sure (1 tried") && r.message().endsWith(
                    "The order is locked until the reversal goes through."), r.message());
            assertEquals(PaymentStatus.LOCKED, t.engine.sale("INV-10", 1234, null).status());
        }
    }

    /**
     * {@code tally serve} with session keys held: the host goes away (the shared link sees its connection
     * close), then a sale. Nothing of it can be sent, so nothing is written: HostUnavailableException (503 /
     * exit 69), no attempt, the order free. It used to be journaled SENT, then locked behind a reversal.
     */
    @Test
    void inServeModeASaleToAHostThatWentAwayWritesNothingAndLocksNothing() throws Exception {
        FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
        try (TestTerminal t = TestTerminal.shared(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            try {
                assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-UP", 100, null).status(), "signed on, keys held");
            } finally {
                host.close();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (t.channel.isConnected()) { // the shared link's reader sees the connection close
                assertTrue(System.nanoTime() < deadline, "the link never noticed the host went away");
                Thread.sleep(10); // polling interval, not a wait for an outcome
            }
            assertTrue(t.session.hasKeys());
            List<Attempt> before = t.journal.attempts(null);

            HostUnavailableException e = assertThrows(HostUnavailableException.class,
                    () -> t.engine.sale("INV-DOWN", 100, null));
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage()); // gone, not half-there
            assertEquals(before, t.journal.attempts(null), "no attempt written");
            assertTrue(t.journal.liveAttempt("INV-DOWN").isEmpty(), "the order is not locked");
        }
    }

    /**
     * A one-shot sale of an order locked behind its pending reversal, with the host gone: the cashier is told the order
     * is locked and why, and that the host cannot be reached, as serve tells it. It was only "cannot reach the host"
     * (exit 69), which left the cashier guessing whether the order could be taken again. An order that is not locked
     * still gets HostUnavailableException: nothing of it was written.
     */
    @Test
    void aLockedOrderIsToldWhyItIsLockedWhenTheHostIsDownNotOnlyThatTheHostIs() throws Exception {
        FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
        try (TestTerminal t = terminal(host, (req, sent) -> "0200".equals(req.mti()) || req.mti().startsWith("040"))) {
            try {
                PaymentResult first = t.engine.sale("INV-LOCK", 100, null);
                assertEquals(PaymentStatus.REVERSAL_PENDING, first.status(), first.message());
            } finally {
                host.close();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (t.channel.isConnected()) { // the link's reader sees the connection close
                assertTrue(System.nanoTime() < deadline, "the link never noticed the host went away");
                Thread.sleep(10); // polling interval, not a wait for an outcome
            }
            List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
            t.engine.notesTo(notes::add);
            PaymentResult again = t.engine.sale("INV-LOCK", 100, null);
            assertEquals(PaymentStatus.LOCKED, again.status(), again.message());
            assertEquals(List.of(), notes, "nothing was sent: the till is not told 'sending the reversal due'");
            assertTrue(again.message().contains("a reversal is pending")
                    && again.message().contains("; the host cannot be reached now ("), again.message());
            assertEquals(AttemptState.REVERSAL_PENDING, t.journal.lastAttempt("INV-LOCK").orElseThrow().state());
            assertThrows(HostUnavailableException.class, () -> t.engine.sale("INV-FREE", 100, null));
            assertTrue(t.journal.liveAttempt("INV-FREE").isEmpty(), "nothing of it written");
        }
    }

    /**
     * The due reversals run before a sale may settle the order's own reversal and then meet the host gone on another
     * order's: the sale is not answered LOCKED from the order as it was read before (a reversal "pending" that just went
     * through, a refusal on the trail of a REVERSED attempt), but as any sale to a host out of reach: nothing written.
     */
    @Test
    void aLockedOrderWhoseReversalWentThroughBeforeTheHostWentIsNotAnsweredLocked() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED, NOW,
                     Clock.systemDefaultZone(), link -> new HostChannel.Forwarding() {
                         @Override
                         public HostChannel link() {
                             return link;
                         }

                         @Override
                         public void connect() {
                             if (down.get()) {
                                 throw new HostUnavailableException("cannot reach the host at " + address(), null);
                             }
                             link.connect();
                         }

                         @Override
                         public Exchange exchange(ISOMsg request, Duration timeout) {
                             String mti = MessageView.of(request).mti();
                             if (!armed.get() && (mti.equals("0200") || mti.startsWith("040"))) {
                                 return new Exchange.NoAnswer("lost (test)"); // both sales and their first tries
                             }
                             Exchange answered = link.exchange(request, timeout);
                             if (armed.get() && mti.startsWith("040")) {
                                 down.set(true); // the first due reversal is answered, then the host is gone
                             }
                             return answered;
                         }
                     })) {
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-OWN", 100, null).status());
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-OTHER", 100, null).status());
            armed.set(true);
            // due in id order: INV-OWN's reversal goes through, INV-OTHER's meets the host gone
            assertThrows(HostUnavailableException.class, () -> t.engine.sale("INV-OWN", 100, null));
            assertEquals(AttemptState.REVERSED, t.journal.lastAttempt("INV-OWN").orElseThrow().state());
            assertEquals(AttemptState.REVERSAL_PENDING, t.journal.lastAttempt("INV-OTHER").orElseThrow().state());
            assertTrue(t.journal.events(t.journal.lastAttempt("INV-OWN").orElseThrow().id()).stream()
                    .noneMatch(AttemptEvent::isRefusal), "no LOCKED refusal on the trail of a reversed attempt");
        }
    }

    /**
     * The host MACs its answer with the keys the request came under. Keys that change while the request is
     * out (another payment's A0/A1 drops them, serve signs on again) say nothing about that answer: an
     * approval MACed under the sale's keys is approved, not reversed as a MAC failure.
     */
    @Test
    void anApprovalMacedUnderTheSalesKeysStandsWhenTheSessionKeysChangeMeanwhile() throws Exception {
        AtomicReference<TestTerminal> terminal = new AtomicReference<>();
        try (FakeHost host = new FakeHost((h, req) -> {
            terminal.get().session.invalidateKeys(); // as another payment's A1 would, while this one is out
            return h.answer(req, "00");
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            terminal.set(t);
            PaymentResult r = t.engine.sale("INV-KEYS", 1234, null);
            assertEquals(PaymentStatus.APPROVED, r.status(), r.message());
            assertEquals(AttemptState.APPROVED, t.journal.find(r.attempt().id()).orElseThrow().state());
            assertEquals(List.of("0800", "0200"), host.received.stream().map(m -> MessageView.of(m).mti()).toList(),
                    "no reversal");
        }
    }

    /**
     * SPEC.md §5: every answer to a MACed request carries a MAC, except an A1. A decline with its MAC stripped on the
     * way (the host approved: the debit stands) is not trusted and is reversed, as is an A1, which nothing shows the
     * host wrote; the order may be paid again only once that reversal is acknowledged. Before, both were taken as
     * declines ("nothing charged, the order may be paid again"): a retry charged the card twice. A status or balance
     * answer without a MAC is not trusted either.
     */
    @Test
    void aDeclineOrAnA1WithoutAMacIsNotTrustedAndIsReversed() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            MessageView v = MessageView.of(req);
            if (!"0200".equals(v.mti()) && !"0100".equals(v.mti())) {
                return h.answer(req, "00");
            }
            String order = v.orderReference().orElse("");
            ISOMsg resp = "0100".equals(v.mti())
                    ? MessageBuilder.responseTo(req).responseCode("00").rrn("000000000043").build()
                    : h.answer(req, order.equals("INV-A1") ? "A1" : "05");
            resp.unset(new int[] {64, 128});
            return resp;
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            for (String order : List.of("INV-05", "INV-A1")) {
                PaymentResult r = t.engine.sale(order, 1234, null);
                assertEquals(PaymentStatus.REVERSED, r.status(), r.message());
                assertEquals("A0", r.attempt().reversalReason());
                String why = t.journal.events(r.attempt().id()).stream().map(e -> e.detail())
                        .filter(d -> d.contains("without a MAC")).findFirst().orElse("");
                assertTrue(why.startsWith("0210 answered " + (order.equals("INV-A1") ? "A1" : "05"))
                        && why.endsWith("without a MAC: not trusted, reversing"), why);
            }
            StatusReport s = t.engine.hostView(t.journal.lastAttempt("INV-05").orElseThrow());
            assertEquals("the host's answer carries no MAC: not trusted", s.hostProblem());
            InquiryResult i = t.engine.inquiry(null);
            assertFalse(i.answered(), i.message());
            assertEquals("the host's answer carries no MAC: not trusted", i.message());
        }
    }

    /**
     * A sale sent whose outcome the journal cannot record (its disk full; here a trigger makes SQLite roll the write
     * back) is reported as uncertain: REVERSAL_PENDING, "may have been charged", "do not take another payment", and
     * the order stays locked. Before, the cashier got the journal's "journal change failed and was rolled back" (HTTP
     * 500), which read as "nothing happened" for a sale the host had charged. Once the journal takes writes again,
     * the sweep reverses it.
     */
    @Test
    void aSaleWhoseOutcomeTheJournalCannotRecordIsReportedUncertainAndReversedLater() throws Exception {
        Path file = dir.resolve("j.db");
        try (FakeHost host = new FakeHost((h, req) -> {
            if ("0200".equals(MessageView.of(req).mti())) {
                try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                     java.sql.Statement st = c.createStatement()) {
                    st.execute("CREATE TRIGGER full_disk BEFORE UPDATE OF state ON attempts"
                            + " BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full (test)'); END");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            return h.answer(req, "00");
        }); TestTerminal t = new TestTerminal(file, host.port(), Duration.ofSeconds(10), NOW)) {
            // the host writes the journal before it answers: room for a slow disk's fsync
            PaymentResult r = t.engine.sale("INV-FULL", 1234, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(r.message().startsWith("Outcome unknown: the request went to the host") && r.message().contains(
                    "(database or disk is full (test))") && r.message().contains("may have been charged")
                    && r.message().contains("do not take another payment for it"), r.message());
            assertEquals(AttemptState.SENT, t.journal.find(r.attempt().id()).orElseThrow().state());
            assertEquals(PaymentStatus.LOCKED, t.engine.sale("INV-FULL", 1234, null).status(), "the order stays locked");
            t.engine.reversalsRunInBackground(); // as in serve: what GET /v1/payments/{orderId} answers meanwhile
            PaymentResult asked = t.engine.result(t.journal.find(r.attempt().id()).orElseThrow());
            assertEquals(PaymentStatus.REVERSAL_PENDING, asked.status(), "what the POST said, not IN_PROGRESS");
            assertTrue(asked.message().startsWith("Outcome unknown"), asked.message());

            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                 java.sql.Statement st = c.createStatement()) {
                st.execute("DROP TRIGGER full_disk");
            }
            t.engine.reverseAbandonedSales();
            t.engine.resolvePending(); // what the background loop does in serve
            assertEquals(AttemptState.REVERSED, t.journal.find(r.attempt().id()).orElseThrow().state());
        }
    }

    /** A full disk at the reversal counter's write: {@code file}'s journal refuses it until {@link #diskFreed}. */
    private static void diskFullAtTheReversalCounter(Path file) {
        diskFullAt(file, "UPDATE OF reversal_attempts ON attempts");
    }

    /** From now on the journal refuses {@code change} (a trigger's event, e.g. {@code UPDATE OF x ON attempts}) as a full disk. */
    private static void diskFullAt(Path file, String change) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER full_disk BEFORE " + change
                    + " BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full (test)'); END");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void diskFreed(Path file) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             java.sql.Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER full_disk");
        }
    }

    /**
     * A sale gone unanswered is REVERSAL_PENDING; its first reversal try, run inline, cannot be recorded (a full disk
     * at the counter's write). The cashier hears the journal's state: uncertain, being reversed, the order locked.
     * Before, the try's JournalException escaped the sale: "journal change failed and was rolled back" (HTTP 500),
     * which reads as "nothing happened" for a sale the host may have charged.
     */
    @Test
    void aSaleWhoseFirstReversalTryCannotBeRecordedIsReportedPendingNotRolledBack() throws Exception {
        Path file = dir.resolve("j.db");
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = terminal(host, (req, sent) -> {
                 if ("0200".equals(req.mti())) {
                     diskFullAtTheReversalCounter(file); // the host may have charged it: its answer is lost
                     return true;
                 }
                 return false;
             })) {
            PaymentResult r = t.engine.sale("INV-FULL-REV", 1234, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(r.message().contains("the outcome is unknown and a reversal is pending")
                    && r.message().contains("The order is locked") && !r.message().contains("rolled back"), r.message());
            assertEquals(AttemptState.REVERSAL_PENDING, t.journal.find(r.attempt().id()).orElseThrow().state());
            assertEquals(0, t.journal.find(r.attempt().id()).orElseThrow().reversalAttempts(), "the try was given back");
            assertTrue(t.journal.events(r.attempt().id()).getLast().detail().startsWith("reversal not sent: ")
                    && t.journal.events(r.attempt().id()).getLast().detail().contains("database or disk is full (test)"));
            assertEquals(PaymentStatus.LOCKED, t.engine.sale("INV-FULL-REV", 1234, null).status(), "the order stays locked");

            diskFreed(file);
            t.engine.resolvePending();
            assertEquals(AttemptState.REVERSED, t.journal.find(r.attempt().id()).orElseThrow().state());
        }
    }

    /** A MACed 0210 without field 39 says nothing of what the host did: reversed, and the trail says so in words. */
    @Test
    void anAnswerWithoutAResponseCodeIsReversedAndSaidSo() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            ISOMsg m = h.answer(req, "00");
            if ("0200".equals(MessageView.of(req).mti())) {
                m.unset(39);
                dev.tally.spec.crypto.MessageMac.apply(m, h.macKey);
            }
            return m;
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            PaymentResult r = t.engine.sale("INV-NO-39", 1234, null);
            List<String> trail = t.journal.events(r.attempt().id()).stream().map(e -> e.detail()).toList();
            assertTrue(trail.contains("0210 without a response code (field 39): what the host did is not known,"
                    + " reversing to be sure"), trail.toString());
            assertFalse(trail.toString().contains("null"), trail.toString());
            assertEquals(AttemptState.REVERSED, t.journal.find(r.attempt().id()).orElseThrow().state());
        }
    }

    /**
     * The first reversal try goes out and is answered 00, and the journal refuses its REVERSED (a full disk): the trail
     * says the try went out and what came of it was not recorded, not "reversal not sent" (which the report reads as a
     * reversal the terminal could not build: ask the acquirer). The next try repeats it and closes the order.
     */
    @Test
    void aReversalTryThatWentOutButCouldNotBeRecordedIsNotedAsSentAndRepeated() throws Exception {
        Path file = dir.resolve("j.db");
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = terminal(host, (req, sent) -> {
                 if ("0200".equals(req.mti())) {
                     diskFullAt(file, "UPDATE OF state ON attempts WHEN NEW.state = 'REVERSED'");
                     return true;
                 }
                 return false;
             })) {
            PaymentResult r = t.engine.sale("INV-FULL-ACK", 1234, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertEquals(List.of("0800", "0200", "0400"), host.received.stream().map(m -> MessageView.of(m).mti()).toList());
            String last = t.journal.events(r.attempt().id()).getLast().detail();
            assertTrue(last.startsWith("what came of reversal try 1, which went out, could not be recorded in the journal")
                    && last.contains("database or disk is full (test)"), last);
            diskFreed(file);
            t.engine.resolvePending();
            assertEquals(AttemptState.REVERSED, t.journal.find(r.attempt().id()).orElseThrow().state());
            assertEquals("0401", MessageView.of(host.received.getLast()).mti(), "the next try is the repeat");
        }
    }

    /**
     * A cancel at the till is committed, and the reversal's first try cannot be recorded (a full disk): the cashier
     * hears that the cancel stands and the reversal is pending. Before, "journal change failed and was rolled back"
     * (HTTP 500) for a cancel that was committed.
     */
    @Test
    void aCancelWhoseReversalTryCannotBeRecordedIsReportedPendingNotRolledBack() throws Exception {
        Path file = dir.resolve("j.db");
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = new TestTerminal(file, host.port(), Duration.ofSeconds(2), NOW)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-FULL-CANCEL", 700, null).status());
            diskFullAtTheReversalCounter(file);
            PaymentResult r = t.engine.reverse("INV-FULL-CANCEL");
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(r.message().startsWith("Approved by the host (auth ") && r.message().contains(
                    "then cancelled: the customer stays charged until the reversal goes through"), r.message());
            assertEquals(List.of("0800", "0200"), host.received.stream().map(m -> MessageView.of(m).mti()).toList(),
                    "no reversal left");
            // asked again, the pending reversal's try meets the full disk too: its state, not the journal's failure
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.reverse("INV-FULL-CANCEL").status());

            diskFreed(file);
            t.engine.resolvePending();
            assertEquals(AttemptState.REVERSED, t.journal.find(r.attempt().id()).orElseThrow().state());
        }
    }

    /**
     * A sale being reversed whose journal cannot even be read after the reversal's try (its table gone while the 0400
     * was out): the uncertain outcome, the order locked, and a log line without the card number; never the journal's
     * failure.
     */
    @Test
    void aSaleBeingReversedWhoseJournalCannotBeReadIsReportedUncertain() throws Exception {
        Path file = dir.resolve("j.db");
        String pan = TestCards.bundled().defaultCard().pan();
        try (StdErrTee logged = StdErrTee.start();
             FakeHost host = new FakeHost((h, req) -> {
            if ("0400".equals(MessageView.of(req).mti())) {
                try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                     java.sql.Statement st = c.createStatement()) {
                    st.execute("ALTER TABLE attempts RENAME TO attempts_unreadable");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            return h.answer(req, "00");
        }); TestTerminal t = terminal(host, (req, sent) -> "0200".equals(req.mti()))) {
            PaymentResult r = t.engine.sale("INV-UNREADABLE", 1234, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(r.message().startsWith("Outcome unknown: the request went to the host")
                    && r.message().contains("may have been charged") && r.message().contains("The order is locked"),
                    r.message());
            // the reversal is committed: it is not said to be unrecorded, only unread
            assertTrue(r.message().contains(" and the journal holds it as being reversed, but could not be read back (")
                    && r.message().contains("its reversal goes on as soon as the journal works again")
                    && !r.message().contains("could not record"), r.message());
            String log = logged.text();
            assertTrue(log.contains("order INV-UNREADABLE STAN " + r.attempt().stanText()
                    + ": being reversed, but the journal could not be read"), log);
            assertFalse(log.contains(pan), "the full card number is never logged");

            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                 java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT state FROM attempts_unreadable WHERE id = "
                         + r.attempt().id())) {
                assertTrue(rs.next());
                assertEquals("REVERSAL_PENDING", rs.getString(1), "locked, its reversal left to the loop");
            }
        }
    }

    /**
     * A sale gone unanswered whose first reversal try finds the host out of reach, and whose note of that cannot be
     * written (a full disk): still REVERSAL_PENDING, locked, with a log line that names no card number. Before, the
     * note's JournalException escaped the sale as the journal's "rolled back".
     */
    @Test
    void aSaleWhoseReversalFindsNoHostAndCannotBeNotedIsReportedPending() throws Exception {
        Path file = dir.resolve("j.db");
        String pan = TestCards.bundled().defaultCard().pan();
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        try (StdErrTee logged = StdErrTee.start();
             FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(file, host.port(), FakeHost.ANSWERED, NOW, Clock.systemDefaultZone(),
                     link -> new dev.tally.terminal.host.HostChannel.Forwarding() {
                         @Override
                         public dev.tally.terminal.host.HostChannel link() {
                             return link;
                         }

                         @Override
                         public void connect() {
                             if (gone.get()) { // the host went away while the sale waited, and the disk filled up
                                 try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                                      java.sql.Statement st = c.createStatement()) {
                                     st.execute("CREATE TRIGGER IF NOT EXISTS full_disk BEFORE INSERT ON attempt_events"
                                             + " BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full (test)'); END");
                                 } catch (java.sql.SQLException e) {
                                     throw new IllegalStateException(e);
                                 }
                                 throw new HostUnavailableException("cannot reach the host at " + address(), null);
                             }
                             link.connect();
                         }

                         @Override
                         public dev.tally.terminal.host.Exchange exchange(ISOMsg request, Duration timeout) {
                             if ("0200".equals(MessageView.of(request).mti())) {
                                 gone.set(true);
                                 return new dev.tally.terminal.host.Exchange.NoAnswer("no answer (test)");
                             }
                             return link.exchange(request, timeout);
                         }
                     })) {
            PaymentResult r = t.engine.sale("INV-NO-NOTE", 1234, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(r.message().contains("a reversal is pending") && r.message().contains("The order is locked"),
                    r.message());
            assertEquals(AttemptState.REVERSAL_PENDING, t.journal.find(r.attempt().id()).orElseThrow().state());
            String log = logged.text();
            assertTrue(log.contains("(order INV-NO-NOTE): reversal not sent now: cannot reach the host at ")
                    && log.contains("the note could not be written"), log);
            assertFalse(log.contains(pan), "the full card number is never logged");
        }
    }

    /**
     * The answer to a sale whose attempt another hand settled meanwhile (a second tally process's recovery on the same
     * journal reversed it) is noted as late and the journal's state is what the cashier hears. Before, recording the
     * approval failed ("is REVERSAL_PENDING; it cannot go to APPROVED") and the cashier API answered HTTP 500.
     */
    @Test
    void anAnswerToASaleSettledMeanwhileElsewhereIsNotedAsLate() throws Exception {
        AtomicReference<TestTerminal> terminal = new AtomicReference<>();
        try (FakeHost host = new FakeHost((h, req) -> {
            if ("0200".equals(MessageView.of(req).mti())) {
                Journal j = terminal.get().journal;
                Attempt sent = j.liveAttempt("INV-LATE").orElseThrow();
                j.reverseUnanswered(sent.id(), "98", java.time.Instant.now(), "recovery by another process").orElseThrow();
            }
            return h.answer(req, "00");
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(10), NOW)) {
            // the host writes the journal before it answers: room for a slow disk's fsync
            terminal.set(t);
            PaymentResult r = t.engine.sale("INV-LATE", 1234, null);
            assertEquals(PaymentStatus.REVERSED, r.status(), r.message());
            assertTrue(t.journal.events(r.attempt().id()).stream().anyMatch(e -> e.detail().startsWith(
                    "late: the host's answer (answered 00) came after the attempt had become REVERSAL_PENDING elsewhere")));
        }
    }

    /**
     * A copy of the approval that reaches the journal before the sale's own answer (serve's shared link notes a
     * duplicate on its reader thread, at times before the sale records the first copy) is noted as such: the sale
     * ends APPROVED, and its trail speaks of no reversal. It said "a late approval does not make it APPROVED, its
     * reversal undoes the charge" on an approved sale no reversal followed.
     */
    @Test
    void aCopyOfTheApprovalNotedWhileTheSaleIsSentSpeaksOfNoReversal() throws Exception {
        AtomicReference<TestTerminal> terminal = new AtomicReference<>();
        try (FakeHost host = new FakeHost((h, req) -> {
            ISOMsg answer = h.answer(req, "00");
            if ("0200".equals(MessageView.of(req).mti())) {
                new LateAnswers(terminal.get().journal).accept((ISOMsg) answer.clone()); // the copy that came first
            }
            return answer;
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(10), NOW)) {
            terminal.set(t);
            PaymentResult r = t.engine.sale("INV-COPY", 1234, null);
            assertEquals(PaymentStatus.APPROVED, r.status(), r.message());
            List<String> trail = t.journal.events(r.attempt().id()).stream().map(e -> e.detail()).toList();
            assertTrue(trail.contains("late or duplicate 0210 (STAN " + r.attempt().stanText() + ", rc 00) ignored: the"
                    + " attempt is SENT; a second copy of the answer (duplicate or early): the sale's own answer decides"
                    + " its outcome"), String.join("\n", trail));
            assertTrue(trail.stream().noneMatch(d -> d.contains("reversal")), String.join("\n", trail));
        }
    }

    /**
     * A late approval of a sale being reversed is noted with the reversal that undoes the charge; so is a late code the
     * catalogue does not know (08, 10: the engine reverses a sale answered so, as it may be a charge). A late decline
     * gets the plain note.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            00 | ; a late approval does not make it APPROVED, its reversal undoes the charge
            08 | ; a late answer with code 08, which this terminal does not know, may mean a charge: its reversal undoes any charge
            10 | ; a late answer with code 10, which this terminal does not know, may mean a charge: its reversal undoes any charge
            05 | ''
            """)
    void aLateAnswerOfASaleBeingReversedIsNotedWithItsReversalWhenItMayBeACharge(String rc, String said) throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = terminal(host, (req, sent) -> !"0800".equals(req.mti()))) { // nothing answered
            PaymentResult r = t.engine.sale("INV-LATE-" + rc, 1234, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            ISOMsg sale = host.received.stream().filter(m -> "0200".equals(MessageView.of(m).mti())).findFirst().orElseThrow();
            new LateAnswers(t.journal).accept(host.answer(sale, rc));
            assertEquals("late or duplicate 0210 (STAN " + r.attempt().stanText() + ", rc " + rc + ") ignored: the attempt"
                    + " is REVERSAL_PENDING" + said, t.journal.events(r.attempt().id()).getLast().detail());
        }
    }

    /**
     * A journal SQLite finds damaged at a sale's first write (the STAN index's pages overwritten, which nothing reads
     * before it) is the damaged journal's own words (stop, keep it, restore it), not "send the payment again once the
     * journal takes writes", which the sale's first-write failure says of a full disk. Nothing is sent.
     */
    @Test
    void aJournalFoundDamagedAtASalesFirstWriteIsSaidSoAndNothingIsSent() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, Clock.systemUTC())) {
            for (int i = 0; i < 400; i++) {
                Attempt a = j.openSent(new dev.tally.terminal.journal.NewAttempt("TALLY001", "HOSPITAL0000001", "FILL-" + i,
                        dev.tally.terminal.journal.AttemptKind.SALE, 100, "840", java.time.LocalDateTime.now(),
                        "4761739001010119", "476173******0119"), String.format("1122%06d", i), x -> x).attempt();
                j.approve(a, "00", String.format("%012d", i), "A12345", "approved");
            }
        }
        List<Integer> pages = new java.util.ArrayList<>();
        int pageSize;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             java.sql.Statement st = c.createStatement()) {
            try (java.sql.ResultSet rs = st.executeQuery("SELECT pageno FROM dbstat WHERE name = 'attempts_by_stan'")) {
                while (rs.next()) {
                    pages.add(rs.getInt(1));
                }
            }
            try (java.sql.ResultSet rs = st.executeQuery("PRAGMA page_size")) {
                pageSize = rs.getInt(1);
            }
        }
        assertFalse(pages.isEmpty());
        byte[] db = java.nio.file.Files.readAllBytes(file);
        for (int p : pages) {
            java.util.Arrays.fill(db, (p - 1) * pageSize + 8, (p - 1) * pageSize + 72, (byte) 0xA7);
        }
        java.nio.file.Files.write(file, db);
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = new TestTerminal(file, host.port(), Duration.ofSeconds(5), NOW)) {
            dev.tally.terminal.journal.JournalDamagedException e = assertThrows(
                    dev.tally.terminal.journal.JournalDamagedException.class, () -> t.engine.sale("INV-DAMAGED", 1234, null));
            assertTrue(e.getMessage().contains("is damaged") && !e.getMessage().contains("send the payment again"),
                    e.getMessage());
            assertTrue(host.received.stream().noneMatch(m -> "0200".equals(MessageView.of(m).mti())), "nothing sent");
        }
    }

    /** A second answer with a code the catalogue does not know, of a sale the host declined first, is sent to the acquirer. */
    @Test
    void anUnknownCodeAfterADeclineIsNotedForTheAcquirer() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "0200".equals(MessageView.of(req).mti()) ? "05" : "00"));
             TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(10), NOW)) {
            PaymentResult r = t.engine.sale("INV-05-08", 1234, null);
            assertEquals(PaymentStatus.DECLINED, r.status(), r.message());
            ISOMsg sale = host.received.stream().filter(m -> "0200".equals(MessageView.of(m).mti())).findFirst().orElseThrow();
            new LateAnswers(t.journal).accept(host.answer(sale, "08"));
            assertEquals("late or duplicate 0210 (STAN " + r.attempt().stanText() + ", rc 08) ignored: the attempt is"
                    + " DECLINED; an answer with code 08, which this terminal does not know and which may mean a charge,"
                    + " of a sale recorded DECLINED, which no reversal follows: check it with the acquirer",
                    t.journal.events(r.attempt().id()).getLast().detail());
        }
    }

    /**
     * In serve, GET reads an attempt, asks the host (which takes a while), then words the result: an attempt read
     * SENT whose POST has recorded its approval meanwhile is reported as it stands now, APPROVED. It was taken for an
     * abandoned sale: "Outcome unknown ... reversed", which the cashier API presents as not paid.
     */
    @Test
    void anAttemptReadWhileSentIsReportedAsItStandsNowNotAsAbandoned() throws Exception {
        AtomicReference<TestTerminal> terminal = new AtomicReference<>();
        AtomicReference<Attempt> readWhileSent = new AtomicReference<>();
        try (FakeHost host = new FakeHost((h, req) -> {
            if ("0200".equals(MessageView.of(req).mti())) {
                readWhileSent.set(terminal.get().journal.liveAttempt("INV-RACE").orElseThrow());
            }
            return h.answer(req, "00");
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            terminal.set(t);
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-RACE", 1234, null).status());
            assertEquals(AttemptState.SENT, readWhileSent.get().state());
            t.engine.reversalsRunInBackground(); // as in serve
            assertEquals(PaymentStatus.APPROVED, t.engine.result(readWhileSent.get()).status());
        }
    }

    /** The same for the status inquiry and the balance inquiry: their answers are checked under their request's keys. */
    @Test
    void statusAndBalanceAnswersMacedUnderTheRequestsKeysAreTrustedWhenTheSessionKeysChangeMeanwhile() throws Exception {
        AtomicReference<TestTerminal> terminal = new AtomicReference<>();
        try (FakeHost host = new FakeHost((h, req) -> {
            MessageView v = MessageView.of(req);
            if ("0200".equals(v.mti())) {
                return h.answer(req, "00");
            }
            terminal.get().session.invalidateKeys();
            ISOMsg resp = MessageBuilder.responseTo(req).responseCode("00").rrn("000000000043").build();
            MessageMac.apply(resp, h.macKey);
            return resp;
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            terminal.set(t);
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-ST", 100, null).status());
            StatusReport s = t.engine.status("INV-ST");
            assertEquals(null, s.hostProblem());
            assertEquals("00", s.hostResponseCode());
            InquiryResult i = t.engine.inquiry(null);
            assertTrue(i.answered(), i.message());
            assertEquals("00", i.responseCode());
        }
    }

    /**
     * A host whose 0810 approves the sign-on but carries key blocks that are not P + 38 hex + M + 38 hex:
     * the host's fault, a sign-on failure (exit 69 / 503) with nothing written, not the cashier's bad input
     * (exit 64 / 400, which the IllegalArgumentException of the decoder used to become).
     */
    @Test
    void malformedKeyBlocksInTheSignOnAnswerAreASignOnFailureNotBadInput() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"))) {
            host.signOnWith(req -> {
                ISOMsg resp = host.signOn(req);
                resp.set(61, "P" + "Z".repeat(77));
                return resp;
            });
            try (TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
                SignOnException e = assertThrows(SignOnException.class, () -> t.engine.sale("INV-61", 100, null));
                assertTrue(e.getMessage().contains("field 61"), e.getMessage());
                assertTrue(t.journal.attempts(null).isEmpty());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream er = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                exit = TallyCli.run(new String[] {"--host", "127.0.0.1", "--port", String.valueOf(host.port()),
                        "--journal", dir.resolve("cli.db").toString(), "--timeout", "2", "--json",
                        "sale", "--order", "INV-61", "--amount", "1.00"}, o, er, Clock.systemDefaultZone());
            }
            assertEquals(69, exit, out + " / " + err);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("field 61"), err.toString(StandardCharsets.UTF_8));
            assertEquals(List.of(), host.received.stream().map(m -> MessageView.of(m).mti()).filter(m -> !"0800".equals(m)).toList(),
                    "nothing but sign-ons sent");
        }
    }

    /**
     * A cashier system polling an order: the host is asked at most once in {@link PaymentEngine#HOST_VIEW_REUSE} while
     * the attempt stays as it is (its last answer repeated), and again after it; an answer is never repeated for an
     * attempt in another state. Every poll was a status inquiry with a STAN and a journal note of its own.
     */
    @Test
    void aPolledOrderAsksTheHostOnceInFiveSeconds() throws Exception {
        dev.tally.spec.testing.MovableClock clock = new dev.tally.spec.testing.MovableClock(java.time.Instant.now());
        java.util.concurrent.atomic.AtomicBoolean withStatus = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (FakeHost host = new FakeHost((h, req) -> {
            if (MessageView.of(req).type().orElseThrow() != MessageType.STATUS_INQUIRY || !withStatus.get()) {
                return h.answer(req, "00"); // without withStatus: an answer with no status in it (not reused)
            }
            ISOMsg resp = MessageBuilder.responseTo(req).responseCode("00").statusAnswer(new dev.tally.spec.message.StatusAnswer(
                    dev.tally.spec.message.StatusAnswer.OriginalState.APPROVED, "00", 100,
                    dev.tally.spec.message.StatusAnswer.CreditState.PENDING, java.time.LocalDate.of(2026, 11, 25))).build();
            MessageMac.apply(resp, h.macKey);
            return resp;
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED, NOW, clock)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-POLL", 100, null).status());
            java.util.function.Supplier<Long> inquiries = () -> host.received.stream()
                    .filter(m -> MessageView.of(m).type().orElseThrow() == MessageType.STATUS_INQUIRY).count();
            StatusReport first = t.engine.status("INV-POLL");
            assertEquals("00", first.hostResponseCode());
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofMillis(900));
                StatusReport again = t.engine.status("INV-POLL");
                assertEquals("00", again.hostResponseCode(), "the host's last answer, repeated");
                assertEquals(AttemptState.APPROVED, again.attempt().state());
            }
            assertEquals(1, inquiries.get(), "one inquiry in 4.5 s of polling");
            clock.advance(Duration.ofMillis(600));
            t.engine.status("INV-POLL");
            assertEquals(2, inquiries.get(), "asked again once 5 s have passed");
            // an answer that says nothing of the sale (here no field 48) is not reused: asked at every call
            withStatus.set(false);
            clock.advance(Duration.ofSeconds(6));
            t.engine.status("INV-POLL");
            t.engine.status("INV-POLL");
            assertEquals(4, inquiries.get(), "not reused");
            // cancelled within the 5 s: another state, not the answer about the approval (REVERSED is not asked about)
            assertEquals(PaymentStatus.REVERSED, t.engine.reverse("INV-POLL").status());
            StatusReport reversed = t.engine.status("INV-POLL");
            assertEquals(AttemptState.REVERSED, reversed.attempt().state());
            assertEquals(null, reversed.hostResponseCode(), "a reversed order: nothing to ask, nothing repeated");
            assertEquals(4, inquiries.get());
        }
    }

    /** A status answer whose field 48 is not the status of SPEC.md §4.5 is the host's problem, reported as such. */
    @Test
    void aMalformedStatusAnswerIsAHostProblemNotBadInput() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            if (MessageView.of(req).type().orElseThrow() != MessageType.STATUS_INQUIRY) {
                return h.answer(req, "00");
            }
            ISOMsg resp = MessageBuilder.responseTo(req).responseCode("00").build();
            resp.set(48, "STATE=MAYBE;RC=00");
            MessageMac.apply(resp, h.macKey);
            return resp;
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-48", 100, null).status());
            StatusReport s = t.engine.status("INV-48");
            assertTrue(s.hostProblem() != null && s.hostProblem().contains("malformed"), String.valueOf(s.hostProblem()));
            assertEquals(null, s.hostAnswer());
            assertEquals(AttemptState.APPROVED, s.attempt().state(), "a status answer never changes the attempt");
            assertTrue(t.journal.events(s.attempt().id()).stream().anyMatch(ev -> String.valueOf(ev.detail()).contains("malformed")),
                    "recorded on the attempt's audit trail");
        }
    }

    /** A balance answer whose field 54 does not parse is not trusted: no balance, not the cashier's bad input. */
    @Test
    void aMalformedBalanceIsNotTrustedNotBadInput() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            ISOMsg resp = MessageBuilder.responseTo(req).responseCode("00").rrn("000000000043").build();
            resp.set(54, "0002840X000000001234");
            MessageMac.apply(resp, h.macKey);
            return resp;
        }); TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            InquiryResult i = t.engine.inquiry(null);
            assertEquals(false, i.answered(), i.message());
            assertEquals(null, i.balance());
            assertTrue(i.message().contains("malformed"), i.message());
        }
    }

    @Test
    void anUnknownCardIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), Duration.ofSeconds(2), NOW)) {
            assertThrows(UnknownCardException.class, () -> t.engine.sale("INV-X", 100, "nosuch"));
            assertThrows(IllegalArgumentException.class, () -> t.engine.sale("INV-X", 0, null));
            assertThrows(IllegalArgumentException.class, () -> t.engine.sale("bad id", 100, null));
            assertTrue(t.journal.attempts(null).isEmpty());
            assertTrue(host.received.isEmpty());
        }
    }

    /**
     * A status inquiry names its sale by the terminal id that sent it (SPEC.md §4.5). A till signed on as another id
     * (tills sharing a journal, or an operator's {@code tally pending} without the till's --terminal-id) asked under its
     * own id: the host answered NOT_FOUND for a sale that stands, the answer went on the sale's trail, and a later
     * {@code pending --close --outcome not-charged} with the host out of reach took it as the host's last word and
     * closed the order REVERSED over a standing debit (the order could then be charged again). It is not asked.
     */
    @Test
    void aSaleOfAnotherTerminalIdIsNotAskedAboutUnderThisOne() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = new TestTerminal(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED, NOW,
                     Clock.systemDefaultZone())) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("INV-OTHER-TILL", 100, null).status());
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("j.db"));
                 java.sql.Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE attempts SET terminal_id = 'TALLY002'"
                        + " WHERE order_ref = 'INV-OTHER-TILL'"));
            }
            host.received.clear();
            Attempt a = t.journal.lastAttempt("INV-OTHER-TILL").orElseThrow();
            int events = t.journal.events(a.id()).size();

            StatusReport r = t.engine.status("INV-OTHER-TILL");
            assertEquals(null, r.hostAnswer(), "no view of the host: it was not asked");
            assertTrue(r.hostProblem() != null && r.hostProblem().contains("TALLY002")
                    && r.hostProblem().contains("--terminal-id TALLY002"), r.hostProblem());
            StatusReport v = t.engine.hostView(a);
            assertEquals(null, v.hostAnswer());
            String inquiry = MessageType.STATUS_INQUIRY.spec().requestMti();
            assertTrue(host.received.stream().noneMatch(m -> MessageView.of(m).mti().equals(inquiry)),
                    "no status inquiry under TALLY001 for TALLY002's sale");
            assertEquals(events, t.journal.events(a.id()).size(), "nothing noted on its trail");
        }
    }
}
