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
        return attempt(id, TERMINAL, merchant, order, stan, amount, currency, state, rrn, DAY);
    }

    /** An attempt of {@code terminal} made on {@code day}. */
    static Attempt attempt(long id, String terminal, String merchant, String order, int stan, long amount,
                           String currency, AttemptState state, String rrn, LocalDate day) {
        Instant made = day.atTime(10, 0).toInstant(ZoneOffset.UTC).plusSeconds(id);
        boolean approved = state == AttemptState.APPROVED || state == AttemptState.SETTLED;
        return new Attempt(id, terminal, merchant, order, AttemptKind.SALE, amount, currency, stan, "1122100000", "1122",
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

    /** The report with the line numbers left out: what must not depend on the order of the statement's lines. */
    static List<String> shape(ReconciliationReport r) {
        return r.items().stream().map(i -> i.category() + "|" + i.orderId() + "|" + i.amount() + "|"
                + (i.attempt() == null ? "-" : i.attempt().id()) + "|" + (i.line() == null ? "-"
                : i.line().txnState() + "/" + i.line().creditState() + "/" + i.line().amount())
                + "|" + i.note().replaceAll("line [0-9]+", "line N")).sorted().toList();
    }

    static ReconciliationReport reconcileBothWays(List<Attempt> journal, String... lines) {
        ReconciliationReport forward = reconcile(journal, lines);
        List<String> reversed = new java.util.ArrayList<>(List.of(lines));
        java.util.Collections.reverse(reversed);
        ReconciliationReport backward = reconcile(journal, reversed.toArray(String[]::new));
        assertEquals(shape(forward), shape(backward), "the same report whatever the order of the lines");
        return forward;
    }

    /**
     * A sale listed twice (a double debit or credit at the acquirer) is reported as the extra line, naming both lines;
     * the second line used to be dropped unseen and the report said MATCHED.
     */
    @Test
    void aSaleListedTwiceIsReportedNotDropped() {
        List<Attempt> journal = List.of(attempt(1, "INV-1", 1, 1234, AttemptState.APPROVED, "632600000001"),
                attempt(2, "INV-2", 2, 500, AttemptState.APPROVED, "632600000002"));
        String once = line("INV-1", 1, "632600000001", "12.34");
        ReconciliationReport r = reconcileBothWays(journal, once, line("INV-2", 2, "632600000002", "5.00"), once);
        List<ReconciliationItem> inv1 = r.items().stream().filter(i -> i.orderId().equals("INV-1")).toList();
        assertEquals(List.of(Category.MATCHED, Category.DUPLICATE_ON_STATEMENT),
                inv1.stream().map(ReconciliationItem::category).toList(), r.items().toString());
        ReconciliationItem again = inv1.get(1);
        assertEquals(1, again.attempt().id(), "beside the sale it lists again");
        assertTrue(again.note().startsWith("listed again: line 4 is the sale of line 2 (STAN 000001, RRN 632600000001,"
                + " order INV-1) once more"), again.note());
        assertEquals(Category.MATCHED, only(r, "INV-2").category());
        assertEquals(1234, r.totals(r.items()).get(Category.DUPLICATE_ON_STATEMENT).amount());
        assertTrue(!r.clean());
    }

    /**
     * Two lines of one sale that disagree (one a standing debit, one reversed) are reported whatever their order: the
     * standing debit is matched, the other named with what differs. The outcome used to depend on which came first
     * (NOT_CREDITED "reversed at the acquirer" or MATCHED), the second line dropped unseen.
     */
    @Test
    void conflictingLinesOfOneSaleGiveTheSameReportInEitherOrder() {
        List<Attempt> journal = List.of(attempt(1, "INV-1", 1, 1234, AttemptState.APPROVED, "632600000001"));
        ReconciliationReport r = reconcileBothWays(journal, line("INV-1", 1, "632600000001", "12.34"),
                line(MERCHANT, TERMINAL, "INV-1", 1, "632600000001", "12.34", "840", "REVERSED,NONE,"));
        assertEquals(List.of(Category.MATCHED, Category.DUPLICATE_ON_STATEMENT),
                r.items().stream().map(ReconciliationItem::category).toList(), r.items().toString());
        String note = r.items().get(1).note();
        assertTrue(note.contains("with other values (txn_state REVERSED, line 2 APPROVED, credit_state NONE, line 2"
                + " CREDITED, credit_date (empty), line 2 2026-11-22); ask the acquirer which stands"), note);
    }

    /**
     * A sale whose credit date is not its business date is on the statements of both days (docs/simulator.md §6): two
     * identical lines of it, as from two days' statements, are one sale. A third is a listing again.
     */
    @Test
    void aSaleOnItsSaleDaysAndItsCreditDaysStatementIsOneSale() {
        List<Attempt> journal = List.of(attempt(1, "INV-1", 1, 1078, AttemptState.APPROVED, "632600000001"),
                attempt(2, "INV-2", 2, 1078, AttemptState.APPROVED, "632600000002"));
        String late = line(MERCHANT, TERMINAL, "INV-1", 1, "632600000001", "10.78", "840", "APPROVED,CREDITED," + DAY.plusDays(1));
        String pending = line(MERCHANT, TERMINAL, "INV-2", 2, "632600000002", "10.78", "840", "APPROVED,PENDING," + DAY.plusDays(1));
        ReconciliationReport r = reconcileBothWays(journal, late, pending, late, pending);
        assertEquals(Category.CREDITED_LATE, only(r, "INV-1").category(), r.items().toString());
        assertEquals(Category.CREDIT_PENDING, only(r, "INV-2").category(), r.items().toString());

        ReconciliationReport thrice = reconcileBothWays(journal, late, pending, late, late);
        assertEquals(List.of(Category.CREDITED_LATE, Category.DUPLICATE_ON_STATEMENT), thrice.items().stream()
                .filter(i -> i.orderId().equals("INV-1")).map(ReconciliationItem::category).toList(), thrice.items().toString());
    }

    /**
     * A line that shares only an order and an amount with a sale cannot take it from a line with the sale's STAN or
     * RRN, whichever comes first: matching went line by line in order, so the weaker line took the sale and the exact
     * one was reported as a debit the terminal has no record of.
     */
    @Test
    void theSurestWayOfMatchingHoldsAcrossLines() {
        List<Attempt> journal = List.of(attempt(1, "INV-1", 1, 1000, AttemptState.APPROVED, "632600000001"));
        String weak = line(MERCHANT, TERMINAL, "INV-1", 9, "632600000009", "10.00", "840", "APPROVED,CREDITED," + DAY);
        String exact = line(MERCHANT, TERMINAL, "INV-1", 1, "632600000001", "10.00", "840",
                "APPROVED,PENDING," + DAY.plusDays(1));
        ReconciliationReport r = reconcileBothWays(journal, weak, exact);
        ReconciliationItem sale = r.items().stream().filter(i -> i.attempt() != null).findFirst().orElseThrow();
        assertEquals(1, sale.line().stan(), "the line with the sale's STAN: " + r.items());
        assertEquals(Category.CREDIT_PENDING, sale.category());
        ReconciliationItem other = r.items().stream().filter(i -> i.attempt() == null).findFirst().orElseThrow();
        assertEquals(9, other.line().stan());
        assertEquals(Category.NOT_APPROVED_IN_JOURNAL, other.category());

        String byRrn = line(MERCHANT, TERMINAL, "INV-X", 3, "632600000001", "10.00", "840",
                "APPROVED,PENDING," + DAY.plusDays(1));
        ReconciliationReport rrn = reconcileBothWays(journal, weak, byRrn);
        ReconciliationItem found = rrn.items().stream().filter(i -> i.attempt() != null).findFirst().orElseThrow();
        assertEquals("632600000001", found.line().rrn(), "the line with the sale's RRN: " + rrn.items());
    }

    /** A line found by its RRN under another order reference says so; it was MATCHED with no word of it. */
    @Test
    void aLineFoundByItsRrnUnderAnotherOrderSaysSo() {
        ReconciliationReport r = reconcile(List.of(attempt(1, "INV-1", 1, 1234, AttemptState.APPROVED, "632600000001")),
                line("INV-9", 7, "632600000001", "12.34"));
        ReconciliationItem i = only(r, "INV-1");
        assertEquals(Category.MATCHED, i.category());
        assertTrue(i.note().endsWith("; matched by RRN 632600000001: the acquirer booked it under order INV-9, the journal"
                + " under INV-1"), i.note());
    }

    /**
     * An acquirer's file may cover a merchant group: the lines of other merchants, and of this merchant's other
     * terminals, are left out and counted in one line. Another merchant's line used to be reported
     * NOT_APPROVED_IN_JOURNAL, "a debit stands at the acquirer for a sale this terminal has no record of".
     */
    @Test
    void linesOfOtherMerchantsAndTerminalsAreLeftOutAndCounted() {
        ReconciliationReport r = reconcile(List.of(attempt(1, "INV-1", 1, 1234, AttemptState.APPROVED, "632600000001")),
                line("INV-1", 1, "632600000001", "12.34"),
                line("CLINIC000000002", TERMINAL, "C-7", 7, "632600000007", "9.00", "840", "APPROVED,CREDITED," + DAY),
                line("CLINIC000000002", "CLINIC01", "C-8", 8, "632600000008", "9.00", "840", "APPROVED,CREDITED," + DAY),
                line(MERCHANT, "TALLY002", "T-2", 2, "632600000002", "3.00", "840", "APPROVED,CREDITED," + DAY));
        assertEquals(List.of("INV-1"), r.items().stream().map(ReconciliationItem::orderId).toList(), r.items().toString());
        assertTrue(r.clean());
        assertEquals(2, r.otherMerchantLines());
        assertEquals(1, r.otherTerminalLines());
        assertTrue(ReconciliationFormat.table(r).contains("3 statement line(s) of other merchants/terminals left out"
                + " (2 of other merchants, 1 of this merchant's other terminals)."), ReconciliationFormat.table(r).toString());
        assertEquals(2, ReconciliationFormat.json(r).get("otherMerchantLines"));
    }

    /**
     * Reconciling a merchant for whom the terminal made none of the day's sales, while it made them for another (a wrong
     * --merchant-id), is refused naming both ids: every sale used to be reported NOT_CREDITED "not on the acquirer's
     * statement".
     */
    @Test
    void aMerchantTheTerminalMadeNoneOfTheDaysSalesForIsRefusedNamingBoth() {
        List<Attempt> journal = List.of(attempt(1, "INV-1", 1, 1234, AttemptState.APPROVED, "632600000001"),
                attempt(2, "INV-2", 2, 500, AttemptState.DECLINED, null));
        Statement st = Statement.parse("t.csv", HEADER + line("INV-1", 1, "632600000001", "12.34"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reconciliation.reconcile(TERMINAL,
                "WRONGMERCHANT01", journal, st, Set.of(DAY), ZoneOffset.UTC));
        assertEquals("the 2 attempt(s) of terminal TALLY001 on 2026-11-22 were made for merchant HOSPITAL0000001, not for"
                + " merchant WRONGMERCHANT01 being reconciled (--merchant-id): reconcile with --merchant-id"
                + " HOSPITAL0000001; nothing was reconciled", e.getMessage());
    }

    /**
     * Reconciling a terminal of which the journal holds no attempt, while it holds another's (a wrong --terminal-id, or
     * another terminal's journal), is refused naming the id the journal holds, whether or not it holds a sale of the
     * day: every line of the statement used to be reported NOT_APPROVED_IN_JOURNAL, "a debit stands at the acquirer for
     * a sale this terminal has no record of". A quiet day of the right terminal is reconciled.
     */
    @Test
    void aTerminalTheJournalHoldsNoAttemptOfIsRefusedNamingTheOneItHolds() {
        Statement st = Statement.parse("t.csv", HEADER + line("INV-1", 1, "632600000001", "12.34"));
        for (LocalDate made : List.of(DAY, DAY.minusDays(1))) {
            List<Attempt> journal = List.of(attempt(1, "TALLY002", MERCHANT, "T2-1", 1, 500, "840", AttemptState.APPROVED,
                    "632600000009", made));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reconciliation.reconcile(
                    TERMINAL, MERCHANT, journal, st, Set.of(DAY), ZoneOffset.UTC));
            assertEquals("the journal holds no attempt of terminal TALLY001 being reconciled (--terminal-id), only 1 of"
                    + " terminal TALLY002: reconcile with --terminal-id TALLY002, or give terminal TALLY001's journal"
                    + " (--journal); nothing was reconciled", e.getMessage());
        }
        ReconciliationReport quiet = Reconciliation.reconcile(TERMINAL, MERCHANT, List.of(attempt(1, TERMINAL, MERCHANT,
                "INV-0", 1, 500, "840", AttemptState.APPROVED, "632600000009", DAY.minusDays(1))), st, Set.of(DAY),
                ZoneOffset.UTC);
        assertEquals(Category.NOT_APPROVED_IN_JOURNAL, only(quiet, "INV-1").category(), quiet.items().toString());
    }

    /**
     * A day on which the terminal sold for two merchants (it was moved from one to the other) is reconciled for the one
     * asked: the other's attempts are left out and counted with the option that reconciles them.
     */
    @Test
    void anotherMerchantsAttemptsOfTheDayAreLeftOutAndCounted() {
        List<Attempt> journal = List.of(attempt(1, "CLINIC000000002", "C-1", 1, 700, "840", AttemptState.APPROVED,
                "632600000001"), attempt(2, "INV-2", 2, 1234, AttemptState.APPROVED, "632600000002"));
        ReconciliationReport r = reconcile(journal, line("INV-2", 2, "632600000002", "12.34"));
        assertEquals(List.of("INV-2"), r.items().stream().map(ReconciliationItem::orderId).toList(), r.items().toString());
        assertEquals(java.util.Map.of("CLINIC000000002", 1), r.otherMerchantAttempts());
        assertTrue(ReconciliationFormat.table(r).contains("1 attempt(s) of terminal TALLY001 made for merchant"
                + " CLINIC000000002 left out: reconcile them with --merchant-id CLINIC000000002."),
                ReconciliationFormat.table(r).toString());
    }
}
