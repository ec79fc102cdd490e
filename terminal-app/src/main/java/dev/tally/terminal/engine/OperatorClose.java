package dev.tally.terminal.engine;

import dev.tally.spec.format.Masking;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the acquirer confirmed, out of band, about a sale whose reversal failed: the operator's close of a
 * REVERSAL_FAILED attempt (DESIGN.md §4: its order stays locked "until resolved"; PaymentEngine#closeFailedReversal).
 * {@code reference} says who confirmed it (the acquirer's case number, the person): it goes on the audit trail. A charge
 * that stands carries the acquirer's RRN (field 37, for the batch upload) and auth code when the operator has them; the
 * host's own, when its status inquiry gives them, must be the same. {@code withoutHost}: the operator closes it on the
 * acquirer's word alone, knowing the host has never told this terminal anything about the sale.
 */
public record OperatorClose(Outcome outcome, String reference, String rrn, String authCode, boolean withoutHost) {

    /** What the acquirer says became of the sale. */
    public enum Outcome {
        /** nothing stands: never charged, or reversed by the acquirer; the order may be paid again */
        NOT_CHARGED,
        /** the charge stands and is paid to the merchant; the order is paid */
        CHARGED;

        /** {@code not-charged} or {@code charged} (the words of the CLI and the API), any case. */
        public static Outcome parse(String text) {
            String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Outcome o : values()) {
                if (o.name().equals(t)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("outcome must be not-charged (the acquirer confirms nothing stands) or"
                    + " charged (the acquirer confirms the charge stands), got '"
                    + Masking.scrubCommandLine(String.valueOf(text), java.util.Set.of()) + "'");
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** A close refused for one of its values: {@code field} names it as the cashier API does. */
    public static final class InvalidField extends IllegalArgumentException {
        private final String field;

        InvalidField(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /**
     * What came of a close: {@code closed} with the attempt as it is now, or refused ({@code message} says why and what
     * to do; nothing was changed). {@code host} is the status inquiry made first, null when it was not made.
     */
    public record Result(boolean closed, String message, Attempt attempt, StatusReport host) {
    }

    /** The longest reference kept on the audit trail. */
    public static final int MAX_REFERENCE = 120;
    /** Field 37 (an 12) and field 38 (an 6), as the acquirer gives them. */
    private static final Pattern RRN = Pattern.compile("[0-9A-Za-z]{12}");
    private static final Pattern AUTH_CODE = Pattern.compile("[0-9A-Za-z]{6}");

    public OperatorClose {
        if (outcome == null) {
            throw new InvalidField("outcome", "the outcome is required: not-charged or charged, as the acquirer confirmed it");
        }
        reference = reference == null ? "" : reference.strip();
        if (reference.isEmpty()) {
            throw new InvalidField("reference", "a reference is required: who at the acquirer confirmed the outcome and"
                    + " their case number (e.g. 'Acme Acquiring case 4471, J. Doe'); it goes on the audit trail");
        }
        // one line a person reads as written: no control characters, line or paragraph separators, nor invisible
        // formatting (a right-to-left override would show the audit trail's text reordered)
        if (reference.length() > MAX_REFERENCE || reference.codePoints().anyMatch(cp -> Character.isISOControl(cp)
                || Character.getType(cp) == Character.FORMAT || Character.getType(cp) == Character.LINE_SEPARATOR
                || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR)) {
            throw new InvalidField("reference", "the reference must be one line of at most " + MAX_REFERENCE
                    + " characters, without control or invisible formatting characters");
        }
        // a card number or key pasted into it is never kept (the audit trail is clear text)
        reference = Masking.scrubCommandLine(reference, java.util.Set.of());
        if (outcome == Outcome.CHARGED) {
            if (rrn != null && !RRN.matcher(rrn).matches()) {
                throw new InvalidField("rrn", "the RRN (retrieval reference number) must be 12 letters or digits, as the"
                        + " acquirer gives it; got " + rrn.length() + " characters");
            }
            if (authCode != null && !AUTH_CODE.matcher(authCode).matches()) {
                throw new InvalidField("authCode", "the auth code must be 6 letters or digits, as the acquirer gives it");
            }
        } else if (rrn != null || authCode != null) {
            throw new InvalidField(rrn != null ? "rrn" : "authCode", "an RRN or auth code goes only with the outcome"
                    + " charged: nothing stands for not-charged");
        }
    }

    /** How the audit trail starts the event of an operator's close. */
    public static final String EVENT = "closed by the operator: ";

    /** How the event ends: the operator's reference, quoted (after what the terminal wrote, which never holds this). */
    static final String REFERENCE = "; reference: \"";

    /**
     * The close's event without the operator's reference: what the terminal itself wrote (the acquirer's confirmation,
     * what the host said). The cashier system is told that much; the reference (a person and a case at the acquirer)
     * stays on the audit trail and in the report, and free text in it is never read as the terminal's words.
     */
    public static String withoutReference(String detail) {
        int at = detail.indexOf(REFERENCE);
        return at < 0 ? detail : detail.substring(0, at);
    }

    /**
     * The operator's close that still says how the attempt stands: the event of the close when no state change came
     * after it but its settlement (APPROVED → SETTLED); empty when there was none, or a later change (a cancel, its
     * reversal) ended what it recorded.
     */
    public static Optional<AttemptEvent> standing(List<AttemptEvent> events) {
        AttemptEvent close = null;
        for (AttemptEvent e : events) {
            if (e.fromState() == AttemptState.REVERSAL_FAILED && e.toState() != AttemptState.REVERSAL_FAILED
                    && e.detail().startsWith(EVENT)) {
                close = e;
            } else if (e.fromState() != null && e.fromState() != e.toState()
                    && !(e.fromState() == AttemptState.APPROVED && e.toState() == AttemptState.SETTLED)) {
                close = null;
            }
        }
        return Optional.ofNullable(close);
    }
}
