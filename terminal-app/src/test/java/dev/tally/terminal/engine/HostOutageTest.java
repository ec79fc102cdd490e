package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.testing.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * serve's reversal loop tries an unreachable acquirer every second: its log says so when the outage starts, once a
 * minute while it lasts, and when it ends, not on every tick (3,600 alike warnings an hour buried everything else).
 */
class HostOutageTest {

    private static final Duration TICK = Duration.ofSeconds(1);
    private static final String WHY = "could not connect to 127.0.0.1:8583 (Connection refused)";

    @Test
    void anOutageIsSaidAtItsStartOnceAMinuteWhileItLastsAndAtItsEnd() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-25T10:00:00Z"));
        HostOutage outage = new HostOutage(clock);
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < 150; s++) { // two and a half minutes of ticks a second apart
            outage.unreachable(WHY, TICK).ifPresent(lines::add);
            clock.advance(TICK);
        }
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("reversals due but the host cannot be reached: " + WHY + "; trying again every 1 s (said again"
                + " once a minute while it lasts)", lines.get(0));
        assertEquals("reversals due and the host still cannot be reached, for 60 s (61 tries): " + WHY
                + "; trying again every 1 s", lines.get(1));
        assertTrue(lines.get(2).startsWith("reversals due and the host still cannot be reached, for 120 s (121 tries)"),
                lines.get(2));

        assertEquals(Optional.of("the host can be reached again after 150 s (150 tries): the reversals due are sent now"),
                outage.reached());
        assertEquals(Optional.empty(), outage.reached(), "said once");

        clock.advance(Duration.ofSeconds(5));
        assertTrue(outage.unreachable(WHY, TICK).orElseThrow().startsWith("reversals due but the host cannot be reached"),
                "a new outage is said at once");
    }

    @Test
    void aReachableHostSaysNothing() {
        HostOutage outage = new HostOutage(new MovableClock(Instant.parse("2026-11-25T10:00:00Z")));
        assertEquals(Optional.empty(), outage.reached());
    }

    /** A tick with nothing due asks the host nothing: the outage is forgotten, and a later one is said as new. */
    @Test
    void anOutageNobodyAskedAboutSinceIsForgotten() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-25T10:00:00Z"));
        HostOutage outage = new HostOutage(clock);
        assertTrue(outage.unreachable(WHY, TICK).isPresent());
        clock.advance(Duration.ofHours(1));
        outage.idle();
        assertEquals(Optional.empty(), outage.reached(), "not 'reached again after 3600 s': nobody knows when it was");
        clock.advance(Duration.ofHours(5));
        assertEquals(Optional.of("reversals due but the host cannot be reached: " + WHY + "; trying again every 1 s (said"
                + " again once a minute while it lasts)"), outage.unreachable(WHY, TICK));
    }
}
