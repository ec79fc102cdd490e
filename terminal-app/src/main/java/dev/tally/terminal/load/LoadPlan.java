package dev.tally.terminal.load;

import java.time.Duration;

/**
 * How much load: {@code terminals} logical terminals for at most {@code duration}, at most
 * {@code maxRequests} sales in all (0: no cap), at {@code rate} sales/s in all (0: as fast as answers come).
 */
public record LoadPlan(int terminals, Duration duration, double rate, long maxRequests, LoadMix mix) {

    /** A run is bounded in time whatever else it is given. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);

    public LoadPlan {
        if (terminals < 1 || terminals > 10_000) {
            throw new IllegalArgumentException("--terminals must be 1 to 10000, got " + terminals);
        }
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("--duration must be more than 0 and at most 24h, got " + duration);
        }
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("--rate must be 0 (unlimited) or more, got " + rate);
        }
        if (maxRequests < 0) {
            throw new IllegalArgumentException("--requests must be 0 (no cap) or more, got " + maxRequests);
        }
    }
}
