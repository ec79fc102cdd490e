package dev.tally.terminal.reconcile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A terminal's statement lines, one per sale: the lines of one sale (the same STAN, RRN and order reference) are
 * grouped, the first of them in content order stands for the sale and every other is a listing {@link #again()}, to be
 * reported, never dropped: a sale listed twice may have been debited or credited twice. The one exception is a sale
 * whose credit date (done or expected) is not its business date, which the acquirer lists on the statements of both
 * days (docs/simulator.md §6): two identical lines of it are one sale. Which line stands for the sale depends on what
 * the lines hold, never on their order in the file.
 */
record Listings(List<StatementLine> sales, List<Again> again) {

    /** A line that lists the sale of {@code first} again. */
    record Again(StatementLine line, StatementLine first) {

        String note() {
            boolean oneStatement = line.source().equals(first.source());
            String same = "listed again: line " + line.line() + (oneStatement ? "" : " of " + line.source())
                    + " is the sale of line " + first.line() + (oneStatement ? "" : " of " + first.source()) + " (STAN "
                    + first.stanText() + ", RRN " + first.rrn() + ", order " + first.orderRef() + ")";
            List<String> differs = differences(line, first);
            return differs.isEmpty()
                    ? same + " once more: the acquirer may have booked it twice; ask the acquirer"
                    : same + " with other values (" + String.join(", ", differs) + "); ask the acquirer which stands";
        }
    }

    /**
     * The order lines of one sale are taken in: a standing debit before a reversed one (the listing that holds money is
     * the one to match), then by the other columns; the line number only settles lines that are alike in all else.
     */
    private static final Comparator<StatementLine> CONTENT = Comparator.comparing(StatementLine::businessDate)
            .thenComparing(StatementLine::debitStands, Comparator.reverseOrder())
            .thenComparing(StatementLine::creditState)
            .thenComparing(StatementLine::creditDate, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(StatementLine::amount)
            .thenComparing(StatementLine::currency)
            .thenComparing(StatementLine::merchantId)
            .thenComparing(StatementLine::authCode)
            .thenComparing(StatementLine::maskedPan)
            .thenComparingInt(StatementLine::stan)
            .thenComparing(StatementLine::rrn)
            .thenComparing(StatementLine::orderRef)
            .thenComparing(StatementLine::source)
            .thenComparingInt(StatementLine::line);

    static Listings of(List<StatementLine> lines) {
        Map<String, List<StatementLine>> bySale = new LinkedHashMap<>();
        for (StatementLine l : lines) {
            bySale.computeIfAbsent(l.stan() + "|" + l.rrn() + "|" + l.orderRef(), k -> new ArrayList<>()).add(l);
        }
        List<StatementLine> sales = new ArrayList<>();
        List<Again> again = new ArrayList<>();
        for (List<StatementLine> of : bySale.values()) {
            of.sort(CONTENT);
            StatementLine first = of.getFirst();
            sales.add(first);
            boolean creditDayListing = first.creditDate() != null && !first.creditDate().equals(first.businessDate());
            for (StatementLine l : of.subList(1, of.size())) {
                if (creditDayListing && differences(l, first).isEmpty()) {
                    creditDayListing = false; // the sale on its credit day's statement: once
                } else {
                    again.add(new Again(l, first));
                }
            }
        }
        sales.sort(CONTENT);
        again.sort(Comparator.comparing(Again::line, CONTENT));
        return new Listings(List.copyOf(sales), List.copyOf(again));
    }

    /** The columns in which two lines of one sale differ, with both values ({@code amount 12.00, line 3 12.34}). */
    private static List<String> differences(StatementLine l, StatementLine first) {
        List<String> out = new ArrayList<>();
        differ(out, "business_date", l.businessDate(), first.businessDate(), first);
        differ(out, "merchant_id", l.merchantId(), first.merchantId(), first);
        differ(out, "auth_code", l.authCode(), first.authCode(), first);
        differ(out, "amount", Reconciliation.decimal(l.amount()), Reconciliation.decimal(first.amount()), first);
        differ(out, "currency", l.currency(), first.currency(), first);
        differ(out, "masked_pan", l.maskedPan(), first.maskedPan(), first);
        differ(out, "txn_state", l.txnState(), first.txnState(), first);
        differ(out, "credit_state", l.creditState(), first.creditState(), first);
        differ(out, "credit_date", l.creditDate(), first.creditDate(), first);
        return out;
    }

    private static void differ(List<String> out, String column, Object value, Object firstValue, StatementLine first) {
        if (!Objects.equals(value, firstValue)) {
            out.add(column + " " + show(value) + ", line " + first.line() + " " + show(firstValue));
        }
    }

    private static String show(Object v) {
        return v == null || v.toString().isEmpty() ? "(empty)" : v.toString();
    }
}
