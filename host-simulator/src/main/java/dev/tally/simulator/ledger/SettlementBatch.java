package dev.tally.simulator.ledger;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A terminal's settlement batch as the host holds it: the totals both sides claimed, whether it is closed
 * or awaiting the upload, how many sales were uploaded, and the differences found when it was closed
 * after an upload (empty when none).
 */
public record SettlementBatch(String terminalId, String merchantId, int batchNumber, String status,
                              String terminalTotals, String hostTotals, int uploads, String differences,
                              LocalDate businessDate, Instant openedAt, Instant closedAt) {
}
