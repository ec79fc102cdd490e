package dev.tally.terminal.engine;

import dev.tally.terminal.journal.Attempt;
import java.time.Instant;

/**
 * The outcome of a payment command, as the cashier system sees it. {@code attempt} is the journal row it
 * is about (for a refusal: the attempt that caused it), null when there is none.
 */
public record PaymentResult(String orderId, PaymentStatus status, String responseCode, String message, long amount,
                            String currency, Attempt attempt, Instant retryAfter) {

    public String stan() {
        return attempt == null ? null : attempt.stanText();
    }

    public String rrn() {
        return attempt == null ? null : attempt.rrn();
    }

    public String authCode() {
        return attempt == null ? null : attempt.authCode();
    }

    public String maskedPan() {
        return attempt == null ? null : attempt.maskedPan();
    }
}
