package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.PaymentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The payment object of docs/cashier-api.md §3 has one shape, whatever the answer. */
class ApiJsonPaymentTest {

    private static final List<String> DOCUMENTED = List.of("orderId", "status", "responseCode", "message", "amount",
            "currency", "stan", "rrn", "authCode", "maskedPan", "attemptState", "reversalReason", "reversalAttempts",
            "dateTime", "retryAfter");

    @Test
    void aLockedAnswerForAnOrderWithNoAttemptYetHasEveryDocumentedKey() {
        // what PaymentDesk answers a different request for an order whose first request is still being written: no
        // attempt to describe yet. A client that maps the documented object (attemptState, dateTime, ...) met a shorter one
        PaymentResult locked = new PaymentResult("CONC-3", PaymentStatus.LOCKED, null, "LOCKED: order CONC-3 has a request"
                + " in progress at this terminal; nothing was sent for this request, retry after it finishes", 800, null, null,
                Instant.parse("2026-11-25T13:40:24.020Z"));
        Map<String, Object> o = ApiJson.payment(locked);
        assertEquals(DOCUMENTED, List.copyOf(o.keySet()));
        assertNull(o.get("attemptState"));
        assertNull(o.get("reversalAttempts"));
        assertNull(o.get("dateTime"));
        assertEquals("2026-11-25T13:40:24.020Z", o.get("retryAfter"));
    }
}
