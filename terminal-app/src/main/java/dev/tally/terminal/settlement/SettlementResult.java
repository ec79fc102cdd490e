package dev.tally.terminal.settlement;

import dev.tally.spec.message.SettlementTotals;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.Batch;
import java.util.List;

/**
 * What {@code settle} did. {@code batch} is the journal's batch after this run (CLOSED when done);
 * {@code closed} is false when the host did not answer or refused, and then the next {@code settle}
 * resumes it. {@code uploadedNow} counts the 0320s acknowledged in this run; {@code excluded} are the
 * batch's attempts whose reversal is pending or failed (outside the totals, listed for reconciliation).
 */
public record SettlementResult(boolean closed, boolean resumed, Batch batch, SettlementTotals terminalTotals,
                               SettlementTotals hostTotals, String settlementResponseCode, int uploadedNow,
                               String message, String failureCode, List<Attempt> excluded,
                               List<Attempt> reversalsRun) {
}
