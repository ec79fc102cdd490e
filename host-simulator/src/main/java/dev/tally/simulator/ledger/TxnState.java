package dev.tally.simulator.ledger;

/** What became of a sale at the host (DESIGN.md §6: APPROVED ⇔ exactly one debit that stands). */
public enum TxnState {
    /** approved; the debit stands */
    APPROVED,
    /** declined; nothing was debited */
    DECLINED,
    /** approved, then reversed; the debit was restored */
    REVERSED
}
