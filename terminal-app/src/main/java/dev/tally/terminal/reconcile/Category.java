package dev.tally.terminal.reconcile;

/** What reconciliation found for one attempt or statement line (issue 5, DESIGN.md §1 and §6). */
public enum Category {
    MATCHED("matched"),
    NOT_CREDITED("approved at the terminal, not credited"),
    CREDIT_PENDING("credit pending"),
    CREDITED_LATE("credited late"),
    NOT_APPROVED_IN_JOURNAL("on the statement, not approved at the terminal"),
    REVERSAL_FAILED("reversal not delivered (REVERSAL_FAILED / pending)"),
    DUPLICATE_ON_STATEMENT("listed more than once on the statement");

    private final String label;

    Category(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isAnomaly() {
        return this != MATCHED;
    }
}
