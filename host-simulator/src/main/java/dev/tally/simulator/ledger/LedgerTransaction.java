package dev.tally.simulator.ledger;

import java.time.Instant;
import java.time.LocalDate;

/**
 * One sale as the host holds it. Amounts are minor units. {@code reversalCount} counts the reversal
 * messages (0400/0401) received for it, answered or dropped. {@code arrivedAfterReversal}: the sale reached the
 * host after a reversal of it that was answered 25 (original not found); it was refused, nothing debited.
 */
public record LedgerTransaction(long id, String terminalId, String merchantId, int stan, String transmissionTime,
                                String orderRef, String mti, long amount, String currency, String cardId,
                                String maskedPan, String responseCode, TxnState state, int reversalCount,
                                CreditState creditState, LocalDate creditDate, String rrn, String authCode,
                                LocalDate businessDate, Instant receivedAt, Long settlementBatchId,
                                boolean arrivedAfterReversal) {

    /** Whether the card is debited for it now: approved and not reversed. */
    public boolean debitStanding() {
        return state == TxnState.APPROVED;
    }
}
