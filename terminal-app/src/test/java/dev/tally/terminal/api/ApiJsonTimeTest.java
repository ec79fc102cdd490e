package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.PaymentStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Times in the API's JSON: to the millisecond, as the docs' examples; a retry time never earlier than the engine's. */
class ApiJsonTimeTest {

    @Test
    void aRetryTimeFromTheClockIsWrittenToTheMillisecondRoundedUp() {
        PaymentResult locked = new PaymentResult("INV-1", PaymentStatus.LOCKED, null, "locked", 1000, "840", null,
                Instant.parse("2026-11-25T04:15:13.491075453Z"));
        assertEquals("2026-11-25T04:15:13.492Z", ApiJson.payment(locked).get("retryAfter"));
    }

    @Test
    void aTimeAlreadyInMillisecondsIsWrittenAsItIs() {
        assertEquals("2026-11-25T04:15:13.491Z", ApiJson.time(Instant.parse("2026-11-25T04:15:13.491Z")));
        assertEquals("2026-11-25T04:15:13Z", ApiJson.time(Instant.parse("2026-11-25T04:15:13Z")));
        assertNull(ApiJson.time(null));
    }
}
