package dev.tally.terminal.reconcile;

import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptState;
import java.time.LocalDate;

/**
 * One row of the report: a journal attempt and the statement line that matched it (either may be null),
 * the business date it belongs to (the statement's when on it, else the attempt's local date), and why.
 */
public record ReconciliationItem(LocalDate businessDate, Category category, String orderId, long amount,
                                 String currency, Attempt attempt, StatementLine line, String note) {

    /**
     * What the row adds to its category's total amount: its amount, except a match where nothing stands (declined or
     * reversed on both sides), which moved no money and adds 0. So MATCHED's total is what was credited as
     * approved, the figure a cashier holds against the bank's credit.
     */
    public long totalAmount() {
        boolean approved = attempt != null
                && (attempt.state() == AttemptState.APPROVED || attempt.state() == AttemptState.SETTLED);
        return category == Category.MATCHED && !approved ? 0 : amount;
    }
}
