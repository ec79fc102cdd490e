package dev.tally.terminal.engine;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.codes.TerminalAction;
import dev.tally.spec.format.Masking;
import dev.tally.spec.message.Balance;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OrderReference;
import dev.tally.spec.message.OriginalData;
import dev.tally.spec.message.StatusAnswer;
import dev.tally.terminal.card.CardData;
import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.Batch;
import dev.tally.terminal.journal.AttemptKind;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.journal.Journal;
import dev.tally.terminal.journal.JournalDamagedException;
import dev.tally.terminal.journal.JournalException;
import dev.tally.terminal.journal.NewAttempt;
import dev.tally.terminal.journal.OrderBusyException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal's transaction engine (DESIGN.md §4). A sale is journaled NEW, made durable as SENT, and
 * only then sent; its answer moves it to APPROVED or DECLINED, and anything else — no answer, a broken
 * link, a MAC that does not verify, a failure after sending — to REVERSAL_PENDING, which the
 * {@link ReversalLoop} works off. Due reversals run before every online command, as real terminals do.
 */
public final class PaymentEngine {

    private static final Logger log = LoggerFactory.getLogger(PaymentEngine.class);
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** field 7, MMDDhhmmss in UTC */
    private static final DateTimeFormatter F7 = DateTimeFormatter.ofPattern("MMddHHmmss");

    /** Field 22: key-entered by the lab reader, PIN capable (SPEC.md §2). */
    static final String POS_ENTRY_MODE = "011";
    /** Field 25: normal presentment. */
    static final String POS_CONDITION = "00";
    /** The largest amount a cashier may ask for: 999 999 999.99 in minor units. */
    public static final long MAX_AMOUNT = Amounts.MAX_MINOR;

    private final Journal journal;
    private final HostSession session;
    private final CardReader reader;
    private final TerminalProfile profile;
    private final ReversalLoop reversals;
    private final OrderLock lock;
    /** Refused payments on the audit trail of the attempt that holds the order, at most one per attempt a minute. */
    private final RefusalTrail refusals;
    private final Clock clock;
    /** {@link #notesTo}. */
    private java.util.function.Consumer<String> notes = note -> { };
    private volatile boolean reversalsInBackground;
    /**
     * Attempts of this process's sales from the moment their SENT commit is made until the sale has recorded
     * what became of them (or failed to): {@link #reverseAbandonedSales} leaves these alone.
     */
    private final SalesUnderWay salesUnderWay = new SalesUnderWay();

    public PaymentEngine(Journal journal, HostSession session, CardReader reader, TerminalProfile profile,
                         ReversalPolicy policy, Clock clock) {
        this.journal = journal;
        this.session = session;
        this.reader = reader;
        this.profile = profile;
        this.clock = clock;
        this.reversals = new ReversalLoop(journal, session, policy, clock);
        this.lock = new OrderLock(clock, profile.timeout(), profile.terminalId());
        this.refusals = new RefusalTrail(journal, clock);
    }

    /**
     * Writes a refusal made outside the engine (serve's "a request of this order is in progress": PaymentDesk) on the
     * audit trail of the attempt it names, as the engine's own refusals are; {@code asked}: what was refused, e.g.
     * {@link #asked(long)}. Returns {@code refusal}.
     */
    public PaymentResult recordRefusal(PaymentResult refusal, String asked) {
        return refusals.record(refusal, asked);
    }

    /** {@code refusal} of a sale of {@code amountMinor} with {@code card}, written on the order's audit trail. */
    private PaymentResult refused(PaymentResult refusal, long amountMinor, CardData card) {
        return refusals.record(refusal, RefusalTrail.sale(amountMinor, profile.currency(), card.maskedPan()));
    }

    /** "sale of 30.00 840": a refused request, as the audit trail names it when the card was not read. */
    public String asked(long amountMinor) {
        return RefusalTrail.sale(amountMinor, profile.currency(), null);
    }

    public ReversalLoop reversals() {
        return reversals;
    }

    /** The clock every time this engine records or promises comes from. */
    public Clock clock() {
        return clock;
    }

    public Journal journal() {
        return journal;
    }

    /** Recovery at start: attempts left NEW or SENT by a process that died become REVERSAL_PENDING (98). */
    public List<Attempt> recover() {
        return journal.recoverInFlight(ReversalReason.NO_RESPONSE.code(),
                "recovery: the process that sent it ended before the answer");
    }

    /**
     * In {@code tally serve} a background loop works off the reversals (engine.ReversalScheduler), so a
     * payment does not wait for other orders' reversals first.
     */
    public void reversalsRunInBackground() {
        reversalsInBackground = true;
        lock.failedRetriedInBackground(reversals::backgroundRetryAt);
    }

    /**
     * Where a one-shot command's notes to the person at the till go (standard error); none by default. Told before the
     * due reversals of earlier payments are sent ahead of what was asked: each waits up to the timeout for its answer,
     * and without a word the till looked stuck for a minute or more.
     */
    public void notesTo(java.util.function.Consumer<String> sink) {
        this.notes = sink;
    }

    /** Runs the reversals that are due; a host that cannot be reached leaves them pending. */
    public List<Attempt> runDueReversals() {
        if (reversalsInBackground || !reversals.anyDue()) {
            return List.of();
        }
        return runDueReversalsNoted();
    }

    /**
     * The reversals due now, run after the till is told ({@link #notesTo}), whether or not serve's loop runs them too:
     * a settlement works them off before its 0500 either way.
     */
    public List<Attempt> runDueReversalsNoted() {
        List<Attempt> due = reversals.due();
        if (!due.isEmpty()) {
            session.channel().connect(); // a host out of reach: nothing goes, so the till is not told "sending"
            notes.accept(dueReversalsNote(due, profile.timeout()));
        }
        return reversals.runDue(due);
    }

    /** "sending 2 reversals due of earlier payments first (orders A, B): each waits up to 60 s for its answer". */
    static String dueReversalsNote(List<Attempt> due, java.time.Duration timeout) {
        int n = due.size();
        List<String> orders = due.stream().map(a -> OrderReference.shown(a.orderRef())).distinct().toList();
        String named = orders.size() <= 5 ? String.join(", ", orders)
                : String.join(", ", orders.subList(0, 5)) + " and " + (orders.size() - 5) + " more";
        return "sending " + (n == 1 ? "the reversal" : n + " reversals") + " due of earlier payments first ("
                + (orders.size() == 1 ? "order " : "orders ") + named + "): " + (n == 1 ? "it waits" : "each waits")
                + " up to " + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms")
                + " for the host's answer";
    }

    // ------------------------------------------------------------------ sale

    /**
     * Takes a payment of {@code amountMinor} for {@code orderId} with the card the reader reads.
     *
     * @throws IllegalArgumentException      bad order id or amount, unknown card: nothing written or sent
     * @throws HostUnavailableException      the host cannot be reached: nothing written or sent
     */
    public PaymentResult sale(String orderId, long amountMinor, String cardRef) {
        OrderReference.require(orderId);
        requireAmount(amountMinor);
        CardData card = reader.read(cardRef);

        Optional<Attempt> live = journal.liveAttempt(orderId);
        Optional<PaymentResult> refused = lock.refusal(live.filter(a -> a.state().isPaid()));
        if (refused.isPresent()) {
            return refused(refused.get(), amountMinor, card);
        }
        try {
            if (!runDueReversals().isEmpty()) {
                live = journal.liveAttempt(orderId); // a reversal just run may have settled this order's lock
            }
        } catch (HostUnavailableException e) {
            // the host is out of reach: an order that is locked is told why (its reversal pending, and the host down),
            // as serve tells it; "cannot reach the host" alone left the cashier guessing whether to take it again
            // read again: the run may have settled this order's own reversal before another order's try met the host gone
            Optional<PaymentResult> locked = lock.refusal(journal.liveAttempt(orderId));
            if (locked.isPresent()) {
                PaymentResult r = locked.get();
                String host = e instanceof dev.tally.terminal.host.SignOnException
                        ? "the host refuses the sign-on now (" : "the host cannot be reached now (";
                return refused(new PaymentResult(r.orderId(), r.status(), r.responseCode(), r.message() + "; " + host
                        + e.getMessage() + ")", r.amount(), r.currency(), r.attempt(), r.retryAfter()), amountMinor, card);
            }
            throw e;
        }
        refused = lock.refusal(live);
        if (refused.isPresent()) {
            return refused(refused.get(), amountMinor, card);
        }
        // the PIN block needs no STAN: made before the attempt exists, so a card it cannot serve writes nothing;
        // the request's MAC comes from the same sign-on
        HostSession.Signed signed = session.signed();
        byte[] pinBlock = signed.pinBlock(card.pin(), card.pan());
        // with keys held, nothing above needed the host: a host that is gone (serve's shared link dropped
        // since the sign-on) must be found now, while that means "nothing sent" (503 / exit 69); found by
        // the exchange it would be after the SENT commit, and lock the order behind a needless reversal
        session.channel().connect();

        LocalDateTime local = LocalDateTime.now(clock);
        String f7 = clock.instant().atZone(ZoneOffset.UTC).format(F7);
        Attempt a;
        ISOMsg request;
        // built and checked before anything is written (a request that cannot be built writes nothing), and
        // outside the group commit every terminal waits on: only its STAN is the journal's, set in the commit
        // (STAN 1 here is a placeholder it replaces). Fields 12/13 are the attempt's local date and time, made
        // from the same moment
        ISOMsg built = saleRequest(profile, card, amountMinor, orderId, f7, 1, pinBlock).localDateTime(local).build();
        // the attempt's id from inside its commit, before any other reader can see it SENT, until its outcome is
        // recorded (or could not be): serve's sweep of abandoned sales must never reverse a sale still under way
        AtomicReference<SalesUnderWay.Entry> underWay = new AtomicReference<>();
        try {
            try {
                // one synced commit: the attempt (NEW, with its STAN), the request given that STAN, then SENT; once
                // this returns the attempt is durably SENT
                Journal.Opened<ISOMsg> opened = journal.openSent(new NewAttempt(profile.terminalId(),
                        profile.merchantId(), orderId, AttemptKind.SALE, amountMinor, profile.currency(), local,
                        card.pan(), card.maskedPan()), f7, fresh -> {
                            underWay.set(salesUnderWay.enter(fresh.id()));
                            built.set(Field.STAN.number(), fresh.stanText());
                            // the batch the sale goes into (60): the host's settlement cut keeps the next batch's
                            // sales out of the batch being settled, whatever reached it first
                            built.set(Field.BATCH_DATA.number(), fresh.batchText());
                            return built;
                        });
                a = opened.attempt();
                request = opened.request();
            } catch (OrderBusyException busy) {
                return refused(lock.refusal(Optional.of(busy.existing())).orElseThrow(), amountMinor, card);
            } catch (JournalDamagedException damaged) {
                throw damaged; // its own words (stop, keep the file, restore it), not "send the payment again"
            } catch (JournalException unwritten) {
                // the SENT commit comes before the send: it failed, so the request never left. The journal's "rolled
                // back" alone left the cashier to guess whether the customer was charged
                throw new JournalException(unwritten.getMessage() + "; the sale could not be recorded, so nothing was"
                        + " sent to the host and nothing charged: send the payment again once the journal takes writes"
                        + " (with tally serve, GET /health says whether it does)", unwritten);
            }
            a = sendAndRecord(a, request, signed);
        } catch (OutcomeNotRecorded unrecorded) {
            return unrecorded.result;
        } finally {
            salesUnderWay.leave(underWay.get());
        }
        if (a.state() == AttemptState.REVERSAL_PENDING) {
            return reverseNowIfReachable(a);
        }
        return result(a);
    }

    /**
     * Sends the durably SENT sale and records what its answer (or its absence) means; a failure after sending
     * leaves the attempt to be reversed (96), never SENT with nobody waiting for it when the journal takes writes.
     */
    private Attempt sendAndRecord(Attempt a, ISOMsg request, HostSession.Signed signed) {
        Exchange ex = null;
        try {
            // MACed after the commit (the MAC is not journaled): not inside the group commit every terminal waits on
            signed.mac(request);
            ex = session.exchange(request);
            return settle(a, ex, signed);
        } catch (RuntimeException e) {
            Attempt now = journal.find(a.id()).orElseThrow();
            if (ex != null && e instanceof IllegalStateException && now.state() != AttemptState.SENT
                    && now.state() != AttemptState.APPROVED && now.state() != AttemptState.NEW) {
                // the journal refused the transition: the attempt was settled meanwhile by another hand (a process that
                // got past the journal's lock, say through a lock file deleted by hand, and recovered it). Its outcome
                // is late for it: what the journal holds stands, and is what the cashier hears
                String came = ex instanceof Exchange.Answered ? "the host's answer (" + HostSession.describe(ex) + ")"
                        : "the end of its exchange (" + HostSession.describe(ex) + ")";
                log.warn("order {} STAN {}: {} came after the attempt had become {}; noted as late: {}",
                        OrderReference.shown(a.orderRef()), a.stanText(), came, now.state(), Masking.scrub(e.toString()));
                journal.note(a.id(), "late: " + came + " came after the attempt had become " + now.state()
                        + " elsewhere: the journal's state stands");
                return journal.find(a.id()).orElseThrow();
            }
            if (now.state() == AttemptState.SENT || now.state() == AttemptState.APPROVED) {
                log.warn("failure after sending order {} STAN {}: {}", OrderReference.shown(a.orderRef()), a.stanText(),
                        Masking.scrub(e.toString()));
                try {
                    return journal.requireReversal(a.id(), ReversalReason.TERMINAL_FAILURE.code(), clock.instant(), null,
                            "the terminal could not complete the sale: " + Masking.scrub(String.valueOf(e.getMessage())));
                } catch (JournalException unwritten) {
                    unwritten.addSuppressed(e);
                    if (now.state() == AttemptState.SENT) {
                        // the journal's reason: the first failure may be the link's, and only this write met the full disk
                        log.error("order {} STAN {}: sent, but its outcome could not be recorded: {}",
                                OrderReference.shown(a.orderRef()), a.stanText(), Masking.scrub(unwritten.toString()));
                        throw new OutcomeNotRecorded(uncertain(now, unwritten));
                    }
                    throw unwritten;
                }
            }
            throw e;
        }
    }

    /**
     * A sale sent whose outcome the journal could not record (a full disk): it stays SENT, and serve's sweep (or the
     * next command's recovery) reverses it once the journal takes writes. The cashier must hear "uncertain, locked",
     * never the journal's "rolled back", which reads as "nothing happened" for a sale the host may have charged.
     */
    private static final class OutcomeNotRecorded extends RuntimeException {
        final transient PaymentResult result;

        OutcomeNotRecorded(PaymentResult result) {
            super(result.message(), null, false, false);
            this.result = result;
        }
    }

    /** REVERSAL_PENDING for a sale sent whose outcome could not be recorded; {@code why} null: said in the log. */
    private PaymentResult uncertain(Attempt sent, RuntimeException why) {
        return uncertain(sent, ", but the journal could not record what came of it", why,
                "reversed as soon as the journal takes writes again");
    }

    private PaymentResult uncertain(Attempt sent, String whatFailed, RuntimeException why, String whatNext) {
        return new PaymentResult(sent.orderRef(), PaymentStatus.REVERSAL_PENDING, null,
                "Outcome unknown: the request went to the host" + (sent.sentAt() == null ? "" : " at "
                        + sent.sentAt().atZone(clock.getZone()).format(HMS)) + whatFailed
                        + " (" + (why == null ? "see the log" : Masking.scrub(JournalException.storageReason(why)))
                        + "). The customer may have been charged. The order is locked, and " + whatNext
                        + " (tally serve tries by itself; otherwise the next tally command does): do not take another"
                        + " payment for it until then.", sent.amount(), sent.currency(), sent, lock.answerDueBy(sent));
    }

    /**
     * A 0200 sale of SPEC.md §4.3 for this terminal and card, everything but the local date and time (field
     * 12/13, which the caller sets) and the MAC; the one definition for the engine and the load generator.
     */
    public static MessageBuilder saleRequest(TerminalProfile profile, CardData card, long amountMinor, String orderId,
                                             String f7, int stan, byte[] pinBlock) {
        return cardPresent(MessageBuilder.request(MessageType.SALE), profile, card)
                .amount(amountMinor)
                .transmissionDateTime(f7)
                .stan(stan)
                .orderReference(orderId)
                .pinBlock(pinBlock);
    }

    /** The fields a card-present request (sale, balance inquiry) takes from the card and the terminal. */
    private static MessageBuilder cardPresent(MessageBuilder b, TerminalProfile profile, CardData card) {
        return b.pan(card.pan())
                .expiry(card.expiry())
                .posEntryMode(POS_ENTRY_MODE)
                .posConditionCode(POS_CONDITION)
                .terminalId(profile.terminalId())
                .merchantId(profile.merchantId())
                .currency(profile.currency());
    }

    /** The answer (or its absence) decides the attempt's next state; its MAC is checked under the request's keys. */
    private Attempt settle(Attempt a, Exchange ex, HostSession.Signed signed) {
        if (!(ex instanceof Exchange.Answered ans)) {
            return journal.requireReversal(a.id(), ReversalReason.NO_RESPONSE.code(), clock.instant(), null,
                    HostSession.describe(ex) + ": outcome unknown, reversing");
        }
        MessageView v = MessageView.of(ans.response());
        String rc = v.responseCode();
        ResponseCode code = v.response();
        boolean macPresent = v.mac().isPresent();
        signed.staleIfResign(code);
        // why each answer is trusted or reversed: SaleVerdict, which tally load --no-journal judges by too
        SaleVerdict verdict = SaleVerdict.of(rc, macPresent, macPresent && signed.verifies(ans.response()));
        String reason = verdict.reversal() == null ? null : verdict.reversal().code();
        return switch (verdict) {
            case MAC_FAILED -> journal.requireReversal(a.id(), reason, clock.instant(), rc,
                    "0210 answered " + rc + " but its MAC did not verify: not trusted, reversing");
            case MAC_MISSING -> journal.requireReversal(a.id(), reason, clock.instant(), rc,
                    code.approved() ? "0210 approval without a MAC: not trusted, reversing"
                            : "0210 answered " + rc + " (" + code.meaning() + ") without a MAC: not trusted, reversing");
            case APPROVE -> journal.approve(a, rc, v.rrn(), v.authCode(), "0210 answered 00: approved, RRN " + v.rrn()
                    + ", auth " + v.authCode());
            case NO_RESPONSE_CODE -> journal.requireReversal(a.id(), reason, clock.instant(), null,
                    "0210 without a response code (field 39): what the host did is not known, reversing to be sure");
            case UNKNOWN_CODE -> journal.requireReversal(a.id(), reason, clock.instant(), rc,
                    "0210 answered " + rc + ": " + unknownCode(rc));
            case CODE_TO_REVERSE -> journal.requireReversal(a.id(), reason, clock.instant(), rc,
                    "0210 answered " + rc + " (" + code.meaning() + "): reversing to be sure");
            case DECLINE -> journal.decline(a, rc, v.rrn(), "0210 answered " + rc + " (" + code.meaning() + "): "
                    + code.operatorText());
        };
    }

    /**
     * The first try of a reversal just committed (a sale gone to the host, a cancel), and what the cashier hears of it:
     * the journal's state, whatever the try met. A host out of reach is noted; a try that cannot be built or recorded (a
     * full disk at its counter write) is logged and noted as the background loop's is ({@link ReversalLoop#attemptApart})
     * and left to the loop. The journal's "rolled back" would read as "nothing happened" for a payment that may stand.
     */
    private PaymentResult reverseNowIfReachable(Attempt a) {
        try {
            return reverseNow(a);
        } catch (HostUnavailableException e) {
            String why = "reversal not sent now: " + e.getMessage();
            try {
                journal.note(a.id(), why);
            } catch (RuntimeException noting) {
                log.warn("attempt {} (order {}): {}; the note could not be written: {}", a.id(),
                        OrderReference.shown(a.orderRef()), Masking.scrub(why), Masking.scrub(String.valueOf(noting.getMessage())));
            }
            return recorded(a);
        }
    }

    /** One reversal try now, kept to the attempt as {@link #reverseNowIfReachable}'s; a host out of reach is thrown. */
    private PaymentResult reverseNow(Attempt a) {
        reversals.attemptApart(a);
        return recorded(a);
    }

    /**
     * The cashier's view of a sale sent, as the journal holds it now; when even that cannot be read, the uncertain
     * outcome (locked, to be reversed), never the journal's failure.
     */
    private PaymentResult recorded(Attempt a) {
        try {
            return result(journal.find(a.id()).orElseThrow());
        } catch (RuntimeException unread) {
            log.error("order {} STAN {}: being reversed, but the journal could not be read: {}",
                    OrderReference.shown(a.orderRef()), a.stanText(), Masking.scrub(unread.toString()));
            // its reversal is committed (REVERSAL_PENDING): only reading it back failed, and perhaps recording the try
            return uncertain(a, " and the journal holds it as being reversed, but could not be read back", unread,
                    "its reversal goes on as soon as the journal works again");
        }
    }

    // ------------------------------------------------------------------ reverse (cancel at the till)

    /** Reverses the order's approved or uncertain attempt now. */
    public PaymentResult reverse(String orderId) {
        OrderReference.require(orderId);
        runDueReversals();
        Optional<Attempt> live = journal.liveAttempt(orderId);
        if (live.isEmpty()) {
            Optional<Attempt> last = journal.lastAttempt(orderId);
            return new PaymentResult(orderId, PaymentStatus.NOTHING_TO_REVERSE, last.map(Attempt::responseCode).orElse(null),
                    last.map(a -> "order " + orderId + " has nothing standing to reverse: its last attempt (STAN "
                            + a.stanText() + ") is " + a.state()).orElse("order " + orderId + " is not in this journal"),
                    last.map(Attempt::amount).orElse(0L), profile.currency(), last.orElse(null), null);
        }
        Attempt a = live.get();
        if (!a.terminalId().equals(profile.terminalId())) {
            // its reversal goes out under the keys of the terminal that made it (ReversalLoop): nothing is committed
            throw new IllegalArgumentException("order " + orderId + " was paid through terminal " + a.terminalId()
                    + " and this till signs on as " + profile.terminalId() + ": cancel it with --terminal-id "
                    + a.terminalId() + "; nothing was done");
        }
        boolean cancelledNow = false;
        switch (a.state()) {
            case APPROVED -> {
                // a host that cannot be reached, or refuses the sign-on, must be found before the reversal is
                // committed, while 503 / exit 69 ("nothing was sent") is still true: the cashier would otherwise take
                // it that the payment stands
                session.signed();
                session.channel().connect();
                cancelledNow = true;
                // under the journal's monitor: a settlement cannot freeze the batch's totals between the check and the
                // reversal (Batches.begin commits under it too)
                synchronized (journal) {
                    Attempt approved = a;
                    Optional<Batch> settling = journal.batches().inProgress(approved.terminalId())
                            .filter(b -> b.batchNumber() == approved.batchNumber());
                    if (settling.isPresent()) {
                        // its totals, sent to the acquirer (who may have closed the batch already), count this payment
                        return new PaymentResult(orderId, PaymentStatus.NOTHING_TO_REVERSE, a.responseCode(), "order "
                                + orderId + " is in batch " + settling.get().batchText() + ", whose settlement has"
                                + " started (" + settling.get().state() + "): finish it first (tally settle, or POST"
                                + " /v1/settlement); once settled the payment needs a refund, not a reversal",
                                a.amount(), a.currency(), a, null);
                    }
                    a = journal.requireReversal(a.id(), ReversalReason.OTHER.code(), clock.instant(), null,
                            "cancelled at the till: reversing");
                }
            }
            case REVERSAL_PENDING, REVERSAL_FAILED -> { }
            case SETTLED -> { // paid, but no longer reversible: the lock's ALREADY_PAID would tell the cashier nothing
                return new PaymentResult(orderId, PaymentStatus.NOTHING_TO_REVERSE, a.responseCode(), "order "
                        + orderId + " is SETTLED (STAN " + a.stanText() + ", RRN " + a.rrn() + "): a settled payment"
                        + " needs a refund, not a reversal", a.amount(), a.currency(), a, null);
            }
            default -> { // NEW, SENT: its request is still out; LOCKED says when to try again
                return lock.refusal(Optional.of(a)).orElseThrow();
            }
        }
        // the cancel is committed: a link lost since the check leaves it REVERSAL_PENDING (the loop sends it), not 503;
        // a reversal already pending is tried with the host required (503: nothing sent, nothing changed)
        return cancelledNow ? reverseNowIfReachable(a) : reverseNow(a);
    }

    // ------------------------------------------------------------------ close a failed reversal (the operator)

    /**
     * The operator's close of the order's REVERSAL_FAILED attempt, with what the acquirer confirmed out of band (DESIGN.md
     * §4: the order stays locked until resolved; §6: the journal must then say what the ledger holds). The host is asked
     * first (status inquiry): an answer that contradicts the operator refuses the close; a host that cannot tell (out of
     * reach, silent, not trusted) leaves it to the operator's word, and the audit trail says so. NOT_CHARGED → REVERSED,
     * the order may be paid again; CHARGED → APPROVED in the open batch (settled with it), or SETTLED when its batch
     * closed meanwhile (the acquirer's statement carries it). No reversal of the attempt goes out meanwhile.
     * A refusal changes nothing; bad input throws IllegalArgumentException.
     */
    public OperatorClose.Result closeFailedReversal(String orderId, OperatorClose close) {
        OrderReference.require(orderId);
        Optional<Attempt> live = journal.liveAttempt(orderId);
        if (live.isEmpty() || live.get().state() != AttemptState.REVERSAL_FAILED) {
            String why = live.map(a -> a.state() == AttemptState.REVERSAL_PENDING
                            ? "its reversal is still being tried (STAN " + a.stanText() + ", " + a.reversalAttempts()
                            + " tried): wait for it, or run 'tally pending --resolve'"
                            : "its attempt (STAN " + a.stanText() + ") is " + a.state())
                    .or(() -> journal.lastAttempt(orderId).map(a -> "its last attempt (STAN " + a.stanText() + ") is "
                            + a.state()))
                    .orElse("it is not in this journal");
            return new OperatorClose.Result(false, "order " + orderId + " has no failed reversal to close: " + why
                    + "; nothing was changed", live.or(() -> journal.lastAttempt(orderId)).orElse(null), null);
        }
        Attempt failed = live.get();
        if (!failed.terminalId().equals(profile.terminalId())) {
            // the status inquiry names the sale under the terminal id that made it
            throw new IllegalArgumentException("order " + orderId + " was paid through terminal " + failed.terminalId()
                    + " and this till signs on as " + profile.terminalId() + ": close it with --terminal-id "
                    + failed.terminalId() + "; nothing was changed");
        }
        return reversals.whileNotSending(failed.id(), () -> closeNow(failed.id(), close))
                .orElseGet(() -> new OperatorClose.Result(false, "order " + orderId + ": a reversal try of it is under"
                        + " way right now; close it again in a few seconds (it may go through); nothing was changed",
                        journal.find(failed.id()).orElseThrow(), null));
    }

    private OperatorClose.Result closeNow(long id, OperatorClose close) {
        Attempt a = journal.find(id).orElseThrow();
        if (a.state() != AttemptState.REVERSAL_FAILED) { // its reversal went through since it was read
            return new OperatorClose.Result(false, "order " + a.orderRef() + " is " + a.state() + " now (STAN "
                    + a.stanText() + "): nothing left to close; nothing was changed", a, null);
        }
        boolean charged = close.outcome() == OperatorClose.Outcome.CHARGED;
        String refused = "order " + a.orderRef() + " (STAN " + a.stanText() + "): ";
        // a reversal that went out may still be on its way and land at the host after the close (the journal would say
        // APPROVED, the ledger reversed): a charge is recorded only once the last one can no longer arrive, and only on a
        // view of the host taken after that
        List<AttemptEvent> trail = journal.events(id);
        Optional<LastReversalTry> lastTry = reversalInFlight(trail);
        Instant safe = lastTry.map(LastReversalTry::landedBy).orElse(null);
        if (charged && safe != null && clock.instant().isBefore(safe)) {
            return new OperatorClose.Result(false, refused + "its last reversal try went out at "
                    + lastTry.get().at().atZone(clock.getZone()).format(HMS) + " and could still reach the host; close it"
                    + " as charged after " + safe.atZone(clock.getZone()).format(HMS) + "; nothing was changed", a, null);
        }
        StatusReport h = hostView(a);
        StatusAnswer seen = h.hostAnswer();
        String hostSays;
        // what the sale's RRN, auth code and response code are known to be: the host's answer now, else its last noted
        // answer's code, else what the journal holds from an approval whose MAC verified (a cancelled sale's); a code
        // that was no approval (94, one the terminal did not know, a 05 whose MAC failed) is not the charge's
        String knownRrn = a.rrn();
        String knownAuth = a.authCode();
        String responseCode = ResponseCodes.APPROVED.equals(a.responseCode()) ? a.responseCode() : null;
        if (seen != null) {
            Optional<String> contradiction = contradiction(close, seen, a, "the acquirer's host says");
            if (contradiction.isPresent()) {
                return new OperatorClose.Result(false, refused + contradiction.get() + "; nothing was changed", a, h);
            }
            if (charged) {
                knownRrn = h.hostRrn() != null ? h.hostRrn() : knownRrn;
                knownAuth = h.hostAuthCode() != null ? h.hostAuthCode() : knownAuth;
                responseCode = seen.originalResponseCode();
            }
            hostSays = "the host's status inquiry agrees (" + seen.encode() + ")";
        } else {
            String why = h.hostProblem() != null ? h.hostProblem() : "status inquiry answered " + h.hostResponseCode();
            Optional<StatusReport.Noted> last = StatusReport.lastNoted(trail);
            if (last.isPresent() && charged && safe != null && last.get().at().isBefore(safe)) {
                // the answer may predate a reversal try that landed after it: it cannot confirm that the charge stands
                return new OperatorClose.Result(false, refused + "the host cannot be asked now (" + why + "), and its"
                        + " last answer, at " + last.get().at().atZone(clock.getZone()).format(HMS) + ", is older than"
                        + " the last reversal try could have landed: close it as charged once the host can be asked;"
                        + " nothing was changed", a, h);
            }
            if (last.isPresent()) {
                // the host cannot be asked now (as often after a failed reversal): what it last said still counts
                Optional<String> contradiction = contradiction(close, last.get().answer(), a, "the host cannot be asked"
                        + " now (" + why + "), and its last answer, at " + last.get().at().atZone(clock.getZone())
                        .format(HMS) + ", says");
                if (contradiction.isPresent()) {
                    return new OperatorClose.Result(false, refused + contradiction.get() + "; close it once the host can"
                            + " be asked again; nothing was changed", a, h);
                }
                hostSays = "the host could not be asked now (" + why + "); its last answer agrees ("
                        + last.get().answer().encode() + ")";
                responseCode = charged ? last.get().answer().originalResponseCode() : responseCode;
            } else if (close.withoutHost()) {
                hostSays = "the host has never told this terminal what became of the sale (now: " + why + "): closed on"
                        + " the acquirer's word alone";
            } else {
                return new OperatorClose.Result(false, refused + "the host cannot be asked (" + why + ") and has never"
                        + " answered a status inquiry about this sale, so nothing here confirms what the acquirer said."
                        + " Close it once the host can be asked, or on the acquirer's word alone with --without-host"
                        + " (API: \"withoutHost\": true); nothing was changed", a, h);
            }
        }
        String rrn = close.rrn();
        String authCode = close.authCode();
        if (charged) {
            String whose = seen != null && h.hostRrn() != null ? "the acquirer's host holds" : "the journal holds, from"
                    + " the approval it recorded,";
            if (rrn != null && knownRrn != null && !rrn.equals(knownRrn)) {
                return new OperatorClose.Result(false, refused + whose + " the sale under RRN " + knownRrn + ", not "
                        + rrn + ": check the RRN with the acquirer; nothing was changed", a, h);
            }
            if (authCode != null && knownAuth != null && !authCode.equals(knownAuth)) {
                return new OperatorClose.Result(false, refused + whose + " the sale under auth code " + knownAuth
                        + ", not " + authCode + ": check it with the acquirer; nothing was changed", a, h);
            }
            rrn = rrn != null ? rrn : knownRrn;
            authCode = authCode != null ? authCode : knownAuth;
        }
        if (charged && rrn == null) { // the batch upload carries it (field 37 is mandatory in a 0320)
            return new OperatorClose.Result(false, refused + "neither the host nor the journal gives the sale's RRN: give"
                    + " the acquirer's (--rrn, API: \"rrn\"); nothing was changed", a, h);
        }
        String detail = OperatorClose.EVENT + "the acquirer confirmed " + (charged
                ? "the charge stands (RRN " + rrn + (authCode == null ? "" : ", auth " + authCode) + ")"
                : "nothing stands (not charged)") + "; " + hostSays + OperatorClose.REFERENCE + close.reference() + "\"";
        Attempt after;
        if (!charged) {
            after = journal.closedByOperator(id, AttemptState.REVERSED, null, null, null, detail);
        } else {
            // under the journal's monitor: a settlement cannot freeze the batch's totals between the check and the change
            // (Batches.begin commits under it too)
            synchronized (journal) {
                Optional<Batch> settling = journal.batches().inProgress(a.terminalId())
                        .filter(b -> b.batchNumber() == a.batchNumber());
                if (settling.isPresent()) {
                    return new OperatorClose.Result(false, "order " + a.orderRef() + " is in batch "
                            + settling.get().batchText() + ", whose settlement has started (" + settling.get().state()
                            + ") without it: finish it first (tally settle, or POST /v1/settlement), then close it;"
                            + " nothing was changed", a, h);
                }
                boolean open = a.batchNumber() == journal.batches().openBatch(a.terminalId());
                after = journal.closedByOperator(id, open ? AttemptState.APPROVED : AttemptState.SETTLED, responseCode,
                        rrn, authCode, detail);
            }
        }
        log.info("order {} STAN {}: REVERSAL_FAILED closed by the operator as {}", OrderReference.shown(after.orderRef()),
                after.stanText(), after.state());
        String now = switch (after.state()) {
            case REVERSED -> "nothing stands, the order may be paid again";
            case APPROVED -> "the order is paid (RRN " + rrn + "), settled with the open batch " + after.batchText()
                    + "; a new payment of it is refused";
            default -> "the order is paid (RRN " + rrn + "); its batch " + after.batchText() + " was settled without it:"
                    + " the acquirer's statement shows it; a new payment of it is refused";
        };
        return new OperatorClose.Result(true, "order " + after.orderRef() + " (STAN " + after.stanText() + ") is "
                + after.state() + ": " + now + " (" + hostSays + ")", after, h);
    }

    /** When the attempt's last reversal try went out, and by when it has landed at the host if it ever does. */
    private record LastReversalTry(Instant at, Instant landedBy) {
    }

    /**
     * The last reversal try on the trail: it has landed, if ever, by twice the longest wait a try was given as the trail
     * notes it (they may have gone out with another --timeout than this command's), or this command's timeout when the
     * last try's wait is not noted (a crash during it). Empty when no reversal ever went out.
     */
    private Optional<LastReversalTry> reversalInFlight(List<AttemptEvent> trail) {
        int lastSent = -1;
        Duration waited = Duration.ZERO;
        boolean lastWaitNoted = false;
        for (int i = 0; i < trail.size(); i++) {
            String detail = trail.get(i).detail();
            if (ReversalLoop.REVERSAL_SENT.matcher(detail).find()) {
                lastSent = i;
                lastWaitNoted = false;
            }
            Matcher m = WAITED.matcher(detail);
            if (m.find()) {
                Duration d = Duration.ofMillis(Long.parseLong(m.group(1)));
                waited = d.compareTo(waited) > 0 ? d : waited;
                lastWaitNoted = lastSent >= 0;
            }
        }
        if (lastSent < 0) {
            return Optional.empty();
        }
        if (!lastWaitNoted && profile.timeout().compareTo(waited) > 0) {
            waited = profile.timeout();
        }
        Instant at = trail.get(lastSent).at();
        return Optional.of(new LastReversalTry(at, at.plus(waited.multipliedBy(2))));
    }

    /** How a reversal try's outcome notes the wait it was given ({@link Exchange.NoAnswer}): "... within 60000 ms". */
    private static final Pattern WAITED =
            Pattern.compile("^reversal try \\d+: no answer to 040[01] STAN \\d{6} within (\\d{1,9}) ms");

    /** Why what the host says of the sale contradicts the close, if it does ({@code says}: who says it, and when). */
    private static Optional<String> contradiction(OperatorClose close, StatusAnswer seen, Attempt a, String says) {
        boolean stands = seen.state() == StatusAnswer.OriginalState.APPROVED;
        if (close.outcome() == OperatorClose.Outcome.NOT_CHARGED && stands) {
            return Optional.of(says + " the sale stands (" + seen.encode() + "): it was charged. Close it as charged, or"
                    + " have the acquirer reverse it first");
        }
        if (close.outcome() == OperatorClose.Outcome.CHARGED && !stands) {
            return Optional.of(says + " nothing of the sale stands (" + seen.encode() + "). Close it as not-charged, or"
                    + " ask the acquirer again");
        }
        if (close.outcome() == OperatorClose.Outcome.CHARGED && seen.amount() != a.amount()) {
            return Optional.of(says + " the sale is for " + seen.amount() + " minor units, the journal " + a.amount()
                    + ": ask the acquirer");
        }
        return Optional.empty();
    }


    // ------------------------------------------------------------------ status, pending, inquiry, echo

    /**
     * The journal's view of the order and, when the outcome is uncertain or approved (settled too: the credit may be
     * pending after the batch closed), a status inquiry to the host. The answer is recorded as an event; it never changes the
     * attempt's state — only a reversal's acknowledgement unlocks an order.
     */
    public StatusReport status(String orderId) {
        OrderReference.require(orderId);
        Optional<Attempt> last = journal.lastAttempt(orderId);
        if (last.isEmpty()) {
            return new StatusReport(orderId, null, null, null, null);
        }
        try {
            runDueReversals();
        } catch (HostUnavailableException e) {
            return new StatusReport(orderId, journal.find(last.get().id()).orElseThrow(), null, null, e.getMessage());
        }
        Attempt a = journal.find(last.get().id()).orElseThrow();
        boolean ask = a.state().isUncertain() || a.state() == AttemptState.APPROVED || a.state() == AttemptState.SETTLED;
        if (!ask) {
            return new StatusReport(orderId, a, null, null, null);
        }
        Instant now = clock.instant();
        HostViewSeen seen = hostViews.get(a.id());
        if (seen != null && seen.state() == a.state() && !now.isBefore(seen.at())
                && Duration.between(seen.at(), now).compareTo(HOST_VIEW_REUSE) < 0) {
            StatusReport r = seen.report();
            return new StatusReport(orderId, a, r.hostResponseCode(), r.hostAnswer(), r.hostProblem());
        }
        StatusReport r = hostView(a);
        if (hostViews.size() >= 1_000) {
            hostViews.values().removeIf(v -> Duration.between(v.at(), now).compareTo(HOST_VIEW_REUSE) >= 0);
        }
        if (r.hostProblem() == null && r.hostAnswer() != null) {
            // only an answer is reused: the host out of reach, silent or not trusted is asked again at the next call
            hostViews.put(a.id(), new HostViewSeen(a.state(), now, r));
        }
        return r;
    }

    /**
     * How long {@link #status} reuses the host's view of an attempt whose state has not changed. A cashier system polls
     * {@code GET /v1/payments/{id}}: each call was a status inquiry, with a STAN and a journal note of its own (four
     * pollers without a pause: 31,000 inquiries in 25 s, the WAL grown by 190 MB, the STAN wrapping within the
     * quarter hour). Asked again once the attempt's state changes.
     */
    static final Duration HOST_VIEW_REUSE = Duration.ofSeconds(5);

    private record HostViewSeen(AttemptState state, Instant at, StatusReport report) {
    }

    /** The last host view of each attempt asked about, by attempt id (pruned of expired ones past 1,000). */
    private final java.util.concurrent.ConcurrentHashMap<Long, HostViewSeen> hostViews =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Asks the host what became of the attempt's sale (status inquiry, SPEC.md §4.5) and records the
     * answer on its audit trail; never changes its state. A host that cannot be reached or does not
     * answer is reported in {@link StatusReport#hostProblem()}.
     */
    public StatusReport hostView(Attempt a) {
        String orderId = a.orderRef();
        if (!a.terminalId().equals(profile.terminalId())) {
            // the inquiry names the sale under the terminal id that sent it: asked under this one, the host answers
            // NOT_FOUND for a sale that stands, and that answer on the trail would pass for the host's word later (a
            // close "held to its last answer" unlocking an order the customer was charged for). As for its reversal
            return new StatusReport(orderId, a, null, null, "not asked: the sale was made by terminal " + a.terminalId()
                    + " and this till signs on as " + profile.terminalId() + ", under which the host does not know it;"
                    + " ask with --terminal-id " + a.terminalId());
        }
        try {
            HostSession.Signed signed = session.signed();
            ISOMsg req = MessageBuilder.request(MessageType.STATUS_INQUIRY)
                    .transmissionDateTime(clock.instant().atZone(ZoneOffset.UTC))
                    .stan(journal.nextStan(profile.terminalId()))
                    .terminalId(profile.terminalId())
                    .merchantId(profile.merchantId())
                    .orderReference(orderId)
                    .originalData(new OriginalData(MessageType.SALE.spec().requestMti(), a.stan(),
                            a.transmissionTime() != null ? a.transmissionTime()
                                    : a.createdAt().atZone(ZoneOffset.UTC).format(F7)))
                    .build();
            signed.mac(req);
            Exchange ex = session.exchange(req);
            if (!(ex instanceof Exchange.Answered ans)) {
                String why = HostSession.describe(ex);
                journal.note(a.id(), "status inquiry unanswered: " + why);
                return new StatusReport(orderId, a, null, null, why);
            }
            MessageView v = MessageView.of(ans.response());
            signed.staleIfResign(v.response()); // A1: the host holds no keys for this terminal (restarted on a new ledger)
            if (v.mac().isPresent() && !signed.verifies(ans.response())) {
                journal.note(a.id(), "status inquiry answer ignored: its MAC did not verify");
                return new StatusReport(orderId, a, v.responseCode(), null, "the host's answer failed its MAC check");
            }
            if (v.mac().isEmpty() && v.response().action() != TerminalAction.RESIGN_ON) {
                // only an A1 (the host holds no keys for this terminal) comes without a MAC; anything else may have
                // been rewritten on the way ("not found" for a sale that stands), so it says nothing
                journal.note(a.id(), "status inquiry answer ignored: it carries no MAC");
                return new StatusReport(orderId, a, v.responseCode(), null, "the host's answer carries no MAC: not trusted");
            }
            StatusAnswer answer;
            try {
                answer = v.statusAnswer().orElse(null);
            } catch (IllegalArgumentException e) {
                // the host answered nonsense: its problem, reported like an answer that fails its MAC
                String why = "the host's status answer is malformed: " + Masking.scrub(e.getMessage());
                journal.note(a.id(), "status inquiry answer ignored: " + why);
                return new StatusReport(orderId, a, v.responseCode(), null, why);
            }
            journal.note(a.id(), StatusReport.NOTE + v.responseCode()
                    + (answer == null ? "" : ": " + answer.encode()));
            boolean stands = answer != null && answer.state() == StatusAnswer.OriginalState.APPROVED;
            return new StatusReport(orderId, a, v.responseCode(), answer, null, stands ? v.rrn() : null,
                    stands ? v.authCode() : null);
        } catch (HostUnavailableException e) {
            return new StatusReport(orderId, a, null, null, e.getMessage());
        }
    }

    /**
     * {@code tally serve}'s sweep, run by the {@link ReversalScheduler} on every tick: an attempt NEW or SENT whose
     * sale is no longer under way in this process — its answer came but neither it nor the fallback to a reversal
     * could be written (a journal that refused both writes) — goes to REVERSAL_PENDING (reason 96, the terminal
     * could not complete the sale), due now. Without it the order would stay locked as "request still out" until
     * the next start's recovery. One-shot commands need no sweep: their process ends, and the next one recovers.
     */
    public List<Attempt> reverseAbandonedSales() {
        List<Attempt> reversing = new ArrayList<>();
        for (Attempt a : journal.inStates(Set.of(AttemptState.NEW, AttemptState.SENT))) {
            if (salesUnderWay.contains(a.id())) {
                continue;
            }
            // guarded by state: an attempt whose answer was recorded since it was read is left as it is
            journal.reverseUnanswered(a.id(), ReversalReason.TERMINAL_FAILURE.code(), clock.instant(),
                    "its sale ended without recording the answer (see the events before): outcome unknown, reversing")
                    .ifPresent(r -> {
                        log.warn("order {} STAN {} was left {} by a sale that could not record its outcome: reversing",
                                OrderReference.shown(r.orderRef()), r.stanText(), a.state());
                        reversing.add(r);
                    });
        }
        return reversing;
    }

    /** Attempts that are uncertain, awaiting reversal or whose reversal failed. */
    public List<Attempt> pending() {
        return journal.inStates(Set.of(AttemptState.NEW, AttemptState.SENT, AttemptState.REVERSAL_PENDING,
                AttemptState.REVERSAL_FAILED));
    }

    /** Runs every pending or failed reversal now, then lists what is still pending. */
    public List<Attempt> resolvePending() {
        reversals.runAll();
        return pending();
    }

    /** Balance inquiry (0100, processing code 31) with the card's PIN. Nothing is journaled but the STAN. */
    public InquiryResult inquiry(String cardRef) {
        CardData card = reader.read(cardRef);
        runDueReversals();
        HostSession.Signed signed = session.signed(); // PIN block, MAC and the answer's MAC under one sign-on
        int stan = journal.nextStan(profile.terminalId());
        ISOMsg req = cardPresent(MessageBuilder.request(MessageType.BALANCE_INQUIRY), profile, card)
                .transmissionDateTime(clock.instant().atZone(ZoneOffset.UTC))
                .stan(stan)
                .localDateTime(LocalDateTime.now(clock))
                .pinBlock(signed.pinBlock(card.pin(), card.pan()))
                .build();
        signed.mac(req);
        Exchange ex = session.exchange(req);
        String stanText = String.format("%06d", stan);
        if (!(ex instanceof Exchange.Answered ans)) {
            return new InquiryResult(false, null, "no answer from the host: " + HostSession.describe(ex)
                    + "; nothing was charged, try again", null, profile.currency(), card.maskedPan(), stanText);
        }
        MessageView v = MessageView.of(ans.response());
        signed.staleIfResign(v.response());
        if (v.mac().isPresent() && !signed.verifies(ans.response())) {
            return new InquiryResult(false, v.responseCode(), "the host's answer failed its MAC check: not trusted",
                    null, profile.currency(), card.maskedPan(), stanText);
        }
        if (v.mac().isEmpty() && v.response().action() != TerminalAction.RESIGN_ON) { // only an A1 comes without one
            return new InquiryResult(false, v.responseCode(), "the host's answer carries no MAC: not trusted",
                    null, profile.currency(), card.maskedPan(), stanText);
        }
        Optional<Balance> f54;
        try {
            f54 = v.balance();
        } catch (IllegalArgumentException e) { // the host answered nonsense: not trusted, like a failed MAC
            return new InquiryResult(false, v.responseCode(), "the host's answer carries a malformed balance: "
                    + Masking.scrub(e.getMessage()), null, profile.currency(), card.maskedPan(), stanText);
        }
        Long balance = v.response().approved() ? f54.map(b -> b.amount()).orElse(null) : null;
        return new InquiryResult(true, v.responseCode(), v.response().operatorText(), balance,
                f54.map(b -> b.currency()).orElse(profile.currency()), card.maskedPan(), stanText);
    }

    /** Echo test of the link; the answer's response code, or why there was none. */
    public Exchange echo() {
        return session.echo();
    }

    // ------------------------------------------------------------------ results

    /** The cashier's view of an attempt. */
    public PaymentResult result(Attempt a) {
        ResponseCode rc = a.responseCode() == null ? null : ResponseCodes.of(a.responseCode());
        String reason = ReversalReason.ofCode(a.reversalReason()).map(ReversalReason::description)
                .orElse(a.reversalReason());
        Optional<String> closedBy = closedByOperator(a);
        if (closedBy.isPresent()) {
            boolean paid = a.state() != AttemptState.REVERSED;
            return new PaymentResult(a.orderRef(), paid ? PaymentStatus.APPROVED : PaymentStatus.REVERSED,
                    a.responseCode(), (paid ? "Charged: the reversal was never acknowledged; " : "Not charged: the"
                    + " reversal was never acknowledged; ") + OperatorClose.withoutReference(closedBy.get())
                    + (paid ? "" : ". The order may be paid again."),
                    a.amount(), a.currency(), a, null);
        }
        return switch (a.state()) {
            case APPROVED, SETTLED -> new PaymentResult(a.orderRef(), PaymentStatus.APPROVED, a.responseCode(),
                    rc == null ? "Approved" : rc.operatorText(), a.amount(), a.currency(), a, null);
            case DECLINED -> new PaymentResult(a.orderRef(), PaymentStatus.DECLINED, a.responseCode(),
                    rc == null ? "Declined" : rc.operatorText(), a.amount(), a.currency(), a, null);
            case REVERSED -> new PaymentResult(a.orderRef(), PaymentStatus.REVERSED, a.responseCode(),
                    reversedMessage(a, rc, reason), a.amount(), a.currency(), a, null);
            case REVERSAL_PENDING -> new PaymentResult(a.orderRef(), PaymentStatus.REVERSAL_PENDING, a.responseCode(),
                    (approvedFirst(a, rc) ? approvedThen(a, reason) + "; the reversal is pending"
                            : answeredUnknown(a) ? "Outcome unknown: " + unknownCode(a.responseCode())
                            : "Not approved: " + reason + "; the outcome is unknown and a reversal is pending")
                            + " (" + a.reversalAttempts() + " tried" + lastReversalTry(a).map(t -> ", last try: " + t)
                            .orElse("") + ", next at "
                            + a.nextReversal().filter(t -> t.isAfter(clock.instant()))
                            .map(t -> ReversalLoop.toTheSecondUp(t).atZone(clock.getZone()).format(HMS)).orElse("now")
                            + "). The order is locked until the reversal goes through.",
                    a.amount(), a.currency(), a, lock.reversalAnswerDueBy(a));
            case REVERSAL_FAILED -> {
                // serve tries it again in the background; elsewhere the operator runs the loop
                Instant retry = reversalsInBackground ? reversals.backgroundRetryAt(a).orElse(null) : null;
                yield new PaymentResult(a.orderRef(), PaymentStatus.REVERSAL_FAILED, a.responseCode(),
                        (approvedFirst(a, rc) ? approvedThen(a, reason)
                                : answeredUnknown(a) ? "Outcome unknown: " + unknownCode(a.responseCode())
                                : "Not approved: " + reason)
                                + "; the reversal was not acknowledged after "
                                + ReversalPolicy.tries(a.reversalAttempts())
                                + lastReversalTry(a).map(t -> " (last try: " + t + ")").orElse("") + ". The order stays locked; " + (retry != null ? "the reversal is tried again at "
                                + ReversalLoop.toTheSecondUp(retry).atZone(clock.getZone()).format(HMS) + " (cancel the order to try it now)"
                                : "run 'tally pending --resolve' when the host is back")
                                + ", or, once the acquirer confirms what became of it, the operator closes it ("
                                + (reversalsInBackground ? "POST /v1/payments/" + a.orderRef() + "/close, with the"
                                + " operator token"
                                : "tally pending --close " + a.orderRef()) + ").", a.amount(), a.currency(), a, retry);
            }
            case NEW, SENT -> {
                if (a.state() == AttemptState.SENT && reversalsInBackground && !salesUnderWay.contains(a.id())) {
                    // read again: the request that took it may have recorded its outcome (and left) since the caller
                    // read it (GET's status inquiry takes a while); only one still SENT now was abandoned
                    Attempt now = journal.find(a.id()).orElseThrow();
                    if (now.state() != AttemptState.SENT) {
                        yield result(now);
                    }
                    // in serve, a SENT sale no request is waiting on any more ended without recording its outcome (a
                    // full disk): what its POST answered (OutcomeNotRecorded), until the sweep writes its reversal
                    yield uncertain(now, null);
                }
                // the payment is being taken (another request, another process): neither paid nor failed yet
                yield new PaymentResult(a.orderRef(), PaymentStatus.IN_PROGRESS, a.responseCode(),
                        "In progress: the request " + (a.sentAt() == null ? "is being sent" : "went to the host at "
                                + a.sentAt().atZone(clock.getZone()).format(HMS)) + " and its answer is awaited. Not"
                                + " paid yet, and not failed: ask again after the retry time for the outcome.",
                        a.amount(), a.currency(), a, lock.answerDueBy(a));
            }
        };
    }

    /** What the cashier and the audit trail are told of a sale answered with a code the catalogue does not know. */
    private static String unknownCode(String rc) {
        return "the bank answered code " + rc + ", which this terminal does not know: the payment is reversed to be sure";
    }

    /** A sale the host answered with a code the catalogue does not know, reversed for it ({@link #settle}). */
    private static boolean answeredUnknown(Attempt a) {
        return a.responseCode() != null && ResponseCodes.find(a.responseCode()).isEmpty()
                && ReversalReason.OTHER.code().equals(a.reversalReason());
    }

    /** "reversal try N: what became of it; ..." as {@link ReversalLoop} records a counted try. */
    private static final Pattern REVERSAL_TRY = Pattern.compile("reversal try \\d+: ([^;]+)");

    /**
     * What became of the last counted reversal try, as the journal has it: "0410 answered 96 (System malfunction)" (the
     * host refused it) or why no answer came. The cashier's message says which: a refusal is no network fault.
     */
    private Optional<String> lastReversalTry(Attempt a) {
        List<AttemptEvent> events = journal.events(a.id());
        for (int i = events.size() - 1; i >= 0; i--) {
            Matcher m = REVERSAL_TRY.matcher(events.get(i).detail());
            if (m.lookingAt()) {
                return Optional.of(m.group(1).strip());
            }
        }
        return Optional.empty();
    }

    /**
     * The host approved the payment and the terminal took the approval before it was to be reversed (cancelled at the
     * till, or failed after approval): not a 00 the terminal refused to trust (its MAC failed), which has no auth code.
     */
    private static boolean approvedFirst(Attempt a, ResponseCode rc) {
        return rc != null && rc.approved() && a.authCode() != null;
    }

    /** What the cashier is told of an approved payment under reversal: the charge stands until it goes through. */
    private static String approvedThen(Attempt a, String reason) {
        return "Approved by the host (auth " + a.authCode() + "), then "
                + (ReversalReason.OTHER.code().equals(a.reversalReason()) ? "cancelled" : "to be reversed: " + reason)
                + ": the customer stays charged until the reversal goes through";
    }

    /**
     * The event of the operator's close that says how the attempt stands, if one does ({@link OperatorClose#standing}).
     * Looked up only for an attempt that ended REVERSED, or paid with a reversal reason on it: an approved sale of the
     * normal path has none, and is answered without reading its trail.
     */
    private Optional<String> closedByOperator(Attempt a) {
        if (!(a.state() == AttemptState.REVERSED || (a.state().isPaid() && a.reversalReason() != null))) {
            return Optional.empty();
        }
        return OperatorClose.standing(journal.events(a.id())).map(AttemptEvent::detail);
    }

    private static String reversedMessage(Attempt a, ResponseCode rc, String reason) {
        if (ReversalReason.OTHER.code().equals(a.reversalReason()) && rc != null && rc.approved()) {
            return "Cancelled: the payment was reversed at the host and nothing stands. The order may be paid again.";
        }
        if (answeredUnknown(a)) {
            return "Not approved: the bank answered code " + a.responseCode() + ", which this terminal does not know:"
                    + " the payment was reversed to be sure and nothing stands. The order may be paid again.";
        }
        String why = rc != null && !rc.approved() ? rc.operatorText() : reason;
        return "Not approved: " + why + "; the payment was reversed and nothing stands. The order may be paid again.";
    }

    private static void requireAmount(long amountMinor) {
        if (amountMinor <= 0 || amountMinor > MAX_AMOUNT) {
            throw new IllegalArgumentException("amount must be between 0.01 and 999999999.99, got " + amountMinor
                    + " minor units");
        }
    }
}
