package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The Retry-After header's seconds: rounded up, at least 1, so a client never comes back before the time given. */
class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-11-24T15:55:00Z");

    @Test
    void secondsAreRoundedUp() {
        assertEquals(3, CashierApi.retryAfterSeconds(NOW, NOW.plusMillis(2_900)), "2.9 s is 3, not 2");
        assertEquals(2, CashierApi.retryAfterSeconds(NOW, NOW.plusMillis(2_000)));
        assertEquals(1, CashierApi.retryAfterSeconds(NOW, NOW.plusMillis(1)));
        assertEquals(1, CashierApi.retryAfterSeconds(NOW, NOW.minusSeconds(5)), "already due: ask again at once, 1 s");
        assertNull(CashierApi.retryAfterSeconds(NOW, null));
    }
}
