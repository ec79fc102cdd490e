package dev.tally.simulator.ledger;

import dev.tally.spec.message.SettlementTotals;

/**
 * The answer to a settlement request or trailer: {@code 00} (closed, or already closed before),
 * {@code 95} (totals differ: upload the batch) or {@code 12} (a batch number closed with other totals, other totals
 * than the request answered 95 of a batch waiting for its upload, or a trailer for a batch with no upload requested:
 * nothing recorded), with the host's totals for the batch.
 */
public record SettlementResult(String responseCode, SettlementTotals hostTotals, boolean alreadyClosed) {
}
