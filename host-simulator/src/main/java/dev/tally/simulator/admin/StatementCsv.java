package dev.tally.simulator.admin;

import dev.tally.simulator.ledger.StatementLine;
import java.math.BigDecimal;
import java.util.List;

/**
 * The merchant statement as CSV (docs/simulator.md "Statement"), the format {@code tally reconcile}
 * reads. Amounts are decimal with two places ("12.34"); the PAN is masked. A value with a comma, a quote or a line
 * feed is quoted (RFC 4180): order references allow none, but a terminal or merchant id (41, 42: any characters of
 * their length) may hold a comma.
 */
public final class StatementCsv {

    public static final String HEADER = "business_date,merchant_id,terminal_id,order_ref,stan,rrn,auth_code,amount,currency,"
            + "masked_pan,txn_state,credit_state,credit_date";

    private StatementCsv() {
    }

    public static String render(List<StatementLine> lines) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (StatementLine l : lines) {
            sb.append(l.businessDate()).append(',')
                    .append(cell(l.merchantId())).append(',')
                    .append(cell(l.terminalId())).append(',')
                    .append(cell(l.orderRef())).append(',')
                    .append(String.format("%06d", l.stan())).append(',')
                    .append(cell(l.rrn())).append(',')
                    .append(cell(l.authCode())).append(',')
                    .append(BigDecimal.valueOf(l.amount(), 2).toPlainString()).append(',')
                    .append(cell(l.currency())).append(',')
                    .append(cell(l.maskedPan())).append(',')
                    .append(l.txnState()).append(',')
                    .append(l.creditState()).append(',')
                    .append(l.creditDate() == null ? "" : l.creditDate().toString())
                    .append('\n');
        }
        return sb.toString();
    }

    private static String cell(String v) {
        if (v == null) {
            return "";
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }
}
