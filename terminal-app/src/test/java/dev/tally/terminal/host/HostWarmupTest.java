package dev.tally.terminal.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HostWarmupTest {

    /** A daemon that ends by itself: it never holds a command's exit, and a command never waits for it. */
    @Test
    void theWarmupRunsOnADaemonThreadThatEnds() throws InterruptedException {
        Thread t = HostWarmup.start();
        assertTrue(t.isDaemon(), "the warm-up must not keep the JVM alive");
        assertEquals("host-warmup", t.getName());
        t.join(Duration.ofSeconds(30));
        assertFalse(t.isAlive(), "the warm-up did not end within 30 s");
    }
}
