package dev.tally.terminal.engine;

import dev.tally.spec.format.Masking;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Amounts at the edge: the cashier's decimal text to minor units (and back), converted once. One rule for
 * every face (CLI, cashier API). Refused input is quoted back only when it cannot be a card number typed into the
 * amount field: text with more digits than any amount has is not shown at all, however it is grouped.
 */
public final class Amounts {

    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,15}(\\.[0-9]{1,15})?");
    /** The largest amount a cashier may ask for, 999 999 999.99, in minor units. */
    public static final long MAX_MINOR = 99_999_999_999L;
    private static final BigDecimal MAX = BigDecimal.valueOf(MAX_MINOR, 2);

    private Amounts() {
    }

    /**
     * "12.34" → 1234. Rejects signs, letters, exponents, spaces, leading zeros ("01.00"), more than 2 decimals (of
     * which any but zeros: "1.230" is 1.23), zero and > 999999999.99.
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("amount is missing: give it as 12.34");
        }
        String t = text;
        if (!t.equals(t.strip()) || t.chars().anyMatch(Character::isWhitespace)) {
            // " 1.00" from a cashier system is a formatting bug of its own: refused, so it is seen and mended
            throw new IllegalArgumentException("amount " + shown(t) + " has spaces in it: give it as 12.34");
        }
        if (!DECIMAL.matcher(t).matches()) {
            throw new IllegalArgumentException("amount " + shown(t) + " is not a positive decimal such as 12.34");
        }
        if (t.length() > 1 && t.charAt(0) == '0' && t.charAt(1) != '.') {
            throw new IllegalArgumentException("amount " + shown(t) + " starts with a zero: give it as 12.34 (or 0.50)");
        }
        BigDecimal v = new BigDecimal(t);
        if (v.stripTrailingZeros().scale() > 2) {
            throw new IllegalArgumentException("amount " + shown(t) + " has more than 2 decimals");
        }
        if (v.signum() <= 0) {
            throw new IllegalArgumentException("amount must be more than 0, got " + shown(t));
        }
        if (v.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("amount " + shown(t) + " is above the limit of 999999999.99");
        }
        return v.movePointRight(2).longValueExact();
    }

    /** The most digits an amount has (999999999.99 is 11; "0999999999.99" 12). */
    private static final int MAX_DIGITS = 12;

    /** The refused text quoted, or a placeholder when it holds as many digits as a card number could. */
    private static String shown(String t) {
        long digits = t.chars().filter(Character::isDigit).count(); // full-width and other scripts' digits too
        return digits > MAX_DIGITS ? "(not shown: " + digits + " digits, more than any amount has)"
                : "'" + Masking.scrub(t) + "'";
    }

    /** 1234 → "12.34". */
    public static String format(long minor) {
        return BigDecimal.valueOf(minor, 2).toPlainString();
    }
}
