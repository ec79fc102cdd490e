package dev.tally.terminal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.spec.format.Masking;
import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.engine.Amounts;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * The body of {@code POST /v1/payments}, checked: {@code orderId}, {@code amount} (a decimal string),
 * optional {@code currency} (the terminal's) and {@code card} (a lab card id, never a card number).
 * Anything else is refused with an {@link ApiProblem} that names the field; nothing is done before this
 * has passed. Kept apart from the HTTP plumbing so it can be tested and fuzzed on its own.
 */
record PaymentRequest(String orderId, long amount, String card) {

    // a key given twice is refused: with the last one winning, a proxy or an audit log reading the first would record
    // another amount or order than the one charged
    static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> FIELDS = Set.of("orderId", "amount", "currency", "card");

    /** Parses and checks a body; {@code currency} is the terminal's ISO 4217 numeric code. */
    static PaymentRequest parse(byte[] body, String currency) {
        ObjectNode o = object(body);
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiProblem.badRequest("UNKNOWN_FIELD", f, "unknown field '" + Masking.scrub(f)
                        + "'; a payment has orderId, amount, currency (optional) and card (optional)");
            }
        }
        String orderId = text(o, "orderId", true);
        try {
            OrderReference.require(orderId);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_ORDER_ID", "orderId", e.getMessage());
        }
        long amount = amount(text(o, "amount", true));
        String cur = text(o, "currency", false);
        if (cur != null && !cur.equals(currency)) {
            // a key or a card number pasted into the wrong field is not quoted back (the answer may be logged)
            boolean quotable = !Masking.mayBeCardNumber(cur) && Masking.scrubCommandLine(cur, java.util.Set.of()).equals(cur);
            throw ApiProblem.badRequest("INVALID_CURRENCY", "currency", (quotable ? "currency '" + Masking.scrub(cur)
                    + "' is not this terminal's: " : "") + "currency must be this terminal's 3-digit ISO 4217 code "
                    + currency + ", or be left out" + (quotable ? "" : "; the value given is not quoted back"));
        }
        String card = text(o, "card", false);
        if (card != null && Masking.mayBeCardNumber(card)) {
            throw ApiProblem.badRequest("CARD_NUMBER_NOT_ALLOWED", "card", "card numbers never cross the cashier API:"
                    + " give the lab reader's card id (e.g. visa-1), or leave card out and the reader reads the card");
        }
        return new PaymentRequest(orderId, amount, card);
    }

    static ObjectNode object(byte[] body) {
        return object(body, "{\"orderId\": \"INV-1\", \"amount\": \"12.34\"}");
    }

    /** The body as one JSON object; {@code example}: what the refusal of anything else shows. */
    static ObjectNode object(byte[] body, String example) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("MALFORMED_JSON", null, "the body is not valid JSON: "
                    + Masking.scrub(MalformedJson.describe(e, body, JSON)) + "; nothing was done");
        } catch (IOException e) {
            throw ApiProblem.badRequest("MALFORMED_JSON", null, "the body cannot be read: " + Masking.scrub(e.getMessage()));
        }
        if (!(n instanceof ObjectNode o)) {
            throw ApiProblem.badRequest("MALFORMED_JSON", null, "the body must be one JSON object such as " + example);
        }
        return o;
    }

    static String text(ObjectNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiProblem.badRequest("MISSING_FIELD", field, "field '" + field + "' is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw ApiProblem.badRequest("WRONG_TYPE", field, "field '" + field + "' must be a string"
                    + (field.equals("amount") ? " with a decimal amount such as \"12.34\"" : "") + ", got " + v.getNodeType());
        }
        return v.asText();
    }

    /** "12.34" → 1234 by the CLI's rule ({@link Amounts#parse}); a refusal is a 400 naming the amount. */
    static long amount(String t) {
        try {
            return Amounts.parse(t);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_AMOUNT", "amount", e.getMessage());
        }
    }
}
