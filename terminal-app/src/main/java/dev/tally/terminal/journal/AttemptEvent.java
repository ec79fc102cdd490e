package dev.tally.terminal.journal;

import java.time.Instant;

/** One line of an attempt's audit trail: a state change, or something that happened without one. */
public record AttemptEvent(long attemptId, Instant at, AttemptState fromState, AttemptState toState, String detail) {
}
