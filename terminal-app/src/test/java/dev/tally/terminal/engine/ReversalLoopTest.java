package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.message.MessageView;
import dev.tally.spec.testing.MovableClock;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostChannel;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reversal policy as data, and the loop honouring it on a clock the test moves. */
class ReversalLoopTest {

    /**
     * Whether a reversal try left the terminal is read from the events after it; a refused request's event between them
     * (a cashier's retry, told LOCKED in words that may quote " did not leave: ") says nothing of the try.
     */
    @Test
    void aRefusalBetweenATryAndItsFateIsPassedOver() {
        Instant at = Instant.parse("2026-11-22T10:41:07Z");
        var sent = new dev.tally.terminal.journal.AttemptEvent(1, at, AttemptState.REVERSAL_PENDING,
                AttemptState.REVERSAL_PENDING, "0400 sent with reversal STAN 000005");
        var refusal = new dev.tally.terminal.journal.AttemptEvent(1, at, AttemptState.REVERSAL_PENDING,
                AttemptState.REVERSAL_PENDING, dev.tally.terminal.journal.AttemptEvent.REFUSED + "sale of 1.00 840, nothing"
                + " sent; the cashier was told: LOCKED: ... last try: 0400" + ReversalLoop.DID_NOT_LEAVE + "broken pipe");
        var givenBack = new dev.tally.terminal.journal.AttemptEvent(1, at, AttemptState.REVERSAL_PENDING,
                AttemptState.REVERSAL_PENDING, "0400" + ReversalLoop.DID_NOT_LEAVE + "broken pipe");
        assertTrue(ReversalLoop.left(List.of(sent, refusal), 0), "the refusal gave the try back");
        assertEquals(false, ReversalLoop.left(List.of(sent, refusal, givenBack), 0), "the try's own event is still read");
    }

    @TempDir
    Path dir;

    /** How long an exchange the fake host leaves unanswered waits ({@link FakeHost#silentTo}). */
    static final Duration SILENCE = Duration.ofMillis(600);
    /** The sale is not answered: a reversal follows. */
    static final BiPredicate<MessageView, List<MessageView>> SALE_UNANSWERED = (req, sent) -> "0200".equals(req.mti());

    /** A terminal whose sales {@code host} leaves unanswered, its reversals tried at once, three times. */
    private TestTerminal saleUnanswered(FakeHost host) {
        return TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                new ReversalPolicy(3, Duration.ZERO, 2.0, Duration.ZERO), Clock.systemDefaultZone(),
                link -> host.silentTo(link, SILENCE, SALE_UNANSWERED));
    }

    @Test
    void backoffDoublesUpToItsCeiling() {
        ReversalPolicy p = new ReversalPolicy(5, Duration.ofSeconds(10), 2.0, Duration.ofSeconds(30));
        assertEquals(Duration.ofSeconds(10), p.delayAfter(1));
        assertEquals(Duration.ofSeconds(20), p.delayAfter(2));
        assertEquals(Duration.ofSeconds(30), p.delayAfter(3));
        assertEquals(Duration.ofSeconds(30), p.delayAfter(4));
        assertTrue(p.exhausted(5));
        assertEquals(Duration.ofMinutes(5), ReversalPolicy.of(3, Duration.ofSeconds(10)).maxInterval());
    }

    @Test
    void aRepeatIsSentOnlyWhenItIsDue() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:41:00Z"));
        ReversalPolicy policy = new ReversalPolicy(3, Duration.ofSeconds(10), 2.0, Duration.ofMinutes(5));
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED, policy, clock,
                     link -> host.silentTo(link, SILENCE, // the sale and the first two reversals go unanswered
                             (req, sent) -> !req.mti().startsWith("040") || FakeHost.count(sent, "040") < 2))) {
            PaymentResult r = t.engine.sale("INV-DUE", 100, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status());
            assertEquals(clock.instant().plusSeconds(10), r.attempt().nextReversalAt());

            assertTrue(t.engine.runDueReversals().isEmpty(), "not due yet");
            PaymentResult locked = t.engine.sale("INV-DUE", 100, null);
            assertEquals(PaymentStatus.LOCKED, locked.status());
            assertTrue(locked.message().endsWith("retry after 10:42"), locked.message());

            clock.advance(Duration.ofSeconds(10));
            Attempt second = t.engine.runDueReversals().getFirst();
            assertEquals(2, second.reversalAttempts());
            assertEquals(clock.instant().plusSeconds(20), second.nextReversalAt(), "the interval doubles");

            clock.advance(Duration.ofSeconds(19));
            assertTrue(t.engine.runDueReversals().isEmpty());
            clock.advance(Duration.ofSeconds(1));
            assertEquals(AttemptState.REVERSED, t.engine.runDueReversals().getFirst().state());
            assertEquals(3, host.received.stream().filter(m -> MessageView.of(m).mti().startsWith("040")).count());
        }
    }

    /**
     * A reversal whose write fails (the shared link was already broken: "Broken pipe") never reached the host, so it
     * is not a try: with one try allowed, the order stays REVERSAL_PENDING (it used to end REVERSAL_FAILED), and the
     * next try, due after the policy's interval, is the 0400 the host never saw, not a 0401 repeat.
     */
    @Test
    void aReversalWhoseWriteFailedIsNotCountedAndTheNextTryIsStillThe0400() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:41:00Z"));
        AtomicBoolean pipeBroken = new AtomicBoolean(true);
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                     new ReversalPolicy(1, Duration.ofSeconds(10), 2.0, Duration.ofMinutes(5)), clock,
                     link -> new FailingWrites(host.silentTo(link, SILENCE, (req, sent) -> "0200".equals(req.mti())),
                             pipeBroken))) {
            PaymentResult r = t.engine.sale("INV-PIPE", 100, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            Attempt a = t.journal.lastAttempt("INV-PIPE").orElseThrow();
            assertEquals(AttemptState.REVERSAL_PENDING, a.state());
            assertEquals(0, a.reversalAttempts(), "a reversal that did not leave is given back");
            assertEquals(clock.instant().plusSeconds(10), a.nextReversalAt());
            String note = t.journal.events(a.id()).getLast().detail();
            assertTrue(note.startsWith("reversal try 1 did not leave: could not send 0400") && note.contains("not counted"),
                    note);
            assertEquals(List.of("0800", "0200"), host.received.stream().map(m -> MessageView.of(m).mti()).toList());

            pipeBroken.set(false);
            clock.advance(Duration.ofSeconds(10));
            Attempt reversed = t.engine.runDueReversals().getFirst();
            assertEquals(AttemptState.REVERSED, reversed.state());
            assertEquals(1, reversed.reversalAttempts());
            assertEquals(List.of("0800", "0200", "0400"), host.received.stream().map(m -> MessageView.of(m).mti()).toList());

            // what reads the audit trail counts the one reversal that left, not the "sent" event of the one given back
            var events = t.journal.events(a.id());
            var report = new dev.tally.terminal.support.ProblemReport.Case(reversed, events, List.of());
            String description = new dev.tally.terminal.support.ProblemReport(new dev.tally.terminal.support.ProblemReport
                    .Context("M", "TALLY001", null, null, null, "test", "127.0.0.1", "j.db", null, clock.instant(),
                    java.time.ZoneOffset.UTC), "order INV-PIPE", List.of(report)).description(report);
            assertTrue(description.contains("reversal sent 1 time,"), description);
            long replayed = dev.tally.terminal.support.Recording.fromJournal(dir.resolve("j.db"), clock).requests().stream()
                    .filter(rec -> rec.view().mti().startsWith("040")).count();
            assertEquals(1, replayed, "a replay from the journal sends only the reversal that left");
        }
    }

    /** A write that fails again right after one was given back counts: a link that breaks at every write is no passing break. */
    @Test
    void aSecondWriteFailureInARowIsCounted() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:41:00Z"));
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                     new ReversalPolicy(1, Duration.ofSeconds(10), 2.0, Duration.ofMinutes(5)), clock,
                     link -> new FailingWrites(host.silentTo(link, SILENCE, (req, sent) -> true), new AtomicBoolean(true)))) {
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-PIPES", 100, null).status());
            Attempt a = t.journal.lastAttempt("INV-PIPES").orElseThrow();
            assertEquals(0, a.reversalAttempts(), "the first is given back");
            clock.advance(Duration.ofSeconds(10));
            Attempt second = t.engine.runDueReversals().getFirst();
            assertEquals(AttemptState.REVERSAL_FAILED, second.state(), "the second in a row counts: 1 of 1");
            assertEquals(1, second.reversalAttempts());
        }
    }

    /**
     * A reversal whose try was recorded as sent, and then the link could not be had (it dropped and will not reconnect,
     * or serve is stopping): nothing left, so the try is given back as a failed write is. It stayed "sent", counted,
     * with no outcome, and the next start sent a 0401 for a 0400 that never left.
     */
    @Test
    void aReversalThatFoundNoLinkAfterItsTryWasRecordedIsGivenBack() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:41:00Z"));
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                     new ReversalPolicy(1, Duration.ofSeconds(10), 2.0, Duration.ofMinutes(5)), clock,
                     link -> new FailingWrites(host.silentTo(link, SILENCE, (req, sent) -> true), new AtomicBoolean(true),
                             true))) {
            PaymentResult r = t.engine.sale("INV-GONE", 100, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            Attempt a = t.journal.lastAttempt("INV-GONE").orElseThrow();
            assertEquals(0, a.reversalAttempts(), "nothing left: the try is given back");
            String note = t.journal.events(a.id()).getLast().detail();
            assertTrue(note.startsWith("reversal try 1 did not leave: cannot reach the host") && note.contains("not counted"),
                    note);
        }
    }

    /**
     * A link whose writes of reversals fail while {@code broken} is set, as a connection the host already closed; or,
     * {@code unreachable}, whose reversals find no connection at all (HostUnavailableException: nothing sent).
     */
    private record FailingWrites(HostChannel link, AtomicBoolean broken, boolean unreachable)
            implements HostChannel.Forwarding {

        FailingWrites(HostChannel link, AtomicBoolean broken) {
            this(link, broken, false);
        }

        @Override
        public Exchange exchange(ISOMsg request, Duration timeout) {
            String mti = MessageView.of(request).mti();
            if (mti.startsWith("040") && broken.get() && unreachable) {
                throw new dev.tally.terminal.host.HostUnavailableException("cannot reach the host at " + address()
                        + ": connection refused", null);
            }
            if (mti.startsWith("040") && broken.get()) {
                return Exchange.Broken.sendFailed("could not send " + mti + " to " + address() + ": Broken pipe",
                        new java.net.SocketException("Broken pipe"));
            }
            return link.exchange(request, timeout);
        }
    }

    /**
     * One reversal that cannot be built (its stored card number is gone) neither holds back the other orders'
     * reversals nor the sale that runs them first: its reason is noted on it, once, and its order stays locked.
     */
    @Test
    void aReversalThatCannotBeBuiltIsNotedOnItsAttemptAndTheOthersAndTheSaleGoOn() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:41:00Z"));
        AtomicBoolean answering = new AtomicBoolean(false);
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                     new ReversalPolicy(3, Duration.ofSeconds(10), 2.0, Duration.ofMinutes(5)), clock,
                     link -> host.silentTo(link, SILENCE, (req, sent) -> !answering.get()))) {
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-BROKEN", 100, null).status());
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-GOOD", 200, null).status());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("j.db"));
                 Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE attempts SET pan_encrypted = NULL WHERE order_ref = 'INV-BROKEN'"));
            }
            answering.set(true);
            clock.advance(Duration.ofSeconds(10));

            PaymentResult next = t.engine.sale("INV-NEXT", 300, null);
            assertEquals(PaymentStatus.APPROVED, next.status(), next.message());
            assertEquals(AttemptState.REVERSED, t.journal.lastAttempt("INV-GOOD").orElseThrow().state(),
                    "the other order's reversal went");
            Attempt broken = t.journal.lastAttempt("INV-BROKEN").orElseThrow();
            assertEquals(AttemptState.REVERSAL_PENDING, broken.state());
            assertEquals(1, broken.reversalAttempts(), "nothing was sent for it, nothing counted");
            String note = t.journal.events(broken.id()).getLast().detail();
            assertTrue(note.startsWith("reversal not sent: ") && note.contains("no encrypted PAN stored"), note);
            assertEquals(PaymentStatus.LOCKED, t.engine.sale("INV-BROKEN", 100, null).status());

            t.engine.runDueReversals();
            assertEquals(1, t.journal.events(broken.id()).stream().filter(e -> e.detail().equals(note)).count(),
                    "the same reason is noted once");
            assertEquals(List.of("0800", "0200", "0400", "0200", "0400", "0401", "0200"),
                    host.received.stream().map(m -> MessageView.of(m).mti()).toList());
        }
    }

    /**
     * A reversal goes out under the keys of the terminal that made the sale. Logical terminals sharing a journal
     * ({@code tally load --journal}) each reverse their own attempts: before, each sent every terminal's due
     * reversals, MACed under its own keys (the host answers A0, a try counted) or twice at once. A till run with
     * another --terminal-id is told which id to use.
     */
    @Test
    void aTerminalReversesOnlyItsOwnAttemptsAndNamesTheTerminalOfAnother() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:41:00Z"));
        AtomicBoolean answering = new AtomicBoolean(false);
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "00"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                     new ReversalPolicy(3, Duration.ofSeconds(10), 2.0, Duration.ofMinutes(5)), clock,
                     link -> host.silentTo(link, SILENCE, (req, sent) -> !answering.get()))) {
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-OTHER", 100, null).status());
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("INV-MINE", 200, null).status());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("j.db"));
                 Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE attempts SET terminal_id = 'TALLY002' WHERE order_ref = 'INV-OTHER'"));
            }
            answering.set(true);
            clock.advance(Duration.ofSeconds(10));
            host.received.clear();

            PaymentResult next = t.engine.sale("INV-NEXT", 300, null);
            assertEquals(PaymentStatus.APPROVED, next.status(), next.message());
            assertEquals(AttemptState.REVERSED, t.journal.lastAttempt("INV-MINE").orElseThrow().state());
            Attempt other = t.journal.lastAttempt("INV-OTHER").orElseThrow();
            assertEquals(AttemptState.REVERSAL_PENDING, other.state(), "TALLY002's reversal is left to TALLY002");
            assertEquals(1, other.reversalAttempts(), "no try counted for it");
            assertEquals(List.of("0401", "0200"), host.received.stream().map(m -> MessageView.of(m).mti()).toList());
            assertTrue(t.engine.runDueReversals().isEmpty(), "nothing of this terminal's is due");
            PaymentResult locked = t.engine.sale("INV-OTHER", 100, null);
            assertEquals(PaymentStatus.LOCKED, locked.status());
            assertTrue(locked.message().contains("belongs to terminal TALLY002") && locked.retryAfter() == null,
                    locked.message());

            t.engine.resolvePending(); // the operator asks for every reversal: the other terminal's is noted, not sent
            String note = t.journal.events(other.id()).getLast().detail();
            assertTrue(note.contains("made by terminal TALLY002") && note.contains("--terminal-id TALLY002"), note);
            IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> t.engine.reverse("INV-OTHER"));
            assertTrue(refused.getMessage().contains("signs on as TALLY001"), refused.getMessage());
            assertEquals(List.of("0401", "0200"), host.received.stream().map(m -> MessageView.of(m).mti()).toList());
            assertEquals(1, t.journal.find(other.id()).orElseThrow().reversalAttempts());
        }
    }

    /** SPEC.md §5: a 0410 is MACed. An acknowledgement without a MAC does not unlock the order. */
    @Test
    void aReversalAcknowledgedWithoutAMacIsNotTrustedAndIsTriedAgain() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            ISOMsg ack = h.answer(req, "00");
            long reversals = h.received.stream().filter(m -> MessageView.of(m).mti().startsWith("040")).count();
            if (reversals == 1) {
                ack.unset(new int[] {64, 128}); // the first acknowledgement comes without its MAC (128: field 90 is there)
            }
            return ack;
        }); TestTerminal t = saleUnanswered(host)) {
            PaymentResult r = t.engine.sale("INV-NOMAC", 100, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertTrue(t.journal.events(r.attempt().id()).getLast().detail()
                    .contains("0410 answered 00 without a MAC: not trusted"), r.message());
            assertEquals(AttemptState.REVERSED, t.engine.runDueReversals().getFirst().state(), "the MACed repeat ends it");
        }
    }

    /** An acknowledgement whose MAC does not verify (damaged on the way, or not the host's) does not unlock the order. */
    @Test
    void aReversalAcknowledgedUnderAMacThatFailsIsNotTrustedAndIsTriedAgain() throws Exception {
        try (FakeHost host = new FakeHost((h, req) -> {
            ISOMsg ack = h.answer(req, "00");
            if (FakeHost.count(h.received.stream().map(MessageView::of).toList(), "040") == 1) {
                int field = dev.tally.spec.crypto.MessageMac.macField(ack);
                byte[] mac = ack.getBytes(field);
                mac[0] ^= 1;
                ack.set(field, mac);
            }
            return ack;
        }); TestTerminal t = saleUnanswered(host)) {
            PaymentResult r = t.engine.sale("INV-BADMAC", 100, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, r.status(), r.message());
            assertEquals("reversal try 1: 0410 answered 00 but its MAC did not verify: not trusted; next try at",
                    t.journal.events(r.attempt().id()).getLast().detail().replaceFirst(" at .*", " at"));
            assertEquals(AttemptState.REVERSED, t.engine.runDueReversals().getFirst().state(), "the MACed repeat ends it");
        }
    }

    /** A 0410 MACed under the keys its 0400 went with is trusted though the session's keys changed meanwhile. */
    @Test
    void aReversalAnswerMacedUnderTheReversalsKeysIsTrustedWhenTheSessionKeysChangeMeanwhile() throws Exception {
        AtomicReference<TestTerminal> terminal = new AtomicReference<>();
        try (FakeHost host = new FakeHost((h, req) -> {
            terminal.get().session.invalidateKeys(); // as another payment's A1 would, while the 0400 is out
            return h.answer(req, "00");
        }); TestTerminal t = saleUnanswered(host)) {
            terminal.set(t);
            PaymentResult r = t.engine.sale("INV-RK", 100, null);
            assertEquals(PaymentStatus.REVERSED, r.status(), r.message());
            assertEquals(1, r.attempt().reversalAttempts());
            assertEquals(List.of("0800", "0200", "0400"), host.received.stream().map(m -> MessageView.of(m).mti()).toList());
        }
    }

    /**
     * A reversal the host answers with a refusal (96) is told as that, not as a reversal that could not be delivered:
     * support looks for the acquirer's fault, not the network's. The pending one says what its last try got too, and
     * its next try's time rounded up to the second, as the trail's note and {@code tally pending} show it (it was cut
     * down: 11:41:00 for a try due at 11:41:00.400).
     */
    @Test
    void aReversalTheHostRefusesIsToldAsARefusal() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:41:00.400Z"));
        try (FakeHost host = new FakeHost((h, req) -> h.answer(req, "96"));
             TestTerminal t = TestTerminal.wrapped(dir.resolve("j.db"), host.port(), FakeHost.ANSWERED,
                     new ReversalPolicy(2, Duration.ofHours(1), 2.0, Duration.ofHours(1)), clock,
                     link -> host.silentTo(link, SILENCE, SALE_UNANSWERED))) {
            PaymentResult pending = t.engine.sale("INV-R96", 2222, null);
            assertEquals(PaymentStatus.REVERSAL_PENDING, pending.status(), pending.message());
            String nextAt = pending.attempt().nextReversalAt().plusMillis(600).atZone(clock.getZone())
                    .format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss"));
            assertTrue(pending.message().contains("(1 tried, last try: 0410 answered 96 (System malfunction), next at "
                    + nextAt + ")"), nextAt + " in " + pending.message());
            Attempt left = t.journal.find(pending.attempt().id()).orElseThrow();
            PaymentResult failed = t.engine.result(t.engine.reversals().attemptOnce(left));
            assertEquals(PaymentStatus.REVERSAL_FAILED, failed.status(), failed.message());
            assertTrue(failed.message().contains("the reversal was not acknowledged after 2 tries (last try: 0410 answered 96"
                    + " (System malfunction))."), failed.message());
        }
    }
}
