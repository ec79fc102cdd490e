package dev.tally.terminal.engine;

import dev.tally.spec.message.StatusAnswer;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is known of an order: the journal's last attempt and, when the host was asked (uncertain outcome
 * or a credit that may be pending), its status answer; {@code hostProblem} says why the host could not
 * tell. {@code hostRrn} and {@code hostAuthCode}: fields 37 and 38 of the host's answer, which carry the original
 * sale's when the host holds it approved (SPEC.md §4.5); null otherwise.
 */
public record StatusReport(String orderId, Attempt attempt, String hostResponseCode, StatusAnswer hostAnswer,
                           String hostProblem, String hostRrn, String hostAuthCode) {

    public StatusReport(String orderId, Attempt attempt, String hostResponseCode, StatusAnswer hostAnswer,
                        String hostProblem) {
        this(orderId, attempt, hostResponseCode, hostAnswer, hostProblem, null, null);
    }

    /** A status inquiry's answer as the attempt's audit trail holds it ({@link PaymentEngine#hostView} notes it), and when. */
    public record Noted(Instant at, StatusAnswer answer) {
    }

    /** How {@link PaymentEngine#hostView} notes an answer: {@code status inquiry answered 00: STATE=...}. */
    static final String NOTE = "status inquiry answered ";
    private static final Pattern NOTED = Pattern.compile("^" + NOTE + "(\\w{2}): (.*)$");

    /** The host's latest status answer on the trail; a note whose field 48 cannot be read tells nothing. */
    public static Optional<Noted> lastNoted(List<AttemptEvent> events) {
        Noted found = null;
        for (AttemptEvent e : events) {
            Matcher m = NOTED.matcher(e.detail());
            if (m.find()) {
                try {
                    found = new Noted(e.at(), StatusAnswer.decode(m.group(2)));
                } catch (IllegalArgumentException unreadable) {
                    // an answer without a readable field 48 tells nothing about the sale or its credit
                }
            }
        }
        return Optional.ofNullable(found);
    }
}
