package dev.tally.spec.codes;

import java.util.Currency;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The currencies Tally can carry: ISO 4217 numeric codes (field 49), as the JDK's {@link Currency} knows them, with
 * two decimal places. Every amount Tally reads, keeps and shows is in hundredths (the cashier types 12.34, field 4
 * carries 1234), so a currency with another number of decimals would be charged wrongly: 100 typed in yen (392, no
 * decimals) would go out as 10,000 yen, 1.23 in Bahraini dinar (048, three) as 0.123. Such a currency is refused
 * wherever one is configured (the terminal's {@code --currency}, a test card's currency), not converted.
 */
public final class Currencies {

    /** ISO 4217 numeric code → currency; codes shared by two entries (a renamed currency) have the same decimals. */
    private static final Map<String, Currency> BY_NUMERIC = Currency.getAvailableCurrencies().stream()
            .filter(c -> c.getNumericCode() > 0)
            .collect(Collectors.toUnmodifiableMap(c -> String.format("%03d", c.getNumericCode()), c -> c, (a, b) -> a));

    private Currencies() {
    }

    /**
     * {@code numeric} when it is an ISO 4217 numeric code of a currency with two decimal places.
     *
     * @throws IllegalArgumentException saying what is wrong and which codes are taken; {@code what} names the setting
     */
    public static String requireTwoDecimals(String numeric, String what) {
        if (numeric == null || !numeric.matches("[0-9]{3}")) {
            throw new IllegalArgumentException(what + " must be an ISO 4217 numeric code such as 840 (USD), got "
                    + (numeric == null ? "nothing" : "'" + numeric + "'"));
        }
        Currency c = BY_NUMERIC.get(numeric);
        if (c == null) {
            throw new IllegalArgumentException(what + " " + numeric + " is not an ISO 4217 currency code; use one such"
                    + " as 840 (USD), 978 (EUR) or 826 (GBP)");
        }
        int decimals = c.getDefaultFractionDigits();
        if (decimals != 2) {
            throw new IllegalArgumentException(what + " " + numeric + " (" + c.getCurrencyCode() + ") has "
                    + (decimals < 0 ? "no minor unit" : decimals + " decimal place" + (decimals == 1 ? "" : "s"))
                    + "; Tally reads and shows amounts with 2 decimals, so it takes only currencies that have 2, such"
                    + " as 840 (USD), 978 (EUR) or 826 (GBP)");
        }
        return numeric;
    }

    /** "840 (USD)" for a known ISO 4217 numeric code, else the code as given (for notes and messages). */
    public static String shown(String numeric) {
        Currency c = numeric == null ? null : BY_NUMERIC.get(numeric);
        return c == null ? String.valueOf(numeric) : numeric + " (" + c.getCurrencyCode() + ")";
    }
}
