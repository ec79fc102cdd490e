package dev.tally.terminal.reconcile;

import dev.tally.terminal.journal.Attempt;
import java.time.LocalDate;

/**
 * One row of the report: a journal attempt and the statement line that matched it (either may be null),
 * the business date it belongs to (the statement's when on it, else the attempt's local date), and why.
 */
public record ReconciliationItem(LocalDate businessDate, Category category, String orderId, long amount,
                                 String currency, Attempt attempt, StatementLine line, String note) {
}
