package dev.tally.terminal.engine;

/** What the cashier is told about a payment. */
public enum PaymentStatus {
    APPROVED,
    DECLINED,
    /** no approval: the outcome was uncertain and the reversal went through; nothing stands */
    REVERSED,
    /**
     * the request is out and its answer awaited (another request of the cashier system, or another till process, is
     * taking the payment): not paid yet, not failed either; asked again after {@code retryAfter} it has its outcome
     */
    IN_PROGRESS,
    /** no approval: the outcome is uncertain and a reversal is pending; the order is locked */
    REVERSAL_PENDING,
    /** no approval: the reversal was not acknowledged (no answer, or the host refused it); listed for reconciliation, the order is locked */
    REVERSAL_FAILED,
    /** refused by the terminal: the order has an unresolved attempt; nothing was sent */
    LOCKED,
    /** refused by the terminal: the order is paid already; nothing was sent */
    ALREADY_PAID,
    /** reverse: the order has nothing that could be reversed */
    NOTHING_TO_REVERSE
}
