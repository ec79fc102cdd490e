package dev.tally.spec.card;

import dev.tally.spec.format.Masking;
import java.time.YearMonth;

/**
 * A lab test card: what the lab card reader "reads" and what the simulator's ledger opens an account
 * for. {@link #toString()} masks the PAN and hides the PIN, so a card can be logged safely.
 */
public record TestCard(String id, String pan, YearMonth expiry, String pin, long balance, String currency,
                       String description) {

    public String maskedPan() {
        return Masking.pan(pan);
    }

    @Override
    public String toString() {
        return "TestCard[" + id + " " + maskedPan() + " exp " + expiry + "]";
    }
}
