package dev.tally.spec.message;

import dev.tally.spec.format.Masking;

/**
 * The cashier's order / invoice id, carried in field 62 of every financial request so the host can
 * report by order. 1 to 40 characters of letters, digits and {@code . _ - / :}, and never a card
 * number ({@link #looksLikeCardNumber}).
 */
public final class OrderReference {

    public static final int MAX_LENGTH = 40;

    private OrderReference() {
    }

    /** Returns the reference, or throws with a message that says what to fix. */
    public static String require(String ref) {
        String problem = problem(ref);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return ref;
    }

    /** null when the reference is valid, else what is wrong with it. */
    public static String problem(String ref) {
        if (ref == null || ref.isEmpty()) {
            return "order reference is empty: give the order or invoice id (1 to " + MAX_LENGTH + " characters)";
        }
        if (ref.length() > MAX_LENGTH) {
            return "order reference is " + ref.length() + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        if (!allAllowed(ref)) {
            return "order reference may hold only letters, digits and . _ - / : (no spaces)";
        }
        if (looksLikeCardNumber(ref)) {
            return "order reference looks like a card number: use your invoice or order id"
                    + " (a card number is never sent, stored or logged as an order reference)";
        }
        return null;
    }

    /**
     * Whether the reference holds what could be a card number, so that it is refused before it reaches a
     * journal, a log or the host's ledger: 13 to 19 digits in a row — groups of digits joined by
     * {@code . _ - / :} count as one row ({@code 4761-7390-0101-0119}), a letter ends it — that start with
     * 1-9 and pass the Luhn check (ISO/IEC 7812-1: no card number starts with major industry identifier 0,
     * so zero-padded invoice and sequence numbers are not mistaken for one).
     */
    public static boolean looksLikeCardNumber(String ref) {
        int digits = 0;
        for (int i = 0; i < ref.length() && digits < 13; i++) {
            if (isDigit(ref.charAt(i))) {
                digits++;
            }
        }
        if (digits < 13) {
            return false; // the common case, on every request: no row can be long enough
        }
        // every group of digits that starts a row candidate, with the groups after it joined by separators
        int n = ref.length();
        for (int start = 0; start < n; start++) {
            if (!isDigit(ref.charAt(start)) || (start > 0 && isDigit(ref.charAt(start - 1)))) {
                continue;
            }
            StringBuilder row = new StringBuilder(19);
            for (int i = start; i < n && row.length() <= 19; i++) {
                char ch = ref.charAt(i);
                if (isDigit(ch)) {
                    row.append(ch);
                } else if (!isSeparator(ch)) {
                    break;
                }
                boolean groupEnds = i + 1 == n || !isDigit(ref.charAt(i + 1));
                if (isDigit(ch) && groupEnds && row.length() >= 13 && row.length() <= 19
                        && row.charAt(0) != '0' && Masking.luhnValid(row.toString())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The reference as a log, a decoder or a report may show it: withheld when it looks like a card number
     * (a message from another terminal may carry one; this terminal never sends one).
     */
    public static String shown(String ref) {
        return ref != null && looksLikeCardNumber(ref) ? WITHHELD : ref;
    }

    /** What is shown instead of an order reference that looks like a card number. */
    public static final String WITHHELD = "[withheld: looks like a card number]";

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    private static boolean isSeparator(char ch) {
        return ch == '.' || ch == '_' || ch == '-' || ch == '/' || ch == ':';
    }

    /** Whether every character is an ASCII letter or digit or one of {@code . _ - / :} (checked on every request). */
    private static boolean allAllowed(String ref) {
        for (int i = 0; i < ref.length(); i++) {
            char ch = ref.charAt(i);
            boolean ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
                    || ch == '.' || ch == '_' || ch == '-' || ch == '/' || ch == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
