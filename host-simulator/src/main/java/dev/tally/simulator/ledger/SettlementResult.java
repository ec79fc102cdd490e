package dev.tally.simulator.ledger;

import dev.tally.spec.message.SettlementTotals;

/**
 * The answer to a settlement request or trailer: {@code 00} (closed, or already closed before) or
 * {@code 95} (totals differ: upload the batch), with the host's totals for the batch.
 */
public record SettlementResult(String responseCode, SettlementTotals hostTotals, boolean alreadyClosed) {
}
