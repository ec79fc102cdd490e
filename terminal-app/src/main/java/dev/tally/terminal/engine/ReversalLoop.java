package dev.tally.terminal.engine;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.format.Masking;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OrderReference;
import dev.tally.spec.message.OriginalData;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.host.SharedHostLink;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.journal.Journal;
import dev.tally.terminal.journal.JournalException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when the host does not answer (DESIGN.md §4 "Reversal loop", SPEC.md §4.6): an attempt in
 * REVERSAL_PENDING is reversed with a 0400, then 0401 repeats carrying the same reversal STAN and field
 * 90 naming the original sale. The counter goes up in the journal before each transmission, and comes back
 * down when the write itself failed (nothing the host could act on left). 00 or 25 ends it REVERSED; after
 * {@link ReversalPolicy#maxAttempts()} unanswered tries it is REVERSAL_FAILED and its order stays locked until
 * a later reversal (forced by {@link #runAll()}) goes through.
 */
public final class ReversalLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ReversalLoop.class);
    /**
     * How the audit trail says a reversal try was given back (its write failed: nothing left). The "sent" event before
     * it was written before the send, as every transmission's is; readers that count transmissions skip such a pair.
     */
    public static final String DID_NOT_LEAVE = " did not leave: ";

    /** A reversal transmission's event, as {@link #sendOnce} writes it before the send: its MTI and reversal STAN. */
    public static final Pattern REVERSAL_SENT = Pattern.compile("^(0400|0401 repeat) sent with reversal STAN (\\d{6})");

    /**
     * Whether the reversal whose "sent" event is {@code events.get(i)} left the terminal: not when the events after it,
     * up to the next transmission, give the try back (its write failed). What counts transmissions (the problem report,
     * a replay from the journal) asks this rather than counting "sent" events.
     */
    public static boolean left(List<AttemptEvent> events, int i) {
        for (int k = i + 1; k < events.size(); k++) {
            if (events.get(k).isRefusal()) {
                continue; // a refused request's event quotes what the cashier was told, never a try's fate
            }
            String d = events.get(k).detail();
            if (REVERSAL_SENT.matcher(d).find()) {
                return true;
            }
            if (d.contains(DID_NOT_LEAVE)) {
                return false;
            }
        }
        return true;
    }
    private static final DateTimeFormatter MMDDHHMMSS = DateTimeFormatter.ofPattern("MMddHHmmss");

    private final Journal journal;
    private final HostSession session;
    private final ReversalPolicy policy;
    private final Clock clock;
    private final Set<Long> inProgress = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public ReversalLoop(Journal journal, HostSession session, ReversalPolicy policy, Clock clock) {
        this.journal = journal;
        this.session = session;
        this.policy = policy;
        this.clock = clock;
    }

    public ReversalPolicy policy() {
        return policy;
    }

    public Journal journal() {
        return journal;
    }

    /** Whether any of this terminal's reversals is due now (so a caller knows whether it needs the host). */
    public boolean anyDue() {
        return journal.reversalDue(clock.instant(), session.terminalId());
    }

    /**
     * Whether the attempt is this terminal's to reverse. A reversal goes out under the session keys of the terminal
     * that made the sale (the host checks its MAC under field 41's keys), so several logical terminals sharing one
     * journal ({@code tally load --journal}) each reverse their own attempts, and never each other's twice at once.
     */
    private boolean own(Attempt a) {
        return a.terminalId().equals(session.terminalId());
    }

    /**
     * When a REVERSAL_FAILED attempt is tried again by {@code tally serve}'s background loop: the policy's longest
     * interval after its last try (DESIGN.md §4: a reversal is retried until acknowledged; the order stays locked).
     */
    public Instant failedRetryAt(Attempt a) {
        return a.updatedAt().plus(policy.maxInterval());
    }

    /**
     * When {@code tally serve}'s background loop next tries a REVERSAL_FAILED attempt: its slow retry, or now when that
     * is past (the host was down); empty for any other attempt, and for another terminal id's (left to that terminal).
     */
    public Optional<Instant> backgroundRetryAt(Attempt a) {
        if (a.state() != AttemptState.REVERSAL_FAILED || !own(a)) {
            return Optional.empty();
        }
        return Optional.of(notPast(failedRetryAt(a), clock));
    }

    /**
     * When the attempt's next reversal try is, as shown: serve's slow retry of a REVERSAL_FAILED one
     * ({@link #backgroundRetryAt}), or a REVERSAL_PENDING one's next try, now once that time has passed (the journal's
     * time stays put while the try is out or the host is out of reach); empty otherwise.
     */
    public Optional<Instant> nextTryShown(Attempt a) {
        if (a.state() == AttemptState.REVERSAL_PENDING) {
            return a.nextReversal().map(t -> notPast(t, clock));
        }
        return backgroundRetryAt(a);
    }

    /** {@code t}, or now when {@code t} is past: a time to do something is never shown gone by. */
    static Instant notPast(Instant t, Clock clock) {
        Instant now = clock.instant();
        return t.isBefore(now) ? now : t;
    }

    /** The REVERSAL_FAILED attempts whose slow retry ({@link #failedRetryAt}) is due now. */
    public List<Attempt> failedDue() {
        Instant now = clock.instant();
        return journal.inStates(Set.of(AttemptState.REVERSAL_FAILED)).stream()
                .filter(a -> own(a) && !failedRetryAt(a).isAfter(now)).toList();
    }

    /** The REVERSAL_PENDING attempts whose next try is due now (what {@link #anyDue} asks about). */
    public List<Attempt> due() {
        Instant now = clock.instant();
        return journal.inStates(Set.of(AttemptState.REVERSAL_PENDING)).stream()
                .filter(a -> own(a) && (a.nextReversalAt() == null || !a.nextReversalAt().isAfter(now))).toList();
    }

    /** One transmission for every pending reversal that is due; what became of each. */
    public List<Attempt> runDue() {
        return runDue(due());
    }

    /** One transmission for each of these pending reversals ({@link #due}, read by the caller); what became of each. */
    public List<Attempt> runDue(List<Attempt> due) {
        List<Attempt> done = new ArrayList<>();
        for (Attempt a : due) {
            attemptApart(a).ifPresent(done::add);
        }
        return done;
    }

    /**
     * One transmission for every pending or failed reversal, due or not (the operator asked). An attempt another
     * terminal id made is noted as such and left for that terminal ({@link #attemptOnce}).
     */
    public List<Attempt> runAll() {
        List<Attempt> done = new ArrayList<>();
        for (Attempt a : journal.inStates(Set.of(AttemptState.REVERSAL_PENDING, AttemptState.REVERSAL_FAILED))) {
            attemptApart(a).ifPresent(done::add);
        }
        return done;
    }

    /**
     * {@link #attemptOnce}, with a failure that is this attempt's alone kept to it: when its reversal cannot be
     * built or recorded (its stored card number gone, a field its message cannot carry), the reason is noted on the
     * attempt (once while it stays the same; {@code tally pending} and the report show it), logged, and the
     * other reversals, and the sale that asked for them, go on; the attempt stays as it was, its order locked.
     * A host that cannot be reached or refuses the sign-on stops the run: nothing of it could go.
     *
     * @return the attempt after its try; empty when it failed so
     */
    public Optional<Attempt> attemptApart(Attempt a) {
        try {
            return Optional.of(attemptOnce(a));
        } catch (HostUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            String why = Masking.scrub((e instanceof TryNotRecorded ? "" : "reversal not sent: ") + e.getMessage());
            LOG.warn("attempt {} (order {}): {}", a.id(), OrderReference.shown(a.orderRef()), why);
            try {
                if (!journal.lastEvent(a.id()).map(last -> last.detail().equals(why)).orElse(false)) {
                    journal.note(a.id(), why);
                }
            } catch (RuntimeException noting) {
                LOG.warn("attempt {}: the reason could not be noted in the journal: {}", a.id(), noting.getMessage());
            }
            return Optional.empty();
        }
    }

    /**
     * Sends the attempt's reversal once (0400 the first time, 0401 after) and records the outcome.
     * Throws {@link dev.tally.terminal.host.HostUnavailableException} when the host cannot be reached at
     * all; then nothing was sent and nothing counted.
     */
    public Attempt attemptOnce(Attempt attempt) {
        if (!own(attempt)) {
            throw new IllegalArgumentException("attempt " + attempt.id() + " (order " + OrderReference.shown(attempt.orderRef())
                    + ") was made by terminal " + attempt.terminalId() + " and this terminal signs on as "
                    + session.terminalId() + "; the host checks a reversal's MAC under the keys of the terminal that"
                    + " made the sale: reverse it with --terminal-id " + attempt.terminalId()
                    + " (e.g. 'tally --terminal-id " + attempt.terminalId() + " pending --resolve')");
        }
        // serve mode: the background loop and a payment's own first reversal may reach one attempt at once;
        // one of them sends, the other reports the state (a reversal STAN is never in flight twice)
        if (!inProgress.add(attempt.id())) {
            return journal.find(attempt.id()).orElseThrow();
        }
        try {
            return sendOnce(attempt);
        } finally {
            inProgress.remove(attempt.id());
        }
    }

    /**
     * Runs {@code work} while none of the attempt's reversals can be sent (an operator closing it: nothing of it goes
     * out between the host's view and the journal's change, and no acknowledgement lands on a closed attempt); empty,
     * nothing run, when a try of it is under way right now.
     */
    <T> Optional<T> whileNotSending(long attemptId, java.util.function.Supplier<T> work) {
        if (!inProgress.add(attemptId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(work.get());
        } finally {
            inProgress.remove(attemptId);
        }
    }

    private Attempt sendOnce(Attempt attempt) {
        Attempt a = journal.find(attempt.id()).orElseThrow();
        if (a.state() != AttemptState.REVERSAL_PENDING && a.state() != AttemptState.REVERSAL_FAILED) {
            return a;
        }
        HostSession.Signed signed = session.signed(); // the 0400's MAC and its answer's, under one sign-on
        session.channel().connect(); // a link that cannot be reached now counts no try (shared link: after a break)
        boolean repeat = a.reversalAttempts() > 0;
        ISOMsg msg = reversalOf(a, repeat, signed);
        int n = a.reversalAttempts() + 1;
        boolean failedBefore = a.state() == AttemptState.REVERSAL_FAILED;
        a = journal.reversalTransmitting(a.id(), (repeat ? "0401 repeat" : "0400") + " sent with reversal STAN "
                + String.format("%06d", a.reversalStan()) + ", reason " + a.reversalReason() + ", try " + n
                + (n <= policy.maxAttempts() ? " of " + policy.maxAttempts()
                : " (tried again until acknowledged; the " + ReversalPolicy.tries(policy.maxAttempts())
                + " allowed went unanswered)"));
        Exchange ex;
        try {
            ex = session.exchange(msg);
        } catch (HostUnavailableException e) {
            // nothing left (the link could not be had again since connect(), or serve is stopping): given back below
            // as a failed write is, not left "sent" with no outcome
            ex = new Exchange.Broken(e.getMessage(), true);
        }
        try {
            return recordTry(a, ex, signed, failedBefore);
        } catch (JournalException e) {
            // the reversal left: what came of it is not "not sent" (attemptApart's word for a reversal that could not be
            // built or counted), and the next try is a repeat the host answers as it answered this one
            // (worded not to start as a counted try's outcome, "reversal try N: ...", which the journal's readers parse)
            boolean left = !(ex instanceof Exchange.Broken b && b.linkBrokeOnWrite());
            throw new TryNotRecorded("what came of reversal try " + a.reversalAttempts() + (left ? ", which went out,"
                    : ", whose write to the host failed,") + " could not be recorded in the journal (the next try repeats"
                    + " it): " + e.getMessage(), e);
        }
    }

    /** A reversal try that left, whose outcome the journal refused: noted as it is, not as a reversal not sent. */
    private static final class TryNotRecorded extends JournalException {
        TryNotRecorded(String message, JournalException cause) {
            super(message, cause);
        }
    }

    /** What came of a reversal try that left, in the journal. */
    private Attempt recordTry(Attempt a, Exchange ex, HostSession.Signed signed, boolean failedBefore) {
        String failure;
        if (ex instanceof Exchange.Answered ans) {
            MessageView v = MessageView.of(ans.response());
            ResponseCode rc = v.response();
            signed.staleIfResign(rc);
            boolean macPresent = v.mac().isPresent();
            // why an answer ends the reversal or not: ReversalVerdict, which tally load --no-journal judges by too
            ReversalVerdict verdict = ReversalVerdict.of(v.responseCode(), macPresent,
                    macPresent && signed.verifies(ans.response()));
            if (verdict == ReversalVerdict.REVERSED) {
                return journal.reversed(a.id(), "0410 answered " + v.responseCode() + " (" + rc.meaning()
                        + "): nothing of the sale stands");
            }
            failure = "0410 answered " + v.responseCode() + switch (verdict) {
                case MAC_FAILED -> " but its MAC did not verify: not trusted";
                case MAC_MISSING -> " without a MAC: not trusted";
                case NOT_REVERSED, REVERSED -> " (" + rc.meaning() + ")";
            };
        } else if (ex instanceof Exchange.Broken b && b.linkBrokeOnWrite() && !givenBackJustBefore(a.id())) {
            // the write itself failed (the link was already broken): no whole message left, so the host has nothing
            // to act on; the try is given back, and the next is what this one would have been (a 0400 if none left).
            // Once: the next write failure in a row counts.
            Instant next = clock.instant().plus(a.state() == AttemptState.REVERSAL_FAILED ? policy.maxInterval()
                    : policy.delayAfter(Math.max(1, a.reversalAttempts() - 1)));
            return journal.reversalNotSent(a.id(), next, "reversal try " + a.reversalAttempts() + DID_NOT_LEAVE
                    + b.why() + "; not counted, next try at " + shown(next));
        } else {
            failure = HostSession.describe(ex);
        }
        // a try whose wait the terminal itself cut short (serve stopping) left, so it counts, but it is not the one that
        // gives up: the order is not left REVERSAL_FAILED by a restart; the next start tries again
        boolean cutByStop = ex instanceof Exchange.Broken b && SharedHostLink.CLOSED_BY_TERMINAL.equals(b.why());
        boolean exhausted = policy.exhausted(a.reversalAttempts()) && (failedBefore || !cutByStop);
        Instant next = exhausted ? null : clock.instant().plus(policy.delayAfter(a.reversalAttempts()));
        return journal.reversalUnanswered(a.id(), next, exhausted, "reversal try " + a.reversalAttempts() + ": "
                + failure + (!exhausted ? "; next try at " + shown(next)
                : failedBefore ? "; still REVERSAL_FAILED, the order stays locked until a reversal goes through"
                : "; giving up after " + ReversalPolicy.tries(a.reversalAttempts())
                + ": REVERSAL_FAILED, the order stays locked until a reversal goes through"));
    }

    /**
     * Whether the try before this one was given back too (its write failed): the event before this try's "sent" one
     * says so. Read only when a write failed, off the path of every other try. A link that breaks at every write is
     * no passing break: the second failure in a row counts.
     */
    private boolean givenBackJustBefore(long attemptId) {
        // a refused request written in between (RefusalTrail) is no event of the reversal's: looked past
        List<AttemptEvent> events = journal.events(attemptId).stream().filter(e -> !e.isRefusal()).toList();
        return events.size() >= 2 && events.get(events.size() - 2).detail().contains(DID_NOT_LEAVE);
    }

    /** An instant as the audit trail shows it: to the second, rounded up (never before it; the journal keeps ms). */
    private static String shown(Instant t) {
        return toTheSecondUp(t).toString();
    }

    /**
     * A next try's time as a person is shown it (the trail's note, {@code tally pending}): rounded up to the second,
     * "not before", so the two agree and a retry at the time shown is never early.
     */
    public static Instant toTheSecondUp(Instant t) {
        Instant s = t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return s.equals(t) ? s : s.plusSeconds(1);
    }

    private ISOMsg reversalOf(Attempt a, boolean repeat, HostSession.Signed signed) {
        String pan = journal.revealPan(a);
        ReversalReason reason = ReversalReason.ofCode(a.reversalReason()).orElse(ReversalReason.OTHER);
        // an attempt that died before it was marked SENT has no field 7: any value names "nothing sent" (25)
        String originalF7 = a.transmissionTime() != null ? a.transmissionTime()
                : a.createdAt().atZone(ZoneOffset.UTC).format(MMDDHHMMSS);
        ISOMsg msg = MessageBuilder.request(repeat ? MessageType.REVERSAL_REPEAT : MessageType.REVERSAL)
                .pan(pan)
                .amount(a.amount())
                .transmissionDateTime(clock.instant().atZone(ZoneOffset.UTC))
                .stan(a.reversalStan())
                .localTime(a.localTime())
                .localDate(a.localDate())
                .posEntryMode(PaymentEngine.POS_ENTRY_MODE)
                .posConditionCode(PaymentEngine.POS_CONDITION)
                .reversalReason(reason)
                .terminalId(a.terminalId())
                .merchantId(a.merchantId())
                .currency(a.currency())
                .orderReference(a.orderRef())
                .originalData(new OriginalData(MessageType.SALE.spec().requestMti(), a.stan(), originalF7))
                .build();
        signed.mac(msg);
        return msg;
    }
}
