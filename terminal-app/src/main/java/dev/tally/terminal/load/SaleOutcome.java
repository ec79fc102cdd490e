package dev.tally.terminal.load;

import dev.tally.spec.codes.ResponseCodes;
import dev.tally.terminal.engine.SaleVerdict;

/**
 * What became of one sale of the load. {@code result}: APPROVED, DECLINED, REVERSED, REVERSAL_PENDING,
 * REVERSAL_FAILED, REFUSED or ERROR; {@code answered} whether the host's answer to the sale arrived (only
 * answered sales go into the latency histogram: a timeout measures the timeout, not the host);
 * {@code error} a short kind (no_answer, broken_link, mac_failure, mac_missing, no_response_code, host_unavailable,
 * duplicate, unknown_code_NN, …) or null; {@code reversalError} why the reversal's answer was not trusted
 * (reversal_mac_failure, reversal_mac_missing) or null, counted beside {@code error}, which says why it was reversed.
 */
public record SaleOutcome(String result, String responseCode, boolean answered, int reversalsSent, String error,
                          String reversalError) {

    public SaleOutcome(String result, String responseCode, boolean answered, int reversalsSent, String error) {
        this(result, responseCode, answered, reversalsSent, error, null);
    }

    public static SaleOutcome failed(String kind) {
        return new SaleOutcome("ERROR", null, false, 0, kind);
    }

    /**
     * The error kind of a sale reversed for its answer ({@link SaleVerdict}), or null for an approval or a decline:
     * {@code mac_failure} (its MAC did not verify), {@code mac_missing} (it carried none), {@code no_response_code} (no
     * field 39), {@code unknown_code_NN} (a code the catalogue does not know: what the host did is not known),
     * {@code duplicate} for a 94 (the host saw the request twice: a STAN reused or a resend, a load-generator or host
     * problem, not the card's), {@code code_NN} for any other code the catalogue says to reverse.
     */
    static String reversedFor(SaleVerdict verdict, String rc) {
        return switch (verdict) {
            case APPROVE, DECLINE -> null;
            case MAC_FAILED -> "mac_failure";
            case MAC_MISSING -> "mac_missing";
            case NO_RESPONSE_CODE -> "no_response_code";
            case UNKNOWN_CODE -> "unknown_code_" + rc;
            case CODE_TO_REVERSE -> ResponseCodes.DUPLICATE.equals(rc) ? "duplicate" : "code_" + rc;
        };
    }
}
