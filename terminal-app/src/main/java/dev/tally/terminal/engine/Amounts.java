package dev.tally.terminal.engine;

import dev.tally.spec.format.Masking;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Amounts at the edge: the cashier's decimal text to minor units (and back), converted once. One rule for
 * every face (CLI, cashier API). Echoed input is scrubbed: a card number typed as an amount is not printed.
 */
public final class Amounts {

    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,15}(\\.[0-9]{1,15})?");
    /** The largest amount a cashier may ask for, 999 999 999.99, in minor units. */
    public static final long MAX_MINOR = 99_999_999_999L;
    private static final BigDecimal MAX = BigDecimal.valueOf(MAX_MINOR, 2);

    private Amounts() {
    }

    /** "12.34" → 1234. Rejects signs, letters, exponents, more than 2 decimals, zero and > 999999999.99. */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("amount is missing: give it as 12.34");
        }
        String t = text.strip();
        if (!DECIMAL.matcher(t).matches()) {
            throw new IllegalArgumentException("amount '" + Masking.scrub(t) + "' is not a positive decimal such as 12.34");
        }
        BigDecimal v = new BigDecimal(t);
        if (v.stripTrailingZeros().scale() > 2) {
            throw new IllegalArgumentException("amount '" + Masking.scrub(t) + "' has more than 2 decimals");
        }
        if (v.signum() <= 0) {
            throw new IllegalArgumentException("amount must be more than 0, got " + Masking.scrub(t));
        }
        if (v.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("amount " + Masking.scrub(t) + " is above the limit of 999999999.99");
        }
        return v.movePointRight(2).longValueExact();
    }

    /** 1234 → "12.34". */
    public static String format(long minor) {
        return BigDecimal.valueOf(minor, 2).toPlainString();
    }
}
