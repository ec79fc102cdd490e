package dev.tally.terminal.engine;

import dev.tally.spec.message.StatusAnswer;
import dev.tally.terminal.journal.Attempt;

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
}
