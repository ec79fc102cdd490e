package dev.tally.terminal.reconcile;

import java.time.LocalDate;

/**
 * One sale on the acquirer's statement (docs/simulator.md §6). {@code amount} in minor units;
 * {@code creditDate} is the day credited (CREDITED) or expected (PENDING), else null; {@code source} (the file or URL)
 * and {@code line}, the line number in its CSV, are for messages.
 */
public record StatementLine(String source, int line, LocalDate businessDate, String merchantId, String terminalId, String orderRef,
                            int stan, String rrn, String authCode, long amount, String currency, String maskedPan,
                            String txnState, String creditState, LocalDate creditDate) {

    public boolean debitStands() {
        return "APPROVED".equals(txnState);
    }

    public String stanText() {
        return String.format("%06d", stan);
    }
}
