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
        return orThrow(ref, problem(ref));
    }

    /**
     * Returns the reference when it is well formed ({@link #formatProblem}), or throws. For messages about an
     * attempt that already exists (its reversal, batch upload, status inquiry): an order taken before the
     * card-number rule must still be reversed and settled, so only a new order is held to {@link #require}.
     */
    public static String requireWellFormed(String ref) {
        return orThrow(ref, formatProblem(ref));
    }

    private static String orThrow(String ref, String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return ref;
    }

    /**
     * null when the reference may be given for a new order, else what is wrong with it: well formed
     * ({@link #formatProblem}), not only dots, and not a card number ({@link #looksLikeCardNumber}).
     */
    public static String problem(String ref) {
        String format = formatProblem(ref);
        if (format != null) {
            return format;
        }
        if (ref.chars().allMatch(c -> c == '.')) {
            // "." and ".." are path segments: a URL library resolves GET /v1/payments/.. to /v1/, so the order could
            // be paid and never asked about again
            return "order reference '" + ref + "' is only dots, which a URL cannot name: use your invoice or order id";
        }
        if (looksLikeCardNumber(ref)) {
            return "order reference looks like a card number: use your invoice or order id"
                    + " (a card number is never sent, stored or logged as an order reference)";
        }
        return null;
    }

    /** null when the reference is 1 to {@link #MAX_LENGTH} characters of letters, digits and . _ - / :, else what is wrong. */
    public static String formatProblem(String ref) {
        if (ref == null || ref.isEmpty()) {
            return "order reference is empty: give the order or invoice id (1 to " + MAX_LENGTH + " characters)";
        }
        if (ref.length() > MAX_LENGTH) {
            return "order reference is " + ref.length() + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        if (!allAllowed(ref)) {
            return "order reference may hold only the letters A-Z and a-z (no accents), digits and . _ - / : (no spaces)";
        }
        return null;
    }

    /**
     * Whether the reference holds what could be a card number, so that it is refused before it reaches a
     * journal, a log or the host's ledger: a run of 13 to 19 digits, or digit groups in the shapes card numbers
     * are printed in ({@code 4761-7390-0101-0119}, {@code 3714-496353-98431}; {@link Masking#containsCardNumber}) joined by
     * {@code . _ - / :}, that starts with 1-9 and passes the Luhn check (ISO/IEC 7812-1: no card number starts
     * with major industry identifier 0, so zero-padded invoice and sequence numbers are not mistaken for one).
     * Groups in other shapes are not joined: {@code 2026-11-22-000123} is a date and a sequence number, and
     * joining it would refuse one such id in ten (the Luhn check's odds).
     */
    public static boolean looksLikeCardNumber(String ref) {
        return holdsCardNumber(ref, SEPARATORS);
    }

    private static boolean holdsCardNumber(String ref, String separators) {
        int digits = 0;
        for (int i = 0; i < ref.length() && digits < 13; i++) {
            if (isDigit(ref.charAt(i))) {
                digits++;
            }
        }
        if (digits < 13) {
            return false; // the common case, on every request: no row can be long enough
        }
        return Masking.containsCardNumber(ref, separators);
    }

    /** The characters besides letters and digits a reference may hold; one joins digit groups as a card's are. */
    private static final String SEPARATORS = "._-/:";

    /**
     * The reference as a log, a decoder, a report or a ledger may show or keep it: withheld when it looks like a
     * card number (a message from another terminal may carry one; this terminal never sends one), its groups joined
     * by any of {@link #SHOWN_SEPARATORS}: such a reference was never accepted from this terminal, so a space or a
     * comma, which {@link #formatProblem} refuses, may join them too ({@code 4761 7390 0101 0119}).
     */
    public static String shown(String ref) {
        return ref != null && holdsCardNumber(ref, SHOWN_SEPARATORS) ? WITHHELD : ref;
    }

    /** What may join the groups of a card number in a reference someone else sent. */
    private static final String SHOWN_SEPARATORS = " ,._-/:";

    /** What is shown instead of an order reference that looks like a card number. */
    public static final String WITHHELD = "[withheld: looks like a card number]";

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    private static boolean isSeparator(char ch) {
        return SEPARATORS.indexOf(ch) >= 0;
    }

    /** Whether every character is an ASCII letter or digit or one of {@code . _ - / :} (checked on every request). */
    private static boolean allAllowed(String ref) {
        for (int i = 0; i < ref.length(); i++) {
            char ch = ref.charAt(i);
            boolean ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || isDigit(ch) || isSeparator(ch);
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
