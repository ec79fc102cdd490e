package dev.tally.terminal.journal;

import java.time.Instant;

/**
 * One settlement batch in the journal: the totals the terminal sends (frozen when the settlement started:
 * the APPROVED attempts of the batch), what the host answered, and how many sales were uploaded.
 * {@code hostTotals} is field 63 of the host's last 0510 (36 digits), null before it answered.
 */
public record Batch(String terminalId, int batchNumber, String merchantId, BatchState state, long debitCount,
                    long debitAmount, String hostTotals, String responseCode, int uploaded, Instant startedAt,
                    Instant updatedAt, Instant closedAt) {

    public String batchText() {
        return String.format("%06d", batchNumber);
    }
}
