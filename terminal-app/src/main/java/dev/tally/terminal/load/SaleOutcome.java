package dev.tally.terminal.load;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.codes.TerminalAction;
import java.util.Optional;

/**
 * What became of one sale of the load. {@code result}: APPROVED, DECLINED, REVERSED, REVERSAL_PENDING,
 * REVERSAL_FAILED, REFUSED or ERROR; {@code answered} whether the host's answer to the sale arrived (only
 * answered sales go into the latency histogram: a timeout measures the timeout, not the host);
 * {@code error} a short kind (no_answer, broken_link, mac_failure, host_unavailable, duplicate,
 * unknown_code_NN, …) or null.
 */
public record SaleOutcome(String result, String responseCode, boolean answered, int reversalsSent, String error) {

    public static SaleOutcome failed(String kind) {
        return new SaleOutcome("ERROR", null, false, 0, kind);
    }

    /**
     * The error kind of an answer the engine reverses instead of taking it for a decline (reason 06), or null for an
     * approval, a decline or no code: {@code duplicate} for a 94 (the host saw the request twice: a STAN reused or a
     * resend, a load-generator or host problem, not the card's), {@code unknown_code_NN} for a code the catalogue does
     * not know (what the host did is not known), {@code code_NN} for any other code the catalogue says to reverse.
     */
    static String uncertainAnswer(String rc) {
        if (rc == null) {
            return null;
        }
        Optional<ResponseCode> code = ResponseCodes.find(rc);
        if (code.isEmpty()) {
            return "unknown_code_" + rc;
        }
        if (code.get().action() != TerminalAction.REVERSE) {
            return null;
        }
        return ResponseCodes.DUPLICATE.equals(rc) ? "duplicate" : "code_" + rc;
    }
}
