package dev.tally.terminal.support;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.format.Masking;
import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.StatusAnswer;
import dev.tally.terminal.engine.Amounts;
import dev.tally.terminal.engine.OperatorClose;
import dev.tally.terminal.engine.ReversalLoop;
import dev.tally.terminal.engine.StatusReport;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The problem report support asks for (DESIGN.md §1 "the problem log"), generated from the journal and
 * the message log, never typed by hand: time, place, operator, what happened in plain words, the message
 * timeline, environment, impact, what the terminal did, what the host answered, and what support should
 * do next for the state the payment is in. Card numbers appear only masked.
 */
public final class ProblemReport {

    /** Where and by whom: from the config file ({@code location}, {@code address}, {@code operator}) and flags. */
    public record Context(String merchantId, String terminalId, String location, String address, String operator,
                          String tallyVersion, String hostAddress, String journalFile, String messageLogFile,
                          Instant generatedAt, ZoneId zone) {
    }

    /**
     * One attempt with its audit trail and its message-log lines; {@code linesLeftOut} counts the log lines that
     * carried its message id but belong to another journal's or terminal's attempt ({@link AttemptLines});
     * {@code paidBy} is a later attempt of the same order that was approved (null when there is none);
     * {@code ofTheOrder} every attempt of its order the journal held (empty when not looked up), so the answer of a
     * report by --stan or --since knows of those it leaves out.
     */
    public record Case(Attempt attempt, List<AttemptEvent> events, List<MessageLog.Entry> messages, int linesLeftOut,
                       Attempt paidBy, List<Attempt> ofTheOrder) {

        /**
         * The notes of the log lines and the audit trail's lines as the report may show them ({@link
         * Masking#scrubFreeText}): a log handed to support may have been written by anyone, and a note may quote
         * what a parser saw; masking the card number alone let a key or a PIN block in such text through.
         */
        public Case {
            List<String> ids = identifiers(attempt);
            events = events.stream().map(e -> new AttemptEvent(e.attemptId(), e.at(), e.fromState(), e.toState(),
                    Masking.scrubFreeText(e.detail(), ids))).toList();
            messages = messages.stream().map(e -> shown(e, ids)).toList();
            ofTheOrder = ofTheOrder == null ? List.of() : List.copyOf(ofTheOrder);
        }

        private static MessageLog.Entry shown(MessageLog.Entry e, List<String> ids) {
            return new MessageLog.Entry(e.ts(), e.dir(), e.peer(), e.terminalId(), e.orderRef(),
                    Masking.scrubFreeText(e.mti(), ids), e.stan(), e.messageId(), e.event(),
                    Masking.scrubFreeText(e.responseCode(), ids), e.latencyMs(), e.fields(),
                    Masking.scrubFreeText(e.note(), ids));
        }

        /**
         * What the report names anyway, so free text may show it where it would look like bytes (an order id that is
         * a 32-hex-digit UUID): the order as the report shows it (withheld when it looks like a card number), the
         * terminal and merchant ids.
         */
        private static List<String> identifiers(Attempt a) {
            List<String> ids = new ArrayList<>();
            String order = dev.tally.spec.message.OrderReference.shown(a.orderRef());
            for (String id : new String[] {order, a.terminalId(), a.merchantId()}) {
                if (id != null && !id.isEmpty()) { // a card number in one is masked before this is asked
                    ids.add(id);
                }
            }
            return ids;
        }

        public Case(Attempt attempt, List<AttemptEvent> events, List<MessageLog.Entry> messages) {
            this(attempt, events, messages, 0, null, List.of());
        }

        /** The attempt with its lines of {@code log} ({@link AttemptLines#of}), and the order's later attempts. */
        public static Case of(Attempt attempt, List<AttemptEvent> events, List<MessageLog.Entry> log,
                              List<Attempt> ofTheOrder) {
            AttemptLines lines = AttemptLines.of(attempt, log);
            Attempt paidBy = ofTheOrder.stream()
                    .filter(o -> o.id() > attempt.id() && Objects.equals(o.orderRef(), attempt.orderRef())
                            && (o.state() == AttemptState.APPROVED || o.state() == AttemptState.SETTLED))
                    .findFirst().orElse(null);
            return new Case(attempt, events, lines.lines(), lines.leftOut(), paidBy, ofTheOrder);
        }
    }

    /**
     * How the report names an attempt: by its STAN, followed by its terminal id ("STAN 000081 on TALLY001") when the
     * attempts the report names span more than one terminal id (a STAN is one terminal's count: TALLY001's STAN 000002
     * and TALLY002's are other sales); the time of a status inquiry in {@code zone}.
     */
    record Naming(boolean terminals, ZoneId zone) {

        String stan(Attempt a) {
            return "STAN " + a.stanText() + (terminals ? " on " + a.terminalId() : "");
        }

        /** For one attempt judged alone: its terminal named when its order's attempts span several terminal ids. */
        static Naming of(Case c) {
            Set<String> ids = new LinkedHashSet<>();
            ids.add(c.attempt().terminalId());
            c.ofTheOrder().forEach(o -> ids.add(o.terminalId()));
            if (c.paidBy() != null) {
                ids.add(c.paidBy().terminalId());
            }
            return new Naming(ids.size() > 1, java.time.ZoneOffset.UTC);
        }

        /** For an order's attempts judged without a report: their terminals named when they are on several. */
        static Naming of(List<Case> attempts) {
            return new Naming(attempts.stream().map(c -> c.attempt().terminalId()).distinct().count() > 1,
                    java.time.ZoneOffset.UTC);
        }
    }

    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Pattern WITHIN_MS = Pattern.compile("within (\\d+) ms");
    private static final Pattern SALE_ANSWER = Pattern.compile("^0210 answered (\\w{2})");

    private final Context ctx;
    private final String subject;
    private final List<Case> cases;
    private final List<String> terminalIds;
    private final Naming naming;

    public ProblemReport(Context ctx, String subject, List<Case> cases) {
        this.ctx = ctx;
        this.subject = subject;
        this.cases = List.copyOf(cases);
        this.terminalIds = terminalIdsOf();
        this.naming = new Naming(terminalIds.size() > 1, ctx.zone());
    }

    // ------------------------------------------------------------------ judgements per attempt

    /**
     * The event of the operator's close that ended the attempt (PaymentEngine#closeFailedReversal: its reversal never
     * acknowledged, the acquirer's word recorded), if one did.
     */
    static Optional<AttemptEvent> closedByOperator(Case c) {
        AttemptState s = c.attempt().state();
        if (!(s == AttemptState.REVERSED || s.isPaid())) {
            return Optional.empty();
        }
        return OperatorClose.standing(c.events());
    }

    /** Whether the operator's close was made on the acquirer's word alone, the host never having answered (--without-host). */
    private static boolean onTheAcquirersWordAlone(AttemptEvent close) {
        return OperatorClose.withoutReference(close.detail()).contains("closed on the acquirer's word alone");
    }

    /** What the customer's card is left with, in one phrase. */
    public static String outcome(Case c) {
        Attempt a = c.attempt();
        Optional<StatusAnswer> host = lastStatus(c);
        Optional<Inquiry> disagreed = disagreement(c);
        if (disagreed.isPresent()) {
            return "not known whether the customer was charged " + money(a) + ": the terminal recorded the sale approved"
                    + " (RRN " + a.rrn() + "), but a status inquiry found it " + atHost(disagreed.get()) + " at the host";
        }
        Optional<AttemptEvent> closed = closedByOperator(c);
        if (closed.isPresent()) {
            String alone = onTheAcquirersWordAlone(closed.get()) ? ", without the host's confirmation" : "";
            return a.state() == AttemptState.REVERSED
                    ? "the customer was not charged, as the acquirer confirmed (the reversal was never acknowledged; the"
                    + " operator closed it" + alone + ")"
                    : "the customer was charged " + money(a) + ", as the acquirer confirmed (RRN " + a.rrn() + "; the"
                    + " reversal was never acknowledged; the operator closed it" + alone + ")";
        }
        return switch (a.state()) {
            case APPROVED, SETTLED -> host.filter(h -> h.credit() == StatusAnswer.CreditState.NOT_CREDITED).isPresent()
                    ? "the customer was charged " + money(a) + " but the host reports the merchant was NOT credited"
                    : "the customer was charged " + money(a) + " (approved, RRN " + a.rrn() + ")";
            case DECLINED -> "the customer was not charged (declined " + a.responseCode() + ")";
            case REVERSED -> "the customer was not charged (the reversal was acknowledged; nothing stands)";
            case REVERSAL_PENDING, SENT, NEW, REVERSAL_FAILED -> {
                String reversal = a.state() == AttemptState.REVERSAL_FAILED ? "the reversal was never acknowledged"
                        : "the reversal is pending";
                yield switch (host.map(StatusAnswer::state).orElse(null)) {
                    case APPROVED -> "the customer was charged " + money(a) + " (a status inquiry found the sale standing at"
                            + " the host) and " + reversal;
                    case DECLINED, REVERSED, NOT_FOUND -> "the customer was not charged (a status inquiry found nothing"
                            + " standing at the host) but " + reversal;
                    case null -> a.state() == AttemptState.REVERSAL_FAILED
                            ? "the customer MAY have been charged " + money(a) + ": " + reversal
                            : "not known yet whether the customer was charged: " + reversal;
                };
            }
        };
    }

    /**
     * yes / no / unknown: the journal's state, or for an uncertain one what a status inquiry found; an approved one
     * whose latest status inquiry found the host holding something else is unknown ({@link #disagreement}).
     */
    public static String charged(Case c) {
        return switch (c.attempt().state()) {
            case APPROVED, SETTLED -> disagreement(c).isPresent() ? "unknown" : "yes";
            case DECLINED, REVERSED -> "no";
            default -> switch (lastStatus(c).map(StatusAnswer::state).orElse(null)) {
                case APPROVED -> "yes";
                case DECLINED, REVERSED, NOT_FOUND -> "no";
                case null -> "unknown";
            };
        };
    }

    /** What support should do next for this state (docs/support.md §4, the follow-up table). */
    public static String followUp(Case c) {
        return String.join(" ", followUpSentences(c, Naming.of(c)));
    }

    /** Said to every attempt of an order that stands or is paid; the report says it once per order. */
    static final String DO_NOT_CHARGE = "Do not charge the customer again (a new sale of the order is refused ALREADY_PAID).";

    /**
     * The follow-up as sentences, so that a report of several attempts of one order can say a sentence two of them
     * share once ({@link #followUps}).
     */
    static List<String> followUpSentences(Case c, Naming n) {
        return followUpSentences(c, n, Optional.empty());
    }

    /**
     * {@link #followUpSentences(Case, Naming)}, knowing of the later attempt that paid the order ({@link Case#paidBy})
     * whether the host disagrees about it ({@code paidByDisputed}: its {@link #disagreement}): a report that holds that
     * attempt's trail knows.
     */
    static List<String> followUpSentences(Case c, Naming n, Optional<Inquiry> paidByDisputed) {
        Attempt a = c.attempt();
        String stan = n.stan(a);
        Optional<StatusAnswer> host = lastStatus(c);
        String order = a.orderRef();
        return switch (a.state()) {
            case APPROVED, SETTLED -> {
                Optional<Inquiry> disagreed = disagreement(c);
                if (disagreed.isPresent()) {
                    yield disagreeing(c, disagreed.get(), n);
                }
                if (host.isEmpty()) {
                    yield List.of("Nothing to undo: the payment stands.", DO_NOT_CHARGE,
                            "If the merchant says it was not credited, run 'tally status --order " + order
                            + "' and reconcile with the acquirer's statement.");
                }
                yield switch (host.get().credit()) {
                    case NOT_CREDITED -> List.of("Raise a not-credited case with the acquirer: sale " + stan + ", RRN "
                            + a.rrn() + ", " + money(a) + " was approved and the card charged, but the merchant"
                            + " was never credited.", "Do not charge the customer again or refund; attach this report and"
                            + " ask the acquirer to credit the merchant.");
                    case PENDING -> List.of("The credit is pending at the host" + (host.get().creditDate() == null ? ""
                            : " (expected " + host.get().creditDate() + ")") + ": wait for it and check the statement"
                            + " then.", DO_NOT_CHARGE);
                    case CREDITED -> List.of("Nothing to do: the payment stands and the merchant is credited"
                            + (host.get().creditDate() == null ? "" : " (" + host.get().creditDate() + ")") + ".",
                            DO_NOT_CHARGE);
                    // NONE is no credit: the host holds the sale approved but names no credit of the merchant
                    case NONE -> List.of("The host holds the sale approved but reports no merchant credit for it (NONE):"
                            + " check the acquirer's statement; if the merchant is not credited, raise a not-credited case"
                            + " with the acquirer (sale " + stan + ", RRN " + a.rrn() + ", " + money(a) + ").",
                            DO_NOT_CHARGE);
                };
            }
            case DECLINED -> c.paidBy() != null ? paidLater(c, "declined " + a.responseCode(), n, paidByDisputed)
                    : List.of("Nothing stands: the customer may pay again"
                    + Optional.ofNullable(a.responseCode()).flatMap(ResponseCodes::find)
                    .map(rc -> " (" + rc.operatorText() + ")").orElse("") + ".");
            case REVERSED -> c.paidBy() != null ? paidLater(c, closedByOperator(c).isPresent()
                    ? "not charged, as the acquirer confirmed to the operator" : "reversed, acknowledged by the host", n,
                    paidByDisputed)
                    : List.of("Nothing stands: the order may be paid again.", "If the customer's statement shows a hold,"
                    + " it is released by the issuer; quote " + stan + " and this report.");
            case REVERSAL_PENDING, SENT, NEW, REVERSAL_FAILED ->
                    List.of(uncertain(c, host.map(StatusAnswer::state).orElse(null), n));
        };
    }

    /**
     * An attempt the journal holds approved (or settled) whose latest status inquiry found the host holding the sale as
     * something else: neither side is taken for the truth, the acquirer decides.
     */
    private static List<String> disagreeing(Case c, Inquiry found, Naming n) {
        Attempt a = c.attempt();
        return List.of("The journal and the host disagree: the terminal recorded sale " + n.stan(a) + " (field 7 "
                + a.transmissionTime() + ", " + money(a) + ") approved, RRN " + a.rrn() + ", but the host's answer to the"
                + " latest status inquiry says " + atHost(found) + " (merchant credit " + found.answer().credit()
                + "): it is not known whether the customer was charged.", "Escalate to the acquirer and reconcile: quote"
                + " " + n.stan(a) + ", field 7 " + a.transmissionTime() + " and RRN " + a.rrn() + ", and ask"
                + " whether the card was charged and the merchant credited.", "Do not charge the customer again or"
                + " refund before the acquirer answers.");
    }

    /** What a status inquiry found the sale to be at the host, in words: APPROVED, REVERSED, NOT FOUND, DECLINED. */
    private static String atHost(Inquiry i) {
        return i.answer().state().name().replace('_', ' ');
    }

    /**
     * An earlier attempt that left nothing standing, of an order a later attempt paid; or, when the host disagrees about
     * that later attempt ({@code disputed}), of an order not known to be paid: that attempt's follow-up says what to do.
     */
    private static List<String> paidLater(Case c, String how, Naming n, Optional<Inquiry> disputed) {
        Attempt p = c.paidBy();
        String hold = "A hold this attempt left on the card is released by the issuer (quote " + n.stan(c.attempt()) + ").";
        if (disputed.isPresent()) {
            return List.of("This attempt left nothing standing (" + how + "); the later attempt " + n.stan(p) + " ("
                    + p.state() + " in the journal, RRN " + p.rrn() + ", " + money(p) + ") is in dispute: the host's"
                    + " answer to its latest status inquiry says " + atHost(disputed.get()) + ", so it is not known"
                    + " whether the order is paid (see the follow-up of " + n.stan(p) + ").", hold);
        }
        return List.of("This attempt left nothing standing (" + how + "); the order is paid by the later attempt "
                + n.stan(p) + " (" + p.state() + ", RRN " + p.rrn() + ", " + money(p) + ").", DO_NOT_CHARGE, hold);
    }

    /**
     * Each attempt's follow-up with what another attempt of its order already says left out: the order's latest
     * attempt (the one that decides what stands) keeps all of its own, an earlier one only what is its alone.
     */
    private Map<Case, String> followUps() {
        Naming n = naming;
        Map<Case, String> out = new java.util.IdentityHashMap<>();
        for (List<Case> order : byOrder().values()) {
            Set<String> said = new java.util.HashSet<>();
            Case latest = null;
            for (Case c : order.reversed()) {
                if (cases.contains(c)) {
                    latest = latest == null ? c : latest;
                    // the attempt that paid the order, with its trail when the report holds it: is it in dispute?
                    Optional<Inquiry> paidByDisputed = c.paidBy() == null ? Optional.empty() : order.stream()
                            .filter(o -> o.attempt().id() == c.paidBy().id()).findFirst().flatMap(ProblemReport::disagreement);
                    List<String> own = followUpSentences(c, n, paidByDisputed).stream().filter(said::add).toList();
                    out.put(c, own.isEmpty() ? "Nothing more for this attempt (see the order's other attempts)."
                            : String.join(" ", own));
                }
            }
            // an attempt of the order outside the report whose outcome is open may stand at the host: the Answer says so,
            // and the follow-up must too, or "nothing to undo" of the attempt in the report is all support reads
            List<String> open = leftOut(order).stream().filter(c -> switch (c.attempt().state()) {
                case NEW, SENT, REVERSAL_PENDING, REVERSAL_FAILED -> true;
                default -> false;
            }).map(c -> n.stan(c.attempt()) + " (" + c.attempt().state() + ")").toList();
            if (latest != null && !open.isEmpty()) {
                out.put(latest, out.get(latest) + " The order's attempt " + String.join(", ", open) + " is not in this"
                        + " report and its outcome is open: it may stand at the host; run 'tally report --order "
                        + latest.attempt().orderRef() + "' and follow it up too.");
            }
        }
        return out;
    }

    /** A sale whose outcome the terminal does not know, or whose reversal did not get through. */
    private static String uncertain(Case c, StatusAnswer.OriginalState atHost, Naming n) {
        Attempt a = c.attempt();
        boolean failed = a.state() == AttemptState.REVERSAL_FAILED;
        String sale = "sale " + n.stan(a) + " (field 7 " + a.transmissionTime() + ", " + money(a) + ")";
        // said once: "do not take the payment again" closes each text
        String locked = " When the host is reachable run 'tally pending --resolve'; the order stays locked until"
                + " then and is listed for reconciliation.";
        Optional<String> notSent = reversalNotSent(c);
        if (atHost == StatusAnswer.OriginalState.APPROVED) {
            return "Escalate to the acquirer: " + sale + " stands at the host (a status inquiry found it approved) and"
                    + " its reversal " + (failed ? "never got through" : "has not got through yet") + "; have it reversed"
                    + " or refunded." + (failed ? locked
                    : " (Should the terminal's reversal be acknowledged first, the order shows REVERSED and nothing stands.)")
                    + " Do not take the payment again.";
        }
        if (notSent.isPresent()) {
            return "The terminal could not send this reversal (" + notSent.get() + "), so 'tally pending --resolve' cannot"
                    + " close it: ask the acquirer whether " + sale + " stands, quoting " + n.stan(a) + " and field 7"
                    + "; if it does, have it reversed or refunded. Other orders' reversals and new sales go on; this order"
                    + " stays locked. Do not take the payment again before the acquirer answers.";
        }
        if (atHost != null) { // DECLINED, REVERSED, NOT_FOUND: nothing stands
            return "A status inquiry found nothing standing at the host (" + atHost + "): the customer was not charged,"
                    + " but the reversal is not acknowledged. Run 'tally pending --resolve' when the host is reachable:"
                    + " the reversal is acknowledged (25, original not found, when the host never had the sale) and the"
                    + " order shows REVERSED. Do not take the payment again until then.";
        }
        if (failed) {
            return "Escalate to the acquirer: ask whether " + sale + " stands; if it does, have it reversed or refunded."
                    + locked + " Do not take the payment again before that.";
        }
        return "Keep the terminal online and run 'tally pending --resolve' (or wait for the reversal loop); do not take"
                + " the payment again until the order shows REVERSED.";
    }

    // ------------------------------------------------------------------ the answer per order

    /**
     * The report's cases by order, each in journal order. An attempt of the order that is not itself in the report (a
     * report by --stan or --since) is added without its trail, so the answer knows of it: a later attempt that paid the
     * order, and the order's other attempts (an earlier one whose reversal failed may stand at the host). An order is
     * one across the journal's terminal ids, as its lock is (a sale of an order another terminal id paid is refused
     * ALREADY_PAID): its attempts on several terminal ids are one answer, each named with its terminal.
     */
    private Map<String, List<Case>> byOrder() {
        Map<String, List<Case>> out = new LinkedHashMap<>();
        for (Case c : cases) {
            out.computeIfAbsent(String.valueOf(c.attempt().orderRef()), k -> new ArrayList<>()).add(c);
        }
        for (List<Case> order : out.values()) {
            for (Case c : List.copyOf(order)) {
                List<Attempt> more = new ArrayList<>();
                if (c.paidBy() != null) {
                    more.add(c.paidBy());
                }
                c.ofTheOrder().stream().filter(o -> Objects.equals(o.orderRef(), c.attempt().orderRef()))
                        .forEach(more::add);
                for (Attempt p : more) {
                    if (order.stream().noneMatch(o -> o.attempt().id() == p.id())) {
                        order.add(new Case(p, List.of(), List.of()));
                    }
                }
            }
            order.sort(java.util.Comparator.comparingLong(o -> o.attempt().id()));
        }
        return out;
    }

    /** The attempts of these cases the report does not hold with their trail: judged by their journal state alone. */
    private List<Case> leftOut(List<Case> order) {
        Set<Long> held = new java.util.HashSet<>();
        cases.forEach(c -> held.add(c.attempt().id()));
        return order.stream().filter(c -> !held.contains(c.attempt().id())).toList();
    }

    /**
     * Every terminal id of the attempts the report names (its own and the other attempts of their orders), in journal
     * order.
     */
    private List<String> terminalIdsOf() {
        return byOrder().values().stream().flatMap(List::stream).map(Case::attempt)
                .sorted(java.util.Comparator.comparingLong(Attempt::id)).map(Attempt::terminalId).distinct().toList();
    }

    /**
     * The ticket's question answered in one line: was the customer charged for this order, and how many times, each
     * attempt named by its STAN: "charged once: STAN 000123 approved (RRN ...), settled in batch 000004; the earlier
     * attempt STAN 000122 was reversed — no second charge".
     */
    static String answer(List<Case> order) {
        return answer(order, List.of(), Naming.of(order));
    }

    /**
     * {@link #answer(List)}, naming the attempts in {@code leftOut} (in {@code order}, not in the report): they count by
     * their journal state (an uncertain one is unknown: its status inquiries are on its trail, which the report does
     * not hold), and the line says how to see them whole.
     */
    static String answer(List<Case> order, List<Case> leftOut, Naming n) {
        String said = saidOf(order, n);
        if (leftOut.isEmpty()) {
            return said;
        }
        Attempt a = order.getFirst().attempt();
        return said + " (not in this report: " + String.join(", ", leftOut.stream().map(c -> n.stan(c.attempt())
                + " " + c.attempt().state()).toList()) + ", judged by the journal's state alone;"
                + " 'tally report --order " + a.orderRef() + "' shows every attempt of the order)";
    }

    private static String saidOf(List<Case> order, Naming n) {
        List<Case> charged = order.stream().filter(c -> charged(c).equals("yes")).toList();
        List<Case> unknown = order.stream().filter(c -> charged(c).equals("unknown")).toList();
        List<Case> others = order.stream().filter(c -> charged(c).equals("no")).toList();
        StringBuilder sb = new StringBuilder();
        if (charged.isEmpty() && unknown.isEmpty()) {
            sb.append("not charged: ").append(String.join("; ", order.stream().map(c -> what(c, n)).toList()))
                    .append(" — nothing stands");
            return sb.toString();
        }
        if (!unknown.isEmpty()) {
            sb.append(charged.isEmpty() ? "not known whether the customer was charged: "
                    : "charged " + times(charged.size()) + " at least: ");
        } else {
            sb.append("charged ").append(times(charged.size())).append(": ");
        }
        List<String> parts = new ArrayList<>();
        charged.forEach(c -> parts.add(what(c, n)));
        unknown.forEach(c -> parts.add(what(c, n)));
        sb.append(String.join("; ", parts));
        if (!others.isEmpty()) {
            long first = charged.isEmpty() ? unknown.getFirst().attempt().id() : charged.getFirst().attempt().id();
            boolean earlier = others.stream().allMatch(o -> o.attempt().id() < first);
            sb.append("; the ").append(earlier ? "earlier " : "other ").append(others.size() == 1 ? "attempt " : "attempts ")
                    .append(String.join(", ", others.stream().map(c -> what(c, n)).toList()));
        }
        if (!unknown.isEmpty() && unknown.stream().allMatch(c -> disagreement(c).isPresent())) {
            sb.append(charged.isEmpty() ? " — the journal and the host disagree: reconcile with the acquirer"
                    : " — a second charge is possible: the journal and the host disagree, reconcile with the acquirer");
        } else if (!unknown.isEmpty()) {
            sb.append(charged.isEmpty() ? " — resolve the open attempt before taking the payment again"
                    : " — a second charge is possible until the open attempt is resolved");
        } else if (charged.stream().anyMatch(c -> !AttemptState.PAID.contains(c.attempt().state()))) {
            sb.append(" — it stands until the acquirer reverses or refunds it");
        } else if (charged.size() == 1) {
            sb.append(order.size() > 1 ? " — no second charge" : "");
        } else {
            sb.append(" — the customer was charged more than once: escalate to the acquirer");
        }
        return sb.toString();
    }

    private static String times(int n) {
        return n == 1 ? "once" : n == 2 ? "twice" : n + " times";
    }

    /** One attempt in a few words, by its STAN ({@link Naming}). */
    private static String what(Case c, Naming n) {
        Attempt a = c.attempt();
        ZoneId zone = n.zone();
        String stan = n.stan(a);
        Optional<Inquiry> disagreed = disagreement(c);
        if (disagreed.isPresent()) {
            Inquiry i = disagreed.get();
            java.time.ZonedDateTime at = i.at().atZone(zone);
            String when = at.toLocalDate().equals(a.createdAt().atZone(zone).toLocalDate()) ? "at " + at.format(HMS)
                    : "on " + at.format(DATE_TIME);
            return "the terminal recorded " + stan + " approved (RRN " + a.rrn() + ")" + (a.state() == AttemptState.SETTLED
                    ? " and settled in batch " + a.batchText() : "") + ", but the host's answer to a status inquiry "
                    + when + " says " + atHost(i);
        }
        Optional<StatusAnswer> host = lastStatus(c);
        String credit = host.filter(h -> h.credit() == StatusAnswer.CreditState.NOT_CREDITED).isPresent()
                ? ", merchant NOT credited" : "";
        String reversal = a.state() == AttemptState.REVERSAL_FAILED ? "its reversal failed" : "its reversal is pending";
        Optional<AttemptEvent> closed = closedByOperator(c);
        String paid = stan + (closed.isPresent() ? " charged, as the acquirer confirmed (closed by the operator; RRN "
                : " approved (RRN ") + a.rrn() + ")";
        return switch (a.state()) {
            case APPROVED -> paid + ", not settled yet" + credit;
            case SETTLED -> paid + (closed.filter(e -> e.toState() == AttemptState.SETTLED).isPresent() ? "; its batch "
                    + a.batchText() + " was settled without it: the acquirer's statement shows it"
                    : ", settled in batch " + a.batchText()) + credit;
            case DECLINED -> stan + " was declined (" + a.responseCode() + ")";
            case REVERSED -> closed.isPresent() ? stan + " was not charged, as the acquirer confirmed"
                    + " (closed by the operator)" : stan + " was reversed";
            case REVERSAL_PENDING, SENT, NEW, REVERSAL_FAILED -> switch (host.map(StatusAnswer::state).orElse(null)) {
                case APPROVED -> stan + " stands at the host (a status inquiry found it approved) and " + reversal;
                case DECLINED, REVERSED, NOT_FOUND -> stan + " left nothing at the host (a status inquiry found it "
                        + host.get().state().name().replace('_', ' ') + ") but " + reversal;
                case null -> stan + " has no known outcome: " + reversal;
            };
        };
    }

    /** One answer per order, in the report's order. */
    private List<Map<String, Object>> answers() {
        Naming n = naming;
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Case> order : byOrder().values()) {
            Attempt a = order.getFirst().attempt();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("orderId", a.orderRef());
            // the latest attempt decides what stands; terminalIds names every terminal id the order's attempts are on
            o.put("terminalId", order.getLast().attempt().terminalId());
            o.put("terminalIds", order.stream().map(c -> c.attempt().terminalId()).distinct().toList());
            o.put("answer", answer(order, leftOut(order), n));
            out.add(o);
        }
        return out;
    }

    /**
     * The reason of the last "reversal not sent: ..." note when no reversal has left since: the terminal cannot build
     * this attempt's reversal (e.g. its stored card number is gone). "reversal not sent now: ..." (the host was not
     * reachable) is not such a note: the next try can go.
     */
    static Optional<String> reversalNotSent(Case c) {
        String reason = null;
        for (AttemptEvent e : c.events()) {
            if (e.detail().startsWith(NOT_SENT)) {
                reason = e.detail().substring(NOT_SENT.length());
            } else if (ReversalLoop.REVERSAL_SENT.matcher(e.detail()).find()) {
                reason = null;
            }
        }
        return Optional.ofNullable(reason);
    }

    private static final String NOT_SENT = "reversal not sent: ";

    /** "sale of 12.34 sent 10:41:07, no answer in 60 s, reversal sent 3 times, acknowledged 10:42:30; ..." */
    public String description(Case c) {
        Attempt a = c.attempt();
        StringBuilder sb = new StringBuilder();
        sb.append("sale of ").append(money(a)).append(" for order ").append(a.orderRef()).append(" (")
                .append(naming.stan(a)).append(")");
        Instant sent = a.sentAt() != null ? a.sentAt() : a.createdAt();
        Optional<String> unsent = saleNotSent(c);
        if (unsent.isPresent()) { // its write failed: the host never had it (the engine reverses it all the same)
            sb.append(" could not be sent at ").append(hms(sent)).append(": the link to the host had broken (")
                    .append(unsent.get()).append(")");
        } else {
            sb.append(" sent ").append(hms(sent));
            sb.append(", ").append(saleAnswer(c));
        }
        List<AttemptEvent> trail = c.events().stream().filter(e -> !e.isRefusal()).toList(); // refusals quote text
        long reversals = java.util.stream.IntStream.range(0, trail.size())
                .filter(i -> ReversalLoop.REVERSAL_SENT.matcher(trail.get(i).detail()).find()
                        && ReversalLoop.left(trail, i))
                .count(); // a try whose write failed (given back) did not leave
        if (reversals > 0) {
            sb.append(", reversal sent ").append(reversals).append(reversals == 1 ? " time" : " times");
            Optional<AttemptEvent> closed = closedByOperator(c);
            Optional<AttemptEvent> ack = c.events().stream().filter(e -> e.toState() == AttemptState.REVERSED
                    && e.fromState() != AttemptState.REVERSED).findFirst();
            if (closed.isPresent()) {
                sb.append(", never acknowledged; closed by the operator ").append(hms(closed.get().at())).append(" as ")
                        .append(a.state() == AttemptState.REVERSED ? "not charged" : "charged")
                        .append(", as the acquirer confirmed");
            } else if (ack.isPresent()) {
                sb.append(", acknowledged ").append(hms(ack.get().at()));
            } else if (a.state() == AttemptState.REVERSAL_FAILED) {
                sb.append(", never acknowledged");
            } else {
                sb.append(", not acknowledged yet");
            }
        }
        sb.append("; ").append(outcome(c));
        return sb.toString();
    }

    private String saleAnswer(Case c) {
        for (AttemptEvent e : c.events()) {
            Matcher m = SALE_ANSWER.matcher(e.detail());
            if (m.find()) {
                String rc = m.group(1);
                String meaning = ResponseCodes.find(rc).map(ResponseCode::meaning).orElse("unknown code");
                String s = "answered " + rc + " (" + meaning + ") at " + hms(e.at());
                if (e.detail().contains("MAC did not verify") || e.detail().contains("without a MAC")) {
                    s += " but the answer could not be trusted (MAC)";
                }
                return s;
            }
        }
        for (MessageLog.Entry e : c.messages()) {
            if ("0200".equals(requestMtiOf(c, e)) && e.event() != MessageLog.Event.REQUEST && e.event() != MessageLog.Event.RESPONSE) {
                return switch (e.event()) {
                    case TIMEOUT -> "no answer in " + seconds(e.latencyMs());
                    case GARBAGE -> "the host answered with garbled bytes";
                    case DISCONNECTED -> "the host closed the connection without answering";
                    default -> "no usable answer";
                };
            }
        }
        for (AttemptEvent e : c.events()) {
            if (e.fromState() == AttemptState.SENT && e.toState() == AttemptState.REVERSAL_PENDING) {
                Matcher m = WITHIN_MS.matcher(e.detail());
                if (m.find()) {
                    return "no answer in " + seconds(Long.parseLong(m.group(1)));
                }
                return "no usable answer (" + e.detail() + ")";
            }
        }
        return c.attempt().state() == AttemptState.SENT ? "no answer yet" : "no answer recorded";
    }

    /**
     * Why the sale's write failed, when its message-log line says it was not sent ({@link LoggedChannel#NOT_SENT}: no
     * whole frame left, the link was already broken); empty when it left or the log does not say.
     */
    private static Optional<String> saleNotSent(Case c) {
        return c.messages().stream()
                .filter(e -> "0200".equals(requestMtiOf(c, e)) && e.event() == MessageLog.Event.DISCONNECTED
                        && e.note() != null && e.note().startsWith(LoggedChannel.NOT_SENT))
                .map(e -> e.note().substring(LoggedChannel.NOT_SENT.length()))
                .findFirst();
    }

    /** The log line's STAN belongs to the sale (not a reversal) when it is the attempt's STAN. */
    private static String requestMtiOf(Case c, MessageLog.Entry e) {
        return c.attempt().stanText().equals(e.stan()) ? "0200" : null;
    }

    private static String seconds(Long ms) {
        if (ms == null) {
            return "the timeout";
        }
        BigDecimal s = BigDecimal.valueOf(ms).movePointLeft(3).stripTrailingZeros();
        return s.toPlainString() + " s";
    }

    static Optional<StatusAnswer> lastStatus(Case c) {
        return lastInquiry(c).map(Inquiry::answer);
    }

    /** A status inquiry's answer as the attempt's audit trail holds it ('tally status'), and when it was written. */
    record Inquiry(Instant at, StatusAnswer answer) {
    }

    static Optional<Inquiry> lastInquiry(Case c) {
        return StatusReport.lastNoted(c.events()).map(n -> new Inquiry(n.at(), n.answer()));
    }

    /**
     * The latest status inquiry of an attempt the journal holds APPROVED or SETTLED, when it found the host holding the
     * sale as something else (REVERSED, NOT_FOUND, DECLINED): the journal and the host disagree, so whether the customer
     * was charged is not known (a reversal from elsewhere, a host that lost the sale) and the acquirer decides.
     */
    static Optional<Inquiry> disagreement(Case c) {
        if (!c.attempt().state().isPaid()) {
            return Optional.empty();
        }
        return lastInquiry(c).filter(i -> i.answer().state() != StatusAnswer.OriginalState.APPROVED);
    }

    private static String money(Attempt a) {
        return Amounts.format(a.amount()) + " " + a.currency();
    }

    private String hms(Instant t) {
        return t == null ? "?" : t.atZone(ctx.zone()).format(HMS);
    }

    private String dateTime(Instant t) {
        return t == null ? "?" : t.atZone(ctx.zone()).format(DATE_TIME);
    }

    // ------------------------------------------------------------------ output

    private static String environment() {
        return "OS " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                + System.getProperty("os.arch") + "), JDK " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vendor") + ")";
    }

    /** The host the payments went to, from the message log; else this command's --host/--port, said as such. */
    private String hostAddress() {
        return logPeer().orElse(ctx.hostAddress() + " (this command's --host/--port: the journal does not record the"
                + " host; give --message-log for the one the payments went to)");
    }

    private Optional<String> logPeer() {
        for (Case c : cases) {
            for (MessageLog.Entry e : c.messages()) {
                if (e.peer() != null) {
                    return Optional.of(e.peer());
                }
            }
        }
        return Optional.empty();
    }

    private Instant first() {
        return cases.stream().map(c -> c.attempt().createdAt()).min(Instant::compareTo).orElse(null);
    }

    private Instant last() {
        Instant t = null;
        for (Case c : cases) {
            for (AttemptEvent e : c.events()) {
                t = t == null || e.at().isAfter(t) ? e.at() : t;
            }
            for (MessageLog.Entry e : c.messages()) {
                Instant at = Instant.ofEpochMilli(e.ts());
                t = t == null || at.isAfter(t) ? at : t;
            }
        }
        return t;
    }

    private List<String> timelineLines(Case c) {
        List<String> out = new ArrayList<>();
        for (MessageLog.Entry e : c.messages()) {
            StringBuilder sb = new StringBuilder();
            sb.append(dateTime(Instant.ofEpochMilli(e.ts()))).append("  ").append(e.dir() == MessageLog.Direction.OUT
                    ? "terminal -> host" : "host -> terminal").append("  ").append(e.event());
            if (e.mti() != null) {
                sb.append(" ").append(e.mti());
            }
            sb.append(" STAN ").append(e.stan());
            if (e.responseCode() != null) {
                sb.append(" rc ").append(e.responseCode());
            }
            if (e.latencyMs() != null) {
                sb.append(" after ").append(e.latencyMs()).append(" ms");
            }
            if (e.note() != null) {
                sb.append(" (").append(e.note()).append(")");
            }
            out.add(sb.toString());
        }
        return out;
    }

    /**
     * Why an attempt's timeline is empty: no message log was given (or it is not there), or the log given holds no line
     * of this attempt (written before the log was, to another log, or only another journal's or terminal's lines with
     * its message id, which {@link #leftOutNote} counts).
     */
    private String noLines(Case c) {
        if (ctx.messageLogFile() == null) {
            return "no message log";
        }
        return "the message log given holds no line of this attempt" + (c.linesLeftOut() > 0
                ? ", only another journal's or terminal's lines with its message id" : "");
    }

    /** Said once under the timeline when lines with the attempt's message id were someone else's. */
    private static String leftOutNote(Case c) {
        return "(" + c.linesLeftOut() + " message-log line" + (c.linesLeftOut() == 1 ? "" : "s") + " with message id"
                + " attempt-" + c.attempt().id() + " left out: another journal's or terminal's attempt (terminal id, order,"
                + " STAN or field 7 differ))";
    }

    private List<String> systemResponses(Case c) {
        Set<String> out = new LinkedHashSet<>();
        boolean inquirySaid = false;
        for (MessageLog.Entry e : c.messages()) {
            if (e.responseCode() != null) {
                String late = e.event() == MessageLog.Event.RESPONSE ? ""
                        : " — " + e.event().name().toLowerCase().replace('_', ' ');
                Optional<String> inquiry = inquiryAnswer(e);
                if (inquiry.isPresent()) {
                    inquirySaid = true;
                    out.add(e.mti() + " " + e.responseCode() + " (" + inquiry.get() + ")" + late);
                    continue;
                }
                String meaning = ResponseCodes.find(e.responseCode()).map(rc -> rc.meaning() + ": " + rc.operatorText())
                        .orElse("unknown code");
                out.add(e.mti() + " " + e.responseCode() + " (" + meaning + ")" + late);
            } else if (e.event() != MessageLog.Event.REQUEST) {
                out.add(e.event() + (e.note() == null ? "" : ": " + e.note()));
            }
        }
        if (out.isEmpty()) {
            for (AttemptEvent e : c.events()) {
                // a refused request is the terminal's word to the cashier, not the host's (LOCKED says "unanswered")
                if (!e.isRefusal() && (e.detail().contains("answered") || e.detail().contains("no answer"))) {
                    out.add(e.detail());
                }
            }
        }
        if (!inquirySaid) {
            lastStatus(c).ifPresent(s -> out.add("status inquiry: the host holds the sale as " + s.state()
                    + ", merchant credit " + s.credit() + (s.creditDate() == null ? "" : " (" + s.creditDate() + ")")));
        }
        return new ArrayList<>(out);
    }

    /**
     * A status inquiry's answer (0110, processing code 38) in words: its 00 says only that the inquiry was answered,
     * not that anything was approved; what the host holds is in field 48 (SPEC.md, status inquiry).
     */
    static Optional<String> inquiryAnswer(MessageLog.Entry e) {
        if (!"0110".equals(e.mti()) || e.fields() == null
                || !String.valueOf(e.fields().get("PROCESSING_CODE")).startsWith("38")) {
            return Optional.empty();
        }
        String f48 = e.fields().get("ADDITIONAL_DATA");
        try {
            StatusAnswer s = StatusAnswer.decode(f48);
            return Optional.of("inquiry answered: host says " + s.state().name().replace('_', ' ') + ", merchant credit "
                    + s.credit() + (s.creditDate() == null ? "" : " (" + s.creditDate() + ")"));
        } catch (IllegalArgumentException ex) {
            String meaning = ResponseCodes.find(e.responseCode()).map(ResponseCode::meaning).orElse("unknown code");
            return Optional.of("status inquiry answer without a readable field 48: " + meaning);
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("subject", subject);
        o.put("generatedAt", ctx.generatedAt().toString());
        Map<String, Object> time = new LinkedHashMap<>();
        time.put("from", first() == null ? null : first().toString());
        time.put("to", last() == null ? null : last().toString());
        o.put("time", time);
        Map<String, Object> place = new LinkedHashMap<>();
        place.put("merchantId", cases.isEmpty() ? ctx.merchantId() : cases.getFirst().attempt().merchantId());
        place.put("terminalId", cases.isEmpty() ? ctx.terminalId() : cases.getFirst().attempt().terminalId());
        place.put("terminalIds", cases.isEmpty() ? List.of(ctx.terminalId()) : terminalIds);
        place.put("location", ctx.location());
        place.put("address", ctx.address());
        o.put("place", place);
        o.put("operator", ctx.operator());
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("tally", ctx.tallyVersion());
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        env.put("jdk", System.getProperty("java.version") + " " + System.getProperty("java.vendor"));
        env.put("host", logPeer().orElse(ctx.hostAddress()));
        env.put("hostFrom", logPeer().isPresent() ? "message log" : "options (the journal does not record the host)");
        env.put("journal", ctx.journalFile());
        env.put("messageLog", ctx.messageLogFile());
        o.put("environment", env);
        o.put("answers", answers());
        Map<Case, String> followUps = followUps();
        List<Map<String, Object>> payments = new ArrayList<>();
        for (Case c : cases) {
            Attempt a = c.attempt();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("orderId", a.orderRef());
            p.put("terminalId", a.terminalId());
            p.put("stan", a.stanText());
            p.put("state", a.state().name());
            p.put("description", description(c));
            p.put("outcome", outcome(c));
            Map<String, Object> impact = new LinkedHashMap<>();
            impact.put("amount", Amounts.format(a.amount()));
            impact.put("currency", a.currency());
            impact.put("maskedPan", Masking.scrub(a.maskedPan()));
            impact.put("charged", charged(c));
            p.put("impact", impact);
            p.put("timeline", timelineLines(c));
            p.put("linesLeftOut", c.linesLeftOut());
            p.put("actions", c.events().stream().map(e -> Map.of("at", e.at().toString(),
                    "state", e.toState().name(), "detail", e.detail())).toList());
            p.put("systemResponse", systemResponses(c));
            p.put("followUp", followUps.get(c));
            payments.add(p);
        }
        o.put("payments", payments);
        return o;
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Problem report: ").append(subject).append("\n\n");
        md.append("Generated ").append(dateTime(ctx.generatedAt())).append(" (").append(ctx.zone()).append(") by ")
                .append(ctx.tallyVersion()).append(" from the journal").append(ctx.messageLogFile() == null ? ""
                        : " and the message log").append(".\n\n");
        if (cases.isEmpty()) {
            md.append("No payment in the journal matches.\n");
            return md.toString();
        }
        Attempt head = cases.getFirst().attempt();
        md.append("## Answer\n\n");
        for (Map<String, Object> a : answers()) {
            md.append("- order ").append(a.get("orderId")).append(": ").append(a.get("answer")).append(".\n");
        }
        md.append("\n## Time\n\n").append(dateTime(first())).append(" to ").append(dateTime(last())).append("\n\n");
        md.append("## Place\n\n- merchant ").append(head.merchantId()).append(terminalIds.size() > 1
                        ? "\n- terminals " + String.join(", ", terminalIds) : "\n- terminal " + head.terminalId())
                .append("\n- location ").append(orNot(ctx.location())).append("\n- address ").append(orNot(ctx.address()))
                .append("\n\n");
        md.append("## Operator\n\n").append(orNot(ctx.operator())).append("\n\n");
        md.append("## Description\n\n");
        for (Case c : cases) {
            md.append("- ").append(capitalize(description(c))).append(".\n");
        }
        md.append("\n## Message timeline\n\n");
        for (Case c : cases) {
            md.append("Order ").append(c.attempt().orderRef()).append(", ").append(naming.stan(c.attempt())).append(":\n\n");
            List<String> lines = timelineLines(c);
            if (lines.isEmpty()) {
                md.append("    (").append(noLines(c)).append(": see the actions below)\n");
            }
            lines.forEach(l -> md.append("    ").append(l).append('\n'));
            if (c.linesLeftOut() > 0) {
                md.append("\n").append(leftOutNote(c)).append('\n');
            }
            md.append('\n');
        }
        md.append("## Environment\n\n- ").append(ctx.tallyVersion()).append("\n- ").append(environment())
                .append("\n- host ").append(hostAddress()).append("\n- journal ").append(ctx.journalFile())
                .append("\n- message log ").append(orNot(ctx.messageLogFile())).append("\n\n");
        md.append("## Impact\n\n");
        for (Case c : cases) {
            Attempt a = c.attempt();
            md.append("- order ").append(a.orderRef()).append(", ").append(naming.stan(a)).append(": ").append(money(a))
                    .append(", card ")
                    .append(a.maskedPan()).append(" — ").append(outcome(c)).append('\n');
        }
        md.append("\n## Actions taken by the terminal\n\n");
        for (Case c : cases) {
            if (cases.size() > 1) {
                md.append("Order ").append(c.attempt().orderRef()).append(", ").append(naming.stan(c.attempt()))
                        .append(":\n\n");
            }
            for (AttemptEvent e : c.events()) {
                md.append("- ").append(dateTime(e.at())).append("  ").append(e.fromState() == null ? "-" : e.fromState())
                        .append(" -> ").append(e.toState()).append("  ").append(e.detail()).append('\n');
            }
            if (cases.size() > 1) {
                md.append('\n');
            }
        }
        md.append(cases.size() > 1 ? "## System response\n\n" : "\n## System response\n\n");
        for (Case c : cases) {
            for (String s : systemResponses(c)) {
                md.append("- ").append(cases.size() > 1 ? naming.stan(c.attempt()) + ": " : "").append(s)
                        .append('\n');
            }
        }
        md.append("\n## Follow-up\n\n");
        Map<Case, String> followUps = followUps();
        for (Case c : cases) {
            md.append("- order ").append(c.attempt().orderRef()).append(", ").append(naming.stan(c.attempt()))
                    .append(" (").append(c.attempt().state()).append("): ").append(followUps.get(c)).append('\n');
        }
        return Masking.scrub(md.toString());
    }

    private static String orNot(String s) {
        return s == null || s.isBlank() ? "not given" : s;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
