package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The payment body as the cashier system sends it: one meaning, or a 400 naming the problem. */
class PaymentRequestTest {

    private static PaymentRequest parse(String json) {
        return PaymentRequest.parse(json.getBytes(StandardCharsets.UTF_8), "840");
    }

    /** A key given twice has no one meaning: a proxy reading the first would log another amount than the one charged. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"orderId\": \"INV-2\", \"amount\": \"1.00\", \"amount\": \"500.00\"}",
        "{\"orderId\": \"INV-2\", \"orderId\": \"INV-3\", \"amount\": \"1.00\"}",
        "{\"orderId\": \"INV-2\", \"amount\": \"1.00\", \"card\": \"visa-1\", \"card\": \"mc-1\"}"})
    void aKeyGivenTwiceIsRefused(String json) {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse(json));
        assertEquals(400, p.status);
        assertEquals("MALFORMED_JSON", p.code);
        assertTrue(p.getMessage().contains("Duplicate field"), p.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"orderId\": \"INV-2\", \"amount\": \"500.00\"}"})
    void aKeyGivenOnceIsTaken(String json) {
        assertEquals(50_000, parse(json).amount());
    }

    /** "." and ".." are URL path segments: an order so named could be paid and then never asked about or cancelled. */
    @ParameterizedTest
    @ValueSource(strings = {".", "..", "..."})
    void anOrderIdOfOnlyDotsIsRefused(String id) {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse("{\"orderId\": \"" + id + "\", \"amount\": \"1.00\"}"));
        assertEquals("INVALID_ORDER_ID", p.code);
        assertTrue(p.getMessage().contains("only dots"), p.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\" 1.00\"", "\"01.00\"", "\"1.00 \""})
    void anAmountWithSpacesOrALeadingZeroIsRefused(String amount) {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse("{\"orderId\": \"INV-9\", \"amount\": " + amount + "}"));
        assertEquals("INVALID_AMOUNT", p.code);
    }
}
