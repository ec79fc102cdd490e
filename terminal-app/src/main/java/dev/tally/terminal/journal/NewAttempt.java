package dev.tally.terminal.journal;

import java.time.LocalDateTime;

/**
 * What the engine knows of an attempt before it exists: the journal adds the STAN, the batch and the
 * timestamps. {@code pan} is encrypted before it is written; {@link #toString()} never shows it.
 */
public record NewAttempt(String terminalId, String merchantId, String orderRef, AttemptKind kind, long amount,
                         String currency, LocalDateTime localDateTime, String pan, String maskedPan) {

    @Override
    public String toString() {
        return "NewAttempt[" + kind + " order=" + orderRef + " amount=" + amount + " " + currency + " card=" + maskedPan + "]";
    }
}
