package dev.tally.terminal.card;

import dev.tally.spec.format.Masking;
import java.time.YearMonth;

/** What the reader got from the card: PAN, expiry and the PIN the customer entered. Never printed. */
public record CardData(String pan, YearMonth expiry, String pin) {

    public String maskedPan() {
        return Masking.pan(pan);
    }

    @Override
    public String toString() {
        return "CardData[" + maskedPan() + "]";
    }
}
