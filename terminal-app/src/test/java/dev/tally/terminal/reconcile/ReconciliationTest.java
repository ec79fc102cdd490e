package dev.tally.terminal.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptKind;
import dev.tally.terminal.journal.AttemptState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Matching the journal against the acquirer's statement (terminal-app README, "reconcile"): what each statement line
 * and each attempt of the day is reported as.
 */
class ReconciliationTest {

    static final String TERMINAL = "TALLY001";
    static final String MERCHANT = "HOSPITAL0000001";
    static final LocalDate DAY = LocalDate.of(2026, 11, 22);
    static final String HEADER = String.join(",", Statement.COLUMNS) + "\n";

    /** An attempt of this terminal and merchant, made on {@link #DAY}. */
    static Attempt attempt(long id, String order, int stan, long amount, AttemptState state, String rrn) {
        return attempt(id, MERCHANT, order, stan, amount, "840", state, rrn);
    }

    static Attempt attempt(long id, String merchant, String order, int stan, long amount, String currency,
                           AttemptState state, String rrn) {
        Instant made = DAY.atTime(10, 0).toInstant(ZoneOffset.UTC).plusSeconds(id);
        boolean approved = state == AttemptState.APPROVED || state == AttemptState.SETTLED;
        return new Attempt(id, TERMINAL, merchant, order, AttemptKind.SALE, amount, currency, stan, "1122100000", "1122",
                "100000", state, approved ? "00" : state == AttemptState.DECLINED ? "51" : null, rrn,
                approved ? "007919" : null, "476173******0119", null, null, 0, null, made, made, made, 1);
    }

    /** A statement line of this terminal and merchant on {@link #DAY}, credited that day. */
    static String line(String order, int stan, String rrn, String amount) {
        return line(MERCHANT, TERMINAL, order, stan, rrn, amount, "840", "APPROVED,CREDITED," + DAY);
    }

    static String line(String merchant, String terminal, String order, int stan, String rrn, String amount, String currency,
                       String states) {
        return String.join(",", DAY.toString(), merchant, terminal, order, String.format("%06d", stan), rrn, "007919", amount,
                currency, "476173******0119", states) + "\n";
    }

    static ReconciliationReport reconcile(List<Attempt> journal, String... lines) {
        return Reconciliation.reconcile(TERMINAL, MERCHANT, journal, Statement.parse("t.csv", HEADER + String.join("", lines)),
                Set.of(DAY), ZoneOffset.UTC);
    }

    static ReconciliationItem only(ReconciliationReport r, String order) {
        List<ReconciliationItem> of = r.items().stream().filter(i -> i.orderId().equals(order)).toList();
        assertEquals(1, of.size(), "one item for " + order + ": " + r.items());
        return of.getFirst();
    }

    @Test
    void aSaleCreditedOnTheDayIsMatched() {
        ReconciliationReport r = reconcile(List.of(attempt(1, "INV-1", 1, 1234, AttemptState.APPROVED, "632600000001")),
                line("INV-1", 1, "632600000001", "12.34"));
        assertEquals(Category.MATCHED, only(r, "INV-1").category(), r.items().toString());
        assertTrue(r.clean());
    }

    /**
     * A line booked in another currency than the sale's is a difference, named with both currencies: it was reported
     * MATCHED, the currency column never being compared.
     */
    @Test
    void aLineInAnotherCurrencyThanTheSaleIsADifferenceNamingBoth() {
        ReconciliationReport r = reconcile(List.of(attempt(1, "INV-1", 1, 1234, AttemptState.APPROVED, "632600000001")),
                line(MERCHANT, TERMINAL, "INV-1", 1, "632600000001", "12.34", "978", "APPROVED,CREDITED," + DAY));
        ReconciliationItem i = only(r, "INV-1");
        assertEquals(Category.NOT_CREDITED, i.category(), i.toString());
        assertTrue(i.note().contains("CURRENCY DIFFERS: statement 978 (EUR), journal 840 (USD)"), i.note());
        assertTrue(!r.clean());
    }
}
