package dev.tally.terminal.journal;

import java.time.Instant;

/** One line of an attempt's audit trail: a state change, or something that happened without one. */
public record AttemptEvent(long attemptId, Instant at, AttemptState fromState, AttemptState toState, String detail) {

    /**
     * How a refused request's event starts (engine.RefusalTrail): a payment the order lock turned away, written on the
     * attempt that holds the order. It says nothing of the attempt itself: {@link Journal#lastEvent} passes over it.
     */
    public static final String REFUSED = "request refused: ";

    /** Whether this is a refused request's event ({@link #REFUSED}). */
    public boolean isRefusal() {
        return detail.startsWith(REFUSED);
    }
}
