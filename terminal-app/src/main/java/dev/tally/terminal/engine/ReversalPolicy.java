package dev.tally.terminal.engine;

import java.time.Duration;

/**
 * When the reversal loop tries again and when it gives up, as data: {@code maxAttempts} transmissions
 * (the 0400 and its 0401 repeats), the first repeat {@code interval} after a failed try, each later one
 * {@code backoff} times the one before, never more than {@code maxInterval} apart.
 */
public record ReversalPolicy(int maxAttempts, Duration interval, double backoff, Duration maxInterval) {

    public ReversalPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("reversal attempts must be at least 1, got " + maxAttempts);
        }
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("reversal interval must be zero or positive");
        }
        if (backoff < 1.0) {
            throw new IllegalArgumentException("reversal backoff must be at least 1.0, got " + backoff);
        }
        if (maxInterval == null || maxInterval.compareTo(interval) < 0) {
            maxInterval = interval;
        }
    }

    /** Defaults of DESIGN.md / the issue: 3 attempts, 10 s apart, doubling up to 5 minutes. */
    public static ReversalPolicy of(int maxAttempts, Duration interval) {
        return new ReversalPolicy(maxAttempts, interval, 2.0, Duration.ofMinutes(5).compareTo(interval) > 0
                ? Duration.ofMinutes(5) : interval);
    }

    /** How long to wait after the {@code attemptsMade}-th unanswered transmission. */
    public Duration delayAfter(int attemptsMade) {
        double factor = Math.pow(backoff, Math.max(0, attemptsMade - 1));
        long millis = (long) Math.min((double) maxInterval.toMillis(), interval.toMillis() * factor);
        return Duration.ofMillis(millis);
    }

    /** "1 try", "3 tries": a count of reversal tries as messages say it. */
    public static String tries(int n) {
        return n + (n == 1 ? " try" : " tries");
    }

    public boolean exhausted(int attemptsMade) {
        return attemptsMade >= maxAttempts;
    }
}
