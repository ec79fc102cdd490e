package dev.tally.simulator.ledger;

/**
 * The outcome of recording a sale: either a duplicate of a sale already held (same terminal + STAN +
 * transmission time; nothing applied, {@code transaction} is the one already held) or the new row.
 */
public record SaleResult(boolean duplicate, LedgerTransaction transaction) {
}
