package dev.tally.terminal.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.spec.format.Masking;
import dev.tally.terminal.engine.OperatorClose;
import java.util.Iterator;
import java.util.Set;

/**
 * The body of {@code POST /v1/payments/{orderId}/close}: what the acquirer confirmed about an order whose reversal
 * failed ({@code outcome} {@code not-charged} or {@code charged}, {@code reference}, and for a charge {@code rrn} and
 * optionally {@code authCode}), checked as {@link OperatorClose} checks it. A refusal is a 400 naming the field.
 */
final class CloseRequest {

    private static final Set<String> FIELDS = Set.of("outcome", "reference", "rrn", "authCode");

    private CloseRequest() {
    }

    static OperatorClose parse(byte[] body) {
        ObjectNode o = PaymentRequest.object(body);
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiProblem.badRequest("UNKNOWN_FIELD", f, "unknown field '" + Masking.scrubCommandLine(f, Set.of())
                        + "'; a close has outcome, reference, rrn (for charged) and authCode (optional)");
            }
        }
        String outcome = PaymentRequest.text(o, "outcome", true);
        OperatorClose.Outcome parsed;
        try {
            parsed = OperatorClose.Outcome.parse(outcome);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_OUTCOME", "outcome", e.getMessage());
        }
        try {
            return new OperatorClose(parsed, PaymentRequest.text(o, "reference", true), PaymentRequest.text(o, "rrn", false),
                    PaymentRequest.text(o, "authCode", false));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_CLOSE", null, e.getMessage() + "; nothing was done");
        }
    }
}
