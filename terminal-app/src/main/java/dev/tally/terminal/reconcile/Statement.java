package dev.tally.terminal.reconcile;

import dev.tally.spec.codes.Currencies;
import dev.tally.spec.format.Masking;
import dev.tally.spec.message.OrderReference;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The acquirer's statement CSV, the format the simulator publishes (docs/simulator.md §6): a header line
 * with the 13 columns below, then one line per sale. Read strictly: a line that breaks the format is
 * refused with its number and the column, and nothing is reconciled from a statement read in part.
 */
public record Statement(String source, List<StatementLine> lines) {

    public static final List<String> COLUMNS = List.of("business_date", "merchant_id", "terminal_id", "order_ref", "stan",
            "rrn", "auth_code", "amount", "currency", "masked_pan", "txn_state", "credit_state", "credit_date");
    private static final int MASKED_PAN = COLUMNS.indexOf("masked_pan");
    private static final int MERCHANT_ID = COLUMNS.indexOf("merchant_id");
    private static final Set<String> TXN_STATES = Set.of("APPROVED", "REVERSED");
    private static final Set<String> CREDIT_STATES = Set.of("CREDITED", "PENDING", "NOT_CREDITED", "NONE");

    public static Statement parse(String source, String text) {
        return parse(source, text, null);
    }

    /**
     * As {@link #parse(String, String)}, for the merchant {@code ownMerchantId}: its id in the merchant_id column is
     * not taken for a card number. A numeric merchant id passes the Luhn check one time in ten, as a card number does;
     * the terminal was configured with it, so it is no card, and reconciling must not refuse the merchant's own
     * statement for it. Any other value there is still checked.
     */
    public static Statement parse(String source, String text, String ownMerchantId) {
        String[] raw = text.replace("\r\n", "\n").split("\n", -1);
        int n = raw.length;
        while (n > 0 && raw[n - 1].isEmpty()) {
            n--;
        }
        if (n == 0) {
            throw new StatementFormatException("statement " + source + " is empty: expected the header line "
                    + String.join(",", COLUMNS));
        }
        String header = raw[0].startsWith("\uFEFF") ? raw[0].substring(1) : raw[0];
        if (!split(header).equals(COLUMNS)) {
            throw new StatementFormatException("statement " + source + " line 1: the header is not the acquirer statement's ("
                    + String.join(",", COLUMNS) + ")");
        }
        List<StatementLine> lines = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            if (raw[i].isBlank()) {
                throw new StatementFormatException("statement " + source + " line " + (i + 1) + ": empty line");
            }
            lines.add(line(source, i + 1, raw[i], ownMerchantId));
        }
        return new Statement(source, List.copyOf(lines));
    }

    private static StatementLine line(String source, int no, String text, String ownMerchantId) {
        List<String> c = split(text);
        String where = "statement " + source + " line " + no;
        if (c.size() != COLUMNS.size()) {
            throw new StatementFormatException(where + ": " + c.size() + " columns, expected " + COLUMNS.size());
        }
        refuseCardData(where, c, ownMerchantId);
        LocalDate business = date(where, "business_date", c.get(0), false);
        String stanText = c.get(4);
        if (!stanText.matches("\\d{1,6}")) {
            throw new StatementFormatException(where + ": stan '" + Masking.scrub(stanText) + "' is not 1-6 digits");
        }
        String amountText = c.get(7);
        if (!amountText.matches("\\d{1,12}\\.\\d{2}")) {
            throw new StatementFormatException(where + ": amount '" + Masking.scrub(amountText)
                    + "' is not a decimal with two places such as 12.34");
        }
        long amount = new BigDecimal(amountText).movePointRight(2).longValueExact();
        String currency;
        try {
            // the terminal's own rule (--currency): ISO 4217 numeric with two decimals, as the amount column has them
            currency = Currencies.requireTwoDecimals(c.get(8), where + ": currency");
        } catch (IllegalArgumentException e) {
            throw new StatementFormatException(e.getMessage());
        }
        String txn = c.get(10);
        if (!TXN_STATES.contains(txn)) {
            throw new StatementFormatException(where + ": txn_state '" + Masking.scrub(txn) + "' is not one of " + TXN_STATES);
        }
        String credit = c.get(11);
        if (!CREDIT_STATES.contains(credit)) {
            throw new StatementFormatException(where + ": credit_state '" + Masking.scrub(credit) + "' is not one of "
                    + CREDIT_STATES);
        }
        LocalDate creditDate = date(where, "credit_date", c.get(12), true);
        if (c.get(2).isEmpty()) {
            throw new StatementFormatException(where + ": terminal_id is empty");
        }
        return new StatementLine(source, no, business, c.get(1), c.get(2), c.get(3), Integer.parseInt(stanText), c.get(5),
                c.get(6), amount, currency, c.get(MASKED_PAN), txn, credit, creditDate);
    }

    private static final String MASKED_ONLY = "a statement carries masked PANs only: get it again from the acquirer,"
            + " and do not keep or pass on a file with card numbers in it";

    /**
     * A statement carries masked PANs only (docs/simulator.md §6). A line with more of a card than first 6 + last 4
     * (a full PAN in masked_pan, a card number in any other column, run together or in groups such as
     * {@code 4761 7390 0101 0119}) is refused before anything of it is read or printed, and the value is never quoted.
     * Besides what {@link Masking#scrub} would mask, the groups an order reference may not hold count too
     * ({@code 4761.7390.0101.0119}): an order_ref is printed by reconcile as it is, and scrub does not join those.
     */
    private static void refuseCardData(String where, List<String> c, String ownMerchantId) {
        for (int i = 0; i < c.size(); i++) {
            String v = c.get(i);
            boolean own = i == MERCHANT_ID && v.equals(ownMerchantId);
            if (i != MASKED_PAN && !own && (Masking.containsCardNumber(v) || OrderReference.looksLikeCardNumber(v))) {
                throw new StatementFormatException(where + ": " + COLUMNS.get(i) + " holds what looks like a card number"
                        + " (not shown); " + MASKED_ONLY);
            }
        }
        if (!Masking.isMaskedPan(c.get(MASKED_PAN))) {
            throw new StatementFormatException(where + ": masked_pan (not shown) is not a PAN masked as first 6 + last 4"
                    + " such as 476173******0119; " + MASKED_ONLY);
        }
    }

    private static LocalDate date(String where, String column, String v, boolean optional) {
        if (v.isEmpty() && optional) {
            return null;
        }
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw new StatementFormatException(where + ": " + column + " '" + Masking.scrub(v) + "' is not a date YYYY-MM-DD");
        }
    }

    /** Splits one CSV line; fields may be quoted ("a,b", "" for a quote). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"' && cur.isEmpty()) {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
