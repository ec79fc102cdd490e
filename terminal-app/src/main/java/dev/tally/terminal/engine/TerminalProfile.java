package dev.tally.terminal.engine;

import dev.tally.spec.codes.Currencies;
import java.time.Duration;

/** Who the terminal is to the host and how long it waits for an answer. */
public record TerminalProfile(String terminalId, String merchantId, String currency, Duration timeout) {

    public TerminalProfile {
        if (terminalId == null || !terminalId.matches("[A-Za-z0-9]{8}")) {
            throw new IllegalArgumentException("terminal id must be 8 letters or digits (field 41), got '" + terminalId + "'");
        }
        if (merchantId == null || !merchantId.matches("[A-Za-z0-9 ]{15}")) {
            throw new IllegalArgumentException("merchant id must be 15 letters or digits (field 42), got '" + merchantId + "'");
        }
        Currencies.requireTwoDecimals(currency, "currency");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }
}
