package dev.tally.simulator.ledger;

import java.util.Objects;

/**
 * What the host decided for a sale, for the ledger to record in one database transaction.
 *
 * @param cardId      the card's id, or null when the PAN is unknown
 * @param maskedPan   first 6 + last 4, never the full PAN
 * @param declineCode null to approve when the balance covers the amount (else 51); otherwise the
 *                    response code the sale is declined with, nothing debited
 */
public record SaleRequest(String terminalId, String merchantId, int stan, String transmissionTime, String orderRef,
                          long amount, String currency, String cardId, String maskedPan, String declineCode,
                          CreditPolicy creditPolicy, ReversalPolicy reversalPolicy, Integer terminalBatch) {

    /** A sale that does not say which of the terminal's batches it is in (no field 60). */
    public SaleRequest(String terminalId, String merchantId, int stan, String transmissionTime, String orderRef, long amount,
                       String currency, String cardId, String maskedPan, String declineCode, CreditPolicy creditPolicy,
                       ReversalPolicy reversalPolicy) {
        this(terminalId, merchantId, stan, transmissionTime, orderRef, amount, currency, cardId, maskedPan, declineCode,
                creditPolicy, reversalPolicy, null);
    }

    public SaleRequest {
        Objects.requireNonNull(terminalId, "terminalId");
        Objects.requireNonNull(transmissionTime, "transmissionTime");
        Objects.requireNonNull(maskedPan, "maskedPan");
        if (amount < 0) {
            throw new IllegalArgumentException("amount must not be negative");
        }
        if (declineCode == null && cardId == null) {
            throw new IllegalArgumentException("a sale without a known card cannot be approved");
        }
        creditPolicy = creditPolicy == null ? CreditPolicy.IMMEDIATE : creditPolicy;
        reversalPolicy = reversalPolicy == null ? ReversalPolicy.ACKNOWLEDGE : reversalPolicy;
    }
}
