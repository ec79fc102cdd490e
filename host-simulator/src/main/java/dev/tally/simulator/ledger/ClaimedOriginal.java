package dev.tally.simulator.ledger;

import dev.tally.spec.message.OrderReference;
import java.util.Objects;

/**
 * What a reversal says of the sale it undoes, besides its key (terminal, STAN, field 7 in field 90): its amount
 * (field 4), its card (field 2, masked) and its order reference (field 62, when it carries one). The host undoes
 * the sale under that key only if it is that sale: a key is unique only per terminal journal, and a new journal for
 * a terminal id the host knows counts its STANs from 1 again, so an old sale can hold the key of a new one.
 */
public record ClaimedOriginal(long amount, String maskedPan, String orderRef) {

    public ClaimedOriginal {
        Objects.requireNonNull(maskedPan, "maskedPan");
    }

    /** Whether the sale the ledger holds under the reversal's key is the one the reversal describes. */
    boolean describes(LedgerTransaction t) {
        return t.amount() == amount && t.maskedPan().equals(maskedPan)
                && (orderRef == null || t.orderRef() == null || t.orderRef().equals(orderRef));
    }

    /** How it differs from the sale held under its key, for the log (masked PANs only). */
    String differences(LedgerTransaction t) {
        StringBuilder sb = new StringBuilder();
        if (t.amount() != amount) {
            sb.append("amount ").append(amount).append(" vs ").append(t.amount());
        }
        if (!t.maskedPan().equals(maskedPan)) {
            sb.append(sb.isEmpty() ? "" : ", ").append("card ").append(maskedPan).append(" vs ").append(t.maskedPan());
        }
        if (orderRef != null && t.orderRef() != null && !t.orderRef().equals(orderRef)) {
            sb.append(sb.isEmpty() ? "" : ", ").append("order ").append(OrderReference.shown(orderRef)).append(" vs ")
                    .append(OrderReference.shown(t.orderRef()));
        }
        return sb.toString();
    }
}
