package dev.tally.simulator.ledger;

import java.time.LocalDate;

/** One line of a merchant statement (docs/simulator.md "Statement"). Amount in minor units. */
public record StatementLine(LocalDate businessDate, String merchantId, String terminalId, String orderRef, int stan,
                            String rrn, String authCode, long amount, String currency, String maskedPan,
                            TxnState txnState, CreditState creditState, LocalDate creditDate) {
}
