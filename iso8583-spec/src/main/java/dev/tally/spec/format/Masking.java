package dev.tally.spec.format;

import java.util.Collection;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How card data may be shown: a PAN as first 6 + last 4, nothing else of it (DESIGN.md §3). */
public final class Masking {

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
        return redactKeys(message, Set.of());
    }

    private static String redactKeys(String message, Collection<String> shown) {
        if (message == null) {
            return "";
        }
        String m = TMK_ASSIGNED.matcher(message).replaceAll("$1[redacted]");
        m = TMK_LISTED.matcher(m).replaceAll("$1[redacted]'");
        return withhold(KEY_HEX, m, "[redacted]", shown);
    }

    /** Each match of {@code p} replaced by {@code by}, unless it is one of {@code shown} exactly. */
    private static String withhold(Pattern p, String text, String by, Collection<String> shown) {
        return p.matcher(text).replaceAll(r -> Matcher.quoteReplacement(shown.contains(r.group()) ? r.group() : by));
    }

    /** What {@link #scrubFreeText} puts in place of bytes written as hex. */
    public static final String BYTES_WITHHELD = "[bytes withheld]";

    /**
     * Eight or more bytes written as hex, in one run or as pairs separated by a space, colon or hyphen: what a PIN
     * block (16 hex digits), a key (32 or 48), a MAC or a track 2 in BCD looks like in text. The numbers a note or an
     * audit line carries (a STAN, field 7, an RRN, a 12-digit amount, a date, a time) are shorter. The one definition:
     * {@link JposLogBridge} withholds jPOS text that holds such a run by it too.
     */
    static final Pattern HEX_BYTES = Pattern.compile(
            "(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{16,}|(?:[0-9A-Fa-f]{2}[ :\\-]){7,}[0-9A-Fa-f]{2})(?![0-9A-Za-z])");

    /**
     * For free text read back from a file and shown to a person (a message-log note, an audit-trail line, in
     * {@code tally report}): {@link #scrub} masks a card number only, but such text may quote what a host or a parser
     * saw, or be a file someone else wrote; a key (and the value of any TMK option) and any run of bytes as hex (a PIN
     * block, a key, a BCD track 2) are withheld too (DESIGN.md §3: never printed).
     */
    public static String scrubFreeText(String text) {
        return scrubFreeText(text, Set.of());
    }

    /**
     * {@link #scrubFreeText(String)} that leaves the case's own identifiers visible where one stands whole where a key
     * or bytes would be withheld: an order id that is a 32-hex-digit UUID, a terminal or merchant id of hex digits.
     * Only a run equal to one of {@code shown} is kept (not one that holds it); card numbers are masked whatever
     * {@code shown} says. {@code shown} are what the report names anyway (its subject, its answer): a value equal to
     * one of them shows nothing the reader does not already see.
     */
    public static String scrubFreeText(String text, Collection<String> shown) {
        if (text == null) {
            return null;
        }
        return withhold(HEX_BYTES, redactKeys(scrub(text), shown), BYTES_WITHHELD, shown);
    }

    /**
     * For a command line's error or warning, which quotes back what a person typed (an option's value, a file name, an
     * argument it could not match): a key pasted into the wrong option must not be printed whatever its length, and
     * {@link #redactKeys} knows a key only as exactly 32 or 48 hex digits (one digit short, or with its check value
     * after it, it passed). Card numbers are masked as {@link #scrubTyped} masks them, the value of a TMK option
     * redacted, and any 8 or more bytes written as hex ({@link #TYPED_HEX_BYTES}: a key of any length, a PIN block)
     * withheld; nothing a command needs to quote is like that but the order id it is about, which may be a
     * 32-hex-digit UUID: a value equal to one of {@code shown} stands.
     */
    public static String scrubCommandLine(String message, Collection<String> shown) {
        if (message == null) {
            return null;
        }
        return withhold(TYPED_HEX_BYTES, redactKeys(scrubTyped(message), shown), BYTES_WITHHELD, shown);
    }

    /**
     * {@link #HEX_BYTES} for what a person typed, where a run of digits alone is a number (the random digits of a temp
     * folder, {@code /tmp/junit-4391869402718291766}, a long amount; a card number among them is masked): a run of 16
     * or more hex digits is bytes when it holds a letter A-F, as all but one key in three million and one PIN block in
     * two thousand do (an all-digit key of 32 or 48 is {@link #KEY_HEX}'s).
     */
    private static final Pattern TYPED_HEX_BYTES = Pattern.compile("(?<![0-9A-Za-z])(?:(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{16,}"
            + "|(?:[0-9A-Fa-f]{2}[ :\\-]){7,}[0-9A-Fa-f]{2})(?![0-9A-Za-z])");

    /** A PAN has 13 to 19 digits (ISO/IEC 7812-1); fewer or more in one run are another number (an RRN has 12). */
    private static final int PAN_MIN = 13;
    private static final int PAN_MAX = 19;
    /**
     * The group lengths card numbers are printed or typed in, longest first: 4-4-4-4 (and 4-4-4-4-1..3 for 17-19
     * digits), 4-4-4-1..3 (a 13-15 digit number typed in fours, as {@code 3782-8224-6310-005}), 4-6-5, 4-6-4 (the one
     * table of them: {@code OrderReference} refuses these too, through {@link #containsCardNumber(String, String)}).
     * Other groupings are not joined up: dates ({@code 2026-11-22}), lists of STANs ({@code 000123 000124 000125}), a
     * STAN beside an RRN.
     */
    private static final int[][] PRINTED = {{4, 4, 4, 4, 3}, {4, 4, 4, 4, 2}, {4, 4, 4, 4, 1}, {4, 4, 4, 4},
        {4, 4, 4, 3}, {4, 4, 4, 2}, {4, 4, 4, 1}, {4, 6, 5}, {4, 6, 4}};
    private static final int MAX_GROUPS = 5;
    /** What replaces a track 2's expiry, service code and discretionary data after the separator. */
    private static final String TAIL_MASK = "****";

    /**
     * A safety net for free text (log lines, exception messages, outputs): a card number is masked to first 6 +
     * last 4 ({@code 476173******0119}) when its 13–19 digits pass the Luhn check, whether written as one run or in
     * the groups cards are printed in ({@link #PRINTED}) separated by one of {@link #PRINTED_SEPARATORS}
     * ({@code 4761 7390 0101 0119}, {@code 4761-7390-0101-0119}, {@code 3714 496353 98431}); a track 2 tail after
     * it ({@code =} or {@code D} then digits: expiry, service code, discretionary data) becomes {@code =****}
     * ({@code D****}). Other numbers (amounts, STANs, RRNs, dates) are left alone. Code should mask at the source;
     * this catches what slips through. One pass over the text, nothing compiled per call (it runs on every log line).
     */
    public static String scrub(String text) {
        return scrub(text, PRINTED_SEPARATORS, true);
    }

    /**
     * {@link #scrub} for the value of a message field of known format (a merchant id, an amount, field 54, 60 or
     * 63, a binary field shown in hex): a card number there is masked as in free text, but a run led by 0 is a
     * zero-padded number (a 16-digit amount, a count), not a card: no card number starts with major industry
     * identifier 0 (ISO/IEC 7812-1), and masking one such number in ten would change what a replay sends. What a
     * message log or a dump shows of a field that is not the PAN's goes through this or {@link #scrubEmbedded}.
     */
    public static String scrubField(String text) {
        return scrub(text, PRINTED_SEPARATORS, false);
    }

    /**
     * {@link #scrub} for a message that quotes what a person typed or sent (an error naming a refused option value,
     * parameter or field): the groups of a card number may be joined by any of {@code " -.,/:_"} there
     * ({@code 4761,7390,0101,0119} given as an amount or a terminal id). Not for structured output, where a comma
     * separates numbers ({@code [1234,5678,9012,3456]}).
     */
    public static String scrubTyped(String text) {
        return scrub(text, TYPED_SEPARATORS, true);
    }

    /**
     * {@link #scrub} for the value of a free-form field of a message someone else built (field 48, private
     * fields: {@code MessageDecoder}): a card number may sit inside a longer run of digits there ({@code 47617390010101190000}, a PAN and
     * padding). A run of more than 13 digits is masked as a whole (first 6 + last 4 of the run) when its first or
     * last 13 to 19 digits start with 1-9 and pass Luhn. Not for free text in general, nor for fields of known
     * format: a long number has such a prefix or suffix about half the time.
     */
    public static String scrubEmbedded(String text) {
        String t = scrub(text);
        if (t == null) {
            return null;
        }
        StringBuilder out = null;
        int last = 0;
        for (int i = 0; i < t.length(); ) {
            if (!isAsciiDigit(t.charAt(i))) {
                i++;
                continue;
            }
            int end = runEnd(t, i);
            if (end - i > PAN_MIN && holdsCardAtAnEdge(t, i, end)) {
                if (out == null) {
                    out = new StringBuilder(t.length());
                }
                out.append(t, last, i).append(t, i, i + 6).append("*".repeat(end - i - 10)).append(t, end - 4, end);
                last = end;
            }
            i = end;
        }
        return out == null ? t : out.append(t, last, t.length()).toString();
    }

    /** Whether {@code t[from, to)}, all digits, starts or ends with a card number (13-19 digits, 1-9 first, Luhn). */
    private static boolean holdsCardAtAnEdge(String t, int from, int to) {
        for (int len = PAN_MIN; len <= PAN_MAX && len <= to - from; len++) {
            if (t.charAt(from) != '0' && luhn(t, from, from + len)) {
                return true;
            }
            if (t.charAt(to - len) != '0' && luhn(t, to - len, to)) {
                return true;
            }
        }
        return false;
    }

    /** What may join the groups of a card number someone typed into the wrong place. */
    private static final String TYPED_SEPARATORS = " -.,/:_";

    private static String scrub(String text, String separators, boolean zeroLed) {
        if (text == null || text.length() < PAN_MIN) {
            return text; // too short to hold a card number (most fields of a message)
        }
        StringBuilder out = null;
        int last = 0;
        int[] card = new int[3];
        for (int from = 0; findCard(text, from, zeroLed, separators, card); from = card[2]) {
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, card[0]).append(pan(digits(text, card[0], card[1])));
            if (card[2] > card[1]) {
                out.append(text.charAt(card[1])).append(TAIL_MASK);
            }
            last = card[2];
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }

    /**
     * Whether the text holds a card number as {@link #scrub} finds one (one run, or printed groups, of 13–19 digits
     * passing Luhn) that starts with 1-9: such a value in a field meant for something else is refused, and never
     * quoted back. No card number starts with major industry identifier 0 (ISO/IEC 7812-1), so a zero-padded
     * reference ({@code INV-0000000000000000}) is not refused, though scrub, erring on the safe side, masks it.
     */
    public static boolean containsCardNumber(String text) {
        return containsCardNumber(text, PRINTED_SEPARATORS);
    }

    /**
     * {@link #containsCardNumber(String)} with the printed groups joined by any one of {@code separators}: an order
     * reference, which holds no spaces, may join them with {@code . _ - / :} ({@code OrderReference}).
     */
    public static boolean containsCardNumber(String text, String separators) {
        return text != null && findCard(text, 0, false, separators, new int[3]);
    }

    /**
     * What joins the groups of a card number printed in free text: a single space, hyphen, full stop, underscore,
     * slash or colon ({@code 4761.7390.0101.0119}, as a card number typed into an amount field is;
     * {@code 4761_7390_0101_0119} in an order reference from another terminal). Not a comma: JSON arrays of
     * 4-digit numbers ({@code [1234,5678,9012,3456]}) would be mangled.
     */
    private static final String PRINTED_SEPARATORS = " -._/:";

    /** First 6 + masking characters + last 4 ({@code 476173******0119}; {@code _} or {@code X} for the stars too). */
    private static final Pattern MASKED_PAN = Pattern.compile("[0-9]{6}[*_Xx]+[0-9]{4}");

    /** Whether a value is a PAN masked as first 6 + last 4, so that it shows no more of the card than that. */
    public static boolean isMaskedPan(String value) {
        return value != null && MASKED_PAN.matcher(value).matches();
    }

    /**
     * Finds the first card number at or after {@code from} (which never falls inside a run of digits), counting a
     * run that starts with 0 when {@code zeroLed}, printed groups joined by one of {@code separators}: {@code found[0]}
     * its start, {@code found[1]} the end of its digits, {@code found[2]} the end of a track 2 tail after it (or
     * {@code found[1]} when there is none).
     */
    private static boolean findCard(String t, int from, boolean zeroLed, String separators, int[] found) {
        int n = t.length();
        int i = from;
        while (i < n) {
            if (!isAsciiDigit(t.charAt(i))) {
                i++;
                continue;
            }
            int end = runEnd(t, i);
            int len = end - i;
            int cardEnd = -1;
            if (len >= PAN_MIN && len <= PAN_MAX) {
                if ((zeroLed || t.charAt(i) != '0') && luhn(t, i, end)) {
                    cardEnd = end;
                }
            } else if (len == 4) { // every printed shape starts with 4 digits
                cardEnd = groupedCardEnd(t, i, end, separators);
            }
            if (cardEnd >= 0) {
                found[0] = i;
                found[1] = cardEnd;
                found[2] = cardEnd;
                if (cardEnd + 1 < n && (t.charAt(cardEnd) == '=' || t.charAt(cardEnd) == 'D')
                        && isAsciiDigit(t.charAt(cardEnd + 1))) {
                    found[2] = runEnd(t, cardEnd + 1);
                }
                return true;
            }
            i = end;
        }
        return false;
    }

    /**
     * The end of the card number printed in groups ({@link #PRINTED}, each joined to the next by one of {@code separators}) that
     * starts with the 4-digit group at {@code start}: the longest shape whose digits start with 1-9 (no card number
     * starts with major industry identifier 0, ISO/IEC 7812-1) and pass Luhn; -1 if there is none.
     */
    private static int groupedCardEnd(String t, int start, int end, String separators) {
        if (t.charAt(start) == '0') {
            return -1;
        }
        int n = t.length();
        int[] lens = new int[MAX_GROUPS];
        int[] ends = new int[MAX_GROUPS];
        lens[0] = end - start;
        ends[0] = end;
        int groups = 1;
        for (int e = end; groups < MAX_GROUPS && e + 1 < n && separators.indexOf(t.charAt(e)) >= 0
                && isAsciiDigit(t.charAt(e + 1)); groups++) {
            e = runEnd(t, e + 1);
            ends[groups] = e;
            lens[groups] = e - ends[groups - 1] - 1;
        }
        if (groups < 3) {
            return -1;
        }
        for (int[] shape : PRINTED) {
            if (shape.length <= groups && hasShape(lens, shape) && luhn(t, start, ends[shape.length - 1])) {
                return ends[shape.length - 1];
            }
        }
        return -1;
    }

    private static boolean hasShape(int[] lens, int[] shape) {
        for (int k = 0; k < shape.length; k++) {
            if (lens[k] != shape[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int runEnd(String t, int i) {
        while (i < t.length() && isAsciiDigit(t.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The digits of {@code t[from, to)}, separators left out. */
    private static String digits(String t, int from, int to) {
        StringBuilder d = new StringBuilder(PAN_MAX);
        for (int i = from; i < to; i++) {
            if (isAsciiDigit(t.charAt(i))) {
                d.append(t.charAt(i));
            }
        }
        return d.toString();
    }

    /** Luhn over the digits of {@code t[from, to)}, separators skipped. */
    private static boolean luhn(String t, int from, int to) {
        int sum = 0;
        boolean doubleIt = false;
        for (int i = to - 1; i >= from; i--) {
            char c = t.charAt(i);
            if (!isAsciiDigit(c)) {
                continue;
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

    /** The Luhn (mod 10) check of ISO/IEC 7812-1 annex B; false for anything but ASCII digits. */
    public static boolean luhnValid(String digits) {
        return digits != null && !digits.isEmpty() && runEnd(digits, 0) == digits.length()
                && luhn(digits, 0, digits.length());
    }
}
