package dev.tally.spec.format;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How card data may be shown: a PAN as first 6 + last 4, nothing else of it (DESIGN.md §3). */
public final class Masking {

    private static final Pattern DIGIT_RUN = Pattern.compile("(?<![0-9])[0-9]{13,19}(?![0-9])");

    private Masking() {
    }

    /** "4761739001010119" → "476173******0119"; short or odd values keep at most the last 4 digits. */
    public static String pan(String pan) {
        if (pan == null || pan.isEmpty()) {
            return "";
        }
        int n = pan.length();
        if (n >= 13) {
            return pan.substring(0, 6) + "*".repeat(n - 10) + pan.substring(n - 4);
        }
        if (n > 4) {
            return "*".repeat(n - 4) + pan.substring(n - 4);
        }
        return "*".repeat(n);
    }

    /** The last four digits of a PAN (what a receipt and a card map may use). */
    public static String last4(String pan) {
        return pan == null || pan.length() < 4 ? "" : pan.substring(pan.length() - 4);
    }

    /** As many digits as the shortest PAN: a value holding this many may be a card number. */
    public static final int MIN_PAN_DIGITS = 12;

    /**
     * Whether a value that should name something (a card id, a card reference) holds as many digits as the shortest
     * PAN, whatever separates them ({@code 4761 7390 0101 0119}, {@code 4761-7390-...}) and in whatever script
     * (fullwidth digits read as a card number too): such a value is refused, and never quoted back.
     */
    public static boolean mayBeCardNumber(String value) {
        int digits = 0;
        for (int i = 0; value != null && i < value.length(); i++) {
            if (Character.isDigit(value.charAt(i)) && ++digits >= MIN_PAN_DIGITS) {
                return true;
            }
        }
        return false;
    }

    /** The value given to a TMK option, however spelt ({@code --tmk=V}, a typo such as {@code --tmkk=V}). */
    private static final Pattern TMK_ASSIGNED =
            Pattern.compile("(?i)(-{1,2}[\\w-]*tmk[\\w-]*=)[^'\\s,]*");
    /** The argument after a TMK option as picocli lists unmatched arguments: {@code '--tmk', 'V'}. */
    private static final Pattern TMK_LISTED =
            Pattern.compile("(?i)('-{1,2}[\\w-]*tmk[\\w-]*',\\s*')[^']*'");
    /** A double- or triple-length DES key written in hex. */
    private static final Pattern KEY_HEX =
            Pattern.compile("(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{48}|[0-9A-Fa-f]{32})(?![0-9A-Fa-f])");

    /**
     * A command line's complaint about arguments it could not match quotes them back (picocli); when a key is
     * among them (a global {@code --tmk} after the subcommand, a misspelt option, a stray key) it must not be
     * printed: the value of any TMK-like option and any 32- or 48-hex-digit token become {@code [redacted]}.
     */
    public static String redactKeys(String message) {
        if (message == null) {
            return "";
        }
        String m = TMK_ASSIGNED.matcher(message).replaceAll("$1[redacted]");
        m = TMK_LISTED.matcher(m).replaceAll("$1[redacted]'");
        return KEY_HEX.matcher(m).replaceAll("[redacted]");
    }

    /**
     * A safety net for free text (log lines, exception messages): every run of 13–19 digits that passes
     * the Luhn check is masked. Code should mask at the source; this catches what slips through.
     */
    public static String scrub(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = DIGIT_RUN.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            if (!luhnValid(m.group())) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start()).append(pan(m.group()));
            last = m.end();
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }

    /** The Luhn (mod 10) check of ISO/IEC 7812-1 annex B. */
    public static boolean luhnValid(String digits) {
        if (digits == null || digits.isEmpty()) {
            return false;
        }
        int sum = 0;
        boolean doubleIt = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            int d = c - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }
}
