package dev.tally.terminal.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.spec.format.Masking;
import dev.tally.terminal.engine.OperatorClose;
import java.util.Iterator;
import java.util.Set;

/**
 * The body of {@code POST /v1/payments/{orderId}/close}: what the acquirer confirmed about an order whose reversal
 * failed ({@code outcome} {@code not-charged} or {@code charged}, {@code reference}, for a charge {@code rrn} and
 * {@code authCode} when known, {@code withoutHost}), checked as {@link OperatorClose} checks it. A refusal is a 400
 * naming the field; nothing is done before this has passed.
 */
final class CloseRequest {

    private static final Set<String> FIELDS = Set.of("outcome", "reference", "rrn", "authCode", "withoutHost");
    private static final String EXAMPLE = "{\"outcome\": \"not-charged\", \"reference\": \"Acme case 4471, J. Doe\"}";

    private CloseRequest() {
    }

    static OperatorClose parse(byte[] body) {
        ObjectNode o = PaymentRequest.object(body, EXAMPLE);
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiProblem.badRequest("UNKNOWN_FIELD", f, "unknown field '" + Masking.scrubCommandLine(f, Set.of())
                        + "'; a close has outcome, reference, rrn and authCode (for charged) and withoutHost (optional)");
            }
        }
        String outcome = PaymentRequest.text(o, "outcome", true);
        OperatorClose.Outcome parsed;
        try {
            parsed = OperatorClose.Outcome.parse(outcome);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_OUTCOME", "outcome", e.getMessage());
        }
        JsonNode without = o.get("withoutHost");
        if (without != null && !without.isNull() && !without.isBoolean()) {
            throw ApiProblem.badRequest("WRONG_TYPE", "withoutHost", "field 'withoutHost' must be true or false, got "
                    + without.getNodeType());
        }
        try {
            return new OperatorClose(parsed, PaymentRequest.text(o, "reference", true), PaymentRequest.text(o, "rrn", false),
                    PaymentRequest.text(o, "authCode", false), without != null && without.asBoolean());
        } catch (OperatorClose.InvalidField e) {
            throw ApiProblem.badRequest("INVALID_CLOSE", e.field(), e.getMessage() + "; nothing was done");
        }
    }
}
