package dev.tally.terminal.reconcile;

import dev.tally.spec.codes.Currencies;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptState;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Matches the journal against the acquirer's statement (issue 5). A statement line is the journal's
 * attempt with the same STAN and order reference, else the same RRN, else the same order and amount, each way tried
 * for every line before the next (a line found by its RRN under another order reference says so in its note).
 * Then, per attempt:
 * <ul>
 *   <li>approved (APPROVED / SETTLED): credited on its business date → MATCHED; credited on a later date →
 *       CREDITED_LATE; PENDING → CREDIT_PENDING; NOT_CREDITED, reversed at the host, or not on the statement
 *       → NOT_CREDITED;</li>
 *   <li>REVERSAL_FAILED or still REVERSAL_PENDING → REVERSAL_FAILED, with the host's view (the line) beside it;</li>
 *   <li>declined or reversed: nothing on the statement or reversed there → MATCHED; a standing debit →
 *       NOT_APPROVED_IN_JOURNAL.</li>
 * </ul>
 * A line no attempt matches is NOT_APPROVED_IN_JOURNAL when its debit stands (MATCHED when reversed). A sale the
 * statement lists more than once is matched once and each further line is DUPLICATE_ON_STATEMENT ({@link Listings}).
 */
public final class Reconciliation {

    private Reconciliation() {
    }

    /**
     * Reconciles the sales the terminal made for the merchant. The statement's lines of other merchants (an acquirer's
     * file may cover a merchant group) and of the merchant's other terminals are left out and counted, and so are the
     * terminal's attempts for another merchant (made under another --merchant-id).
     *
     * @param journal every attempt of the terminal (matching looks at all; the report covers {@code dates})
     * @param dates   the dates reported: attempts made on them, and the statement lines booked or credited on them
     *                (the other lines are matched against, so a sale booked on the acquirer's next day is found)
     * @throws IllegalArgumentException when the journal holds attempts of other terminals only (see
     *                                  {@link #requireTerminalsAttempts}), or the terminal's attempts on {@code dates}
     *                                  were all made for other merchants (see {@link #requireMerchantsAttempts})
     */
    public static ReconciliationReport reconcile(String terminalId, String merchantId, List<Attempt> journal,
                                                 Statement statement, Set<LocalDate> dates, ZoneId zone) {
        requireTerminalsAttempts(terminalId, journal);
        requireMerchantsAttempts(terminalId, merchantId, journal, dates, zone);
        List<StatementLine> ours = new ArrayList<>();
        int otherTerminals = 0;
        int otherMerchants = 0;
        for (StatementLine l : statement.lines()) {
            if (!l.merchantId().equals(merchantId)) {
                otherMerchants++;
            } else if (!l.terminalId().equals(terminalId)) {
                otherTerminals++;
            } else {
                ours.add(l);
            }
        }
        Listings listings = Listings.of(ours);
        List<Attempt> candidates = journal.stream()
                .filter(a -> a.terminalId().equals(terminalId) && a.merchantId().equals(merchantId)).toList();
        Map<String, Integer> otherMerchantAttempts = new java.util.TreeMap<>();
        journal.stream().filter(a -> a.terminalId().equals(terminalId) && !a.merchantId().equals(merchantId)
                        && dates.contains(a.createdAt().atZone(zone).toLocalDate()))
                .forEach(a -> otherMerchantAttempts.merge(a.merchantId(), 1, Integer::sum));
        Map<Long, StatementLine> byAttempt = match(listings.sales(), candidates);
        Set<StatementLine> matched = new HashSet<>(byAttempt.values());
        List<StatementLine> unmatched = listings.sales().stream().filter(l -> !matched.contains(l)).toList();
        List<ReconciliationItem> items = new ArrayList<>();
        for (Attempt a : candidates) {
            StatementLine l = byAttempt.get(a.id());
            LocalDate made = a.createdAt().atZone(zone).toLocalDate();
            // reported when made on a reported date, or booked or credited on one by the acquirer
            if (!dates.contains(made) && (l == null || !reported(l, dates))) {
                continue;
            }
            if (a.state() == AttemptState.NEW || a.state() == AttemptState.SENT) {
                items.add(item(made, Category.REVERSAL_FAILED, a, l, "still in flight at the terminal: outcome unknown"));
                continue;
            }
            items.add(classify(a, l, l == null ? made : l.businessDate()));
        }
        for (StatementLine l : unmatched) {
            if (!reported(l, dates)) {
                continue; // a neighbouring day's line, there to match against
            }
            items.add(l.debitStands()
                    ? new ReconciliationItem(l.businessDate(), Category.NOT_APPROVED_IN_JOURNAL, l.orderRef(), l.amount(),
                    l.currency(), null, l, "a debit stands at the acquirer for a sale this terminal has no record of")
                    : new ReconciliationItem(l.businessDate(), Category.MATCHED, l.orderRef(), l.amount(), l.currency(),
                    null, l, "reversed at the acquirer; not in this journal: nothing stands"));
        }
        Map<StatementLine, Attempt> attemptOf = new HashMap<>();
        candidates.stream().filter(a -> byAttempt.containsKey(a.id())).forEach(a -> attemptOf.put(byAttempt.get(a.id()), a));
        for (Listings.Again again : listings.again()) {
            Attempt a = attemptOf.get(again.first());
            if (reported(again.line(), dates) || reported(again.first(), dates)
                    || (a != null && dates.contains(a.createdAt().atZone(zone).toLocalDate()))) {
                StatementLine l = again.line();
                items.add(new ReconciliationItem(l.businessDate(), Category.DUPLICATE_ON_STATEMENT, l.orderRef(), l.amount(),
                        l.currency(), a, l, again.note()));
            }
        }
        items.sort(Comparator.comparing(ReconciliationItem::businessDate)
                .thenComparing(i -> i.attempt() == null ? Long.MAX_VALUE : i.attempt().id())
                .thenComparing(i -> i.category() == Category.DUPLICATE_ON_STATEMENT) // after the sale it lists again
                .thenComparing(i -> i.line() == null ? 0 : i.line().line()));
        return new ReconciliationReport(terminalId, merchantId, statement.source(),
                dates.stream().sorted().toList(), List.copyOf(items), otherTerminals, otherMerchants,
                java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(otherMerchantAttempts)));
    }

    /**
     * Refuses to reconcile a merchant none of whose sales the terminal made on {@code dates} while it made some for
     * another: a wrong --merchant-id, which would report every sale "not on the acquirer's statement" (the statement
     * asked for, or read, being another merchant's). Refusing names both ids; a day with sales for both merchants (the
     * terminal moved from one to the other) is reconciled, the other merchant's attempts left out and counted.
     */
    static void requireMerchantsAttempts(String terminalId, String merchantId, List<Attempt> journal, Set<LocalDate> dates,
                                         ZoneId zone) {
        List<Attempt> made = journal.stream().filter(a -> a.terminalId().equals(terminalId)
                && dates.contains(a.createdAt().atZone(zone).toLocalDate())).toList();
        if (made.isEmpty() || made.stream().anyMatch(a -> a.merchantId().equals(merchantId))) {
            return;
        }
        List<String> others = made.stream().map(Attempt::merchantId).distinct().sorted().toList();
        throw new IllegalArgumentException("the " + made.size() + " attempt(s) of terminal " + terminalId + " on "
                + String.join(", ", dates.stream().sorted().map(LocalDate::toString).toList()) + " were made for merchant "
                + String.join(", ", others) + ", not for merchant " + merchantId + " being reconciled (--merchant-id):"
                + " reconcile with --merchant-id " + others.getFirst() + "; nothing was reconciled");
    }

    /**
     * Refuses to reconcile a terminal of which the journal holds no attempt while it holds another terminal's: a wrong
     * --terminal-id or another terminal's journal, which would report every statement line of the terminal "a debit
     * stands at the acquirer for a sale this terminal has no record of". Over the whole journal, not the dates: a
     * journal is one terminal's, so a wrong one is refused on a day it holds no sale too (else that day's report was
     * as untrue), and the right one is reconciled on a quiet day. A journal holding no attempt at all is reconciled.
     */
    static void requireTerminalsAttempts(String terminalId, List<Attempt> journal) {
        if (journal.isEmpty() || journal.stream().anyMatch(a -> a.terminalId().equals(terminalId))) {
            return;
        }
        List<String> held = journal.stream().map(Attempt::terminalId).distinct().sorted().toList();
        throw new IllegalArgumentException("the journal holds no attempt of terminal " + terminalId + " being reconciled"
                + " (--terminal-id), only " + journal.size() + " of terminal " + String.join(", ", held) + ": reconcile"
                + " with --terminal-id " + held.getFirst() + ", or give terminal " + terminalId + "'s journal (--journal);"
                + " nothing was reconciled");
    }

    /** Whether the line was booked or credited on a reported date. */
    private static boolean reported(StatementLine l, Set<LocalDate> dates) {
        return dates.contains(l.businessDate()) || (l.creditDate() != null && dates.contains(l.creditDate()));
    }

    private static ReconciliationItem classify(Attempt a, StatementLine l, LocalDate date) {
        // what the acquirer booked differs from the sale: not MATCHED, whatever the credit
        String amountNote = (l != null && l.amount() != a.amount() ? "; AMOUNT DIFFERS: statement " + decimal(l.amount())
                + ", journal " + decimal(a.amount()) : "")
                + (l != null && !l.currency().equals(a.currency()) ? "; CURRENCY DIFFERS: statement "
                + Currencies.shown(l.currency()) + ", journal " + Currencies.shown(a.currency()) : "");
        return switch (a.state()) {
            case APPROVED, SETTLED -> {
                if (l == null) {
                    yield item(date, Category.NOT_CREDITED, a, null, "approved at the terminal (" + a.state()
                            + "), not on the acquirer's statement");
                }
                if (!l.debitStands()) {
                    yield item(date, Category.NOT_CREDITED, a, l, "approved at the terminal, reversed at the acquirer: "
                            + "the cardholder was refunded, the merchant gets no credit" + amountNote);
                }
                yield switch (l.creditState()) {
                    case "CREDITED" -> l.creditDate() != null && l.creditDate().isAfter(l.businessDate())
                            ? item(date, Category.CREDITED_LATE, a, l, "credited " + l.creditDate() + ", "
                            + java.time.temporal.ChronoUnit.DAYS.between(l.businessDate(), l.creditDate())
                            + " day(s) after the sale" + amountNote)
                            : item(date, amountNote.isEmpty() ? Category.MATCHED : Category.NOT_CREDITED, a, l,
                            "credited " + (l.creditDate() == null ? "" : l.creditDate()) + amountNote);
                    case "PENDING" -> item(date, Category.CREDIT_PENDING, a, l, "credit pending"
                            + (l.creditDate() == null ? "" : ", expected " + l.creditDate()) + amountNote);
                    default -> item(date, Category.NOT_CREDITED, a, l, "the acquirer holds the debit but has not credited"
                            + " the merchant (" + l.creditState() + ")" + amountNote);
                };
            }
            case REVERSAL_FAILED, REVERSAL_PENDING -> item(date, Category.REVERSAL_FAILED, a, l,
                    (a.state() == AttemptState.REVERSAL_FAILED ? "reversal failed after " : "reversal pending, ")
                            + dev.tally.terminal.engine.ReversalPolicy.tries(a.reversalAttempts()) + "; host: " + (l == null ? "not on the statement (no debit stands)"
                            : l.debitStands() ? "DEBIT STANDS (" + decimal(l.amount()) + ", credit " + l.creditState() + ")"
                            : "reversed, nothing stands"));
            default -> l == null || !l.debitStands()
                    ? item(date, Category.MATCHED, a, l, a.state().name().toLowerCase()
                    + (a.responseCode() == null ? "" : " (" + a.responseCode() + ")") + " at the terminal; "
                    + (l == null ? "not on the statement" : "reversed at the acquirer") + ": nothing stands")
                    : item(date, Category.NOT_APPROVED_IN_JOURNAL, a, l, a.state() + " at the terminal but the acquirer holds"
                    + " a debit of " + decimal(l.amount()) + " (credit " + l.creditState() + ")");
        };
    }

    private static ReconciliationItem item(LocalDate date, Category c, Attempt a, StatementLine l, String note) {
        // only a line found by its RRN can hold another order reference than its attempt
        String otherOrder = l != null && !l.orderRef().equals(a.orderRef()) ? "; matched by RRN " + l.rrn()
                + ": the acquirer booked it under order " + l.orderRef() + ", the journal under " + a.orderRef() : "";
        return new ReconciliationItem(date, c, a.orderRef(), a.amount(), a.currency(), a, l, note + otherOrder);
    }

    /**
     * Pairs statement lines with attempts, the surest way first for every line before the next is tried: STAN + order
     * reference, then RRN, then order + amount (not a declined attempt). So a line that only shares an order and an
     * amount with an attempt cannot take it from a later line with its STAN. Among several attempts a way finds, the
     * latest (highest id) is taken. Returns attempt id → line.
     */
    private static Map<Long, StatementLine> match(List<StatementLine> lines, List<Attempt> attempts) {
        List<Attempt> latestFirst = attempts.stream().sorted(Comparator.comparingLong(Attempt::id).reversed()).toList();
        List<Function<StatementLine, String>> lineKeys = List.of(
                l -> l.stan() + "|" + l.orderRef(),
                l -> l.rrn() == null || l.rrn().isEmpty() ? null : l.rrn(),
                l -> l.orderRef() + "|" + l.amount());
        List<Function<Attempt, String>> attemptKeys = List.of(
                a -> a.stan() + "|" + a.orderRef(),
                a -> a.rrn() == null || a.rrn().isEmpty() ? null : a.rrn(),
                a -> a.state() == AttemptState.DECLINED ? null : a.orderRef() + "|" + a.amount());
        Map<Long, StatementLine> byAttempt = new LinkedHashMap<>();
        List<StatementLine> left = new ArrayList<>(lines);
        for (int way = 0; way < lineKeys.size(); way++) {
            Map<String, List<Attempt>> index = new HashMap<>();
            for (Attempt a : latestFirst) {
                String k = attemptKeys.get(way).apply(a);
                if (k != null) {
                    index.computeIfAbsent(k, x -> new ArrayList<>()).add(a);
                }
            }
            for (Iterator<StatementLine> it = left.iterator(); it.hasNext(); ) {
                StatementLine l = it.next();
                String k = lineKeys.get(way).apply(l);
                Optional<Attempt> a = k == null ? Optional.empty() : index.getOrDefault(k, List.of()).stream()
                        .filter(x -> !byAttempt.containsKey(x.id())).findFirst();
                if (a.isPresent()) {
                    byAttempt.put(a.get().id(), l);
                    it.remove();
                }
            }
        }
        return byAttempt;
    }

    /** An ISO 4217 numeric code with its letters when the JDK knows it: {@code 978 (EUR)}. */
    static String decimal(long minor) {
        return dev.tally.terminal.engine.Amounts.format(minor);
    }
}
