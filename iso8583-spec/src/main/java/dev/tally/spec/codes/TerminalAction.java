package dev.tally.spec.codes;

/** What the terminal does when a response code arrives (DESIGN.md §3). */
public enum TerminalAction {
    /** the payment is approved */
    APPROVE,
    /** the payment is refused; the order may be paid again */
    DECLINE,
    /** nothing was charged; the same payment may be tried again later */
    RETRY_LATER,
    /** the outcome cannot be trusted: reverse the original */
    REVERSE,
    /** session keys out of sync: sign on again before the next request */
    RESIGN_ON,
    /** totals differ: upload the batch, then send the trailer */
    UPLOAD_BATCH
}
