package dev.tally.simulator.ledger;

/** Whether the merchant has been credited for a sale (SPEC.md §4.5, field 48 CREDIT). */
public enum CreditState {
    /** credited on the credit date */
    CREDITED,
    /** expected: at the next business-day cut-over, or after a delay */
    PENDING,
    /** approved but never credited (the "card charged, merchant not credited" anomaly) */
    NOT_CREDITED,
    /** nothing to credit: declined, or reversed */
    NONE
}
