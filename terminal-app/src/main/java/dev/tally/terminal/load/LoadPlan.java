package dev.tally.terminal.load;

import java.time.Duration;

/**
 * How much load: {@code terminals} logical terminals for at most {@code duration}, at most
 * {@code maxRequests} sales in all (0: no cap), at {@code rate} sales/s in all (0: as fast as answers come),
 * after {@code warmup} of the same load that is not counted (zero: none).
 */
public record LoadPlan(int terminals, Duration duration, double rate, long maxRequests, LoadMix mix, Duration warmup) {

    /** A run is bounded in time whatever else it is given. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);
    /** A warm-up is for settling, not a run of its own. */
    public static final Duration MAX_WARMUP = Duration.ofHours(1);

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
        if (warmup == null || warmup.isNegative() || warmup.compareTo(MAX_WARMUP) > 0) {
            throw new IllegalArgumentException("--warmup must be 0 (none) to 1h, got " + warmup);
        }
        if (maxRequests < 0) {
            throw new IllegalArgumentException("--requests must be 0 (no cap) or more, got " + maxRequests);
        }
    }
}
