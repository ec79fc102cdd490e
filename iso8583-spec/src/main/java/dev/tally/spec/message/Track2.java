package dev.tally.spec.message;

/**
 * Field 35, track 2 equivalent data (ISO/IEC 7813): the PAN, one separator, then digits (expiry YYMM, service code,
 * discretionary data). On the wire the field is BCD (IFB_LLNUM) and the separator is the nibble {@code D}; jPOS
 * reads that nibble as {@code '='} and packs {@code '='} back as {@code D}, so in a message the separator is
 * {@code '='}. Tally never sends a track 2 (SPEC.md §2: accepted, never required) and never shows, logs or stores
 * one; the problems said here name positions, never the content.
 */
public final class Track2 {

    private static final int MIN_PAN = 12;
    private static final int MAX_PAN = 19;

    private Track2() {
    }

    /** null when {@code v} (as jPOS holds field 35) is a track 2, else what is wrong, without quoting it. */
    public static String problem(String v) {
        if (v == null || v.isEmpty()) {
            return "a track 2 is the PAN, one '=' separator, then digits; this one is empty";
        }
        int separator = -1;
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch >= '0' && ch <= '9') {
                continue;
            }
            if (ch == '=') {
                if (separator >= 0) {
                    return "a track 2 has one separator; this one has another at character " + (i + 1);
                }
                separator = i;
                continue;
            }
            if (ch == 'D' || ch == 'd') {
                // the wire's nibble D; as a character jPOS would pack it as the digit 4, so it must be '=' in a message
                return "character " + (i + 1) + " is the separator written 'D': write it '=' (jPOS packs '=' as the"
                        + " BCD nibble D; a 'D' would go out as a wrong digit)";
            }
            return "a track 2 holds the digits 0-9 and one '=' separator; character " + (i + 1) + " is neither";
        }
        if (separator < 0) {
            return "a track 2 is the PAN, one '=' separator, then digits; this one has no separator";
        }
        if (separator < MIN_PAN || separator > MAX_PAN) {
            return "the PAN before the separator has " + separator + " digits; a PAN has " + MIN_PAN + " to " + MAX_PAN;
        }
        if (separator == v.length() - 1) {
            return "nothing follows the separator: a track 2 goes on with the expiry (YYMM), service code and"
                    + " discretionary data";
        }
        return null;
    }
}
