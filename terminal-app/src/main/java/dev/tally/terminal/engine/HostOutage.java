package dev.tally.terminal.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the background reversal loop ({@link ReversalScheduler}) says of an acquirer it cannot reach: the first tick
 * that finds it out of reach, then once a {@link #REMINDER} while it lasts, and the tick that reaches it again. The
 * loop tries every tick (a second in serve); a line each time filled an operator's log with 3,600 alike lines an hour
 * of an outage, burying everything else.
 */
final class HostOutage {

    /** How often a lasting outage is said again. */
    static final Duration REMINDER = Duration.ofMinutes(1);

    private final Clock clock;
    private Instant since;
    private Instant said;
    private int tries;

    HostOutage(Clock clock) {
        this.clock = clock;
    }

    /** A tick found the host out of reach ({@code why}); the line to log at WARN, if this one is to be said. */
    Optional<String> unreachable(String why, Duration tick) {
        Instant now = clock.instant();
        tries++;
        if (since == null) {
            since = now;
            said = now;
            return Optional.of("reversals due but the host cannot be reached: " + why + "; trying again every "
                    + seconds(tick) + " (said again once a minute while it lasts)");
        }
        if (Duration.between(said, now).compareTo(REMINDER) < 0) {
            return Optional.empty();
        }
        said = now;
        return Optional.of("reversals due and the host still cannot be reached, for " + seconds(Duration.between(since,
                now)) + " (" + tries + " tries): " + why + "; trying again every " + seconds(tick));
    }

    /** A tick reached the host; the line to log at INFO when it ends an outage. */
    Optional<String> reached() {
        if (since == null) {
            return Optional.empty();
        }
        String line = "the host can be reached again after " + seconds(Duration.between(since, clock.instant()))
                + " (" + tries + " tries): the reversals due are sent now";
        idle();
        return Optional.of(line);
    }

    /**
     * A tick with nothing due asked the host nothing: an outage under way is forgotten without a word, since whether
     * and when it ended is not known (sales may have gone through since). Kept, the next tick with reversals due said
     * "reached again after 3600 s", or an outage hours later "still cannot be reached, for 86400 s" as its first line.
     */
    void idle() {
        since = null;
        said = null;
        tries = 0;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
