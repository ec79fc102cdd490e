package dev.tally.terminal.engine;

import dev.tally.spec.message.StatusAnswer;
import dev.tally.terminal.journal.Attempt;

/**
 * What is known of an order: the journal's last attempt and, when the host was asked (uncertain outcome
 * or a credit that may be pending), its status answer; {@code hostProblem} says why the host could not
 * tell.
 */
public record StatusReport(String orderId, Attempt attempt, String hostResponseCode, StatusAnswer hostAnswer,
                           String hostProblem) {
}
