package dev.tally.spec.message;

/**
 * The cashier's order / invoice id, carried in field 62 of every financial request so the host can
 * report by order. 1 to 40 characters of letters, digits and {@code . _ - / :}.
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
        return null;
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
