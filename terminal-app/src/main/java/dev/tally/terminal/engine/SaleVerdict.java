package dev.tally.terminal.engine;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.codes.TerminalAction;
import java.util.Optional;

/**
 * What the answer to a sale (0210) makes of it: approved, declined, or reversed and why (DESIGN.md §3). The one
 * judgement of the engine and of the load generator without a journal, which must count a sale as the engine would
 * take it; each says it in its own words.
 */
public enum SaleVerdict {
    APPROVE(null),
    DECLINE(null),
    /** Its MAC does not verify under the keys the request went under: damaged on the way, or not the host's. */
    MAC_FAILED(ReversalReason.MAC_FAILURE),
    /**
     * No MAC: SPEC.md §5 has the answer to a MACed sale carry one, so whatever its code it cannot be trusted (a
     * decline whose MAC was stripped on the way would let the order be paid twice). An A1 too: nothing shows the host
     * wrote it, and the reversal finds out (25 when nothing stands).
     */
    MAC_MISSING(ReversalReason.MAC_FAILURE),
    /** No field 39: what the host did is not known. */
    NO_RESPONSE_CODE(ReversalReason.OTHER),
    /**
     * A code the catalogue does not know: what the host did is not known (08 "honour with identification" and 10
     * "partial approval" are approvals in ISO 8583:1987), so a debit may stand (DESIGN.md §6).
     */
    UNKNOWN_CODE(ReversalReason.OTHER),
    /** A code the catalogue says to reverse (94, duplicate transmission). */
    CODE_TO_REVERSE(ReversalReason.OTHER);

    private final ReversalReason reversal;

    SaleVerdict(ReversalReason reversal) {
        this.reversal = reversal;
    }

    /** The reason the sale is reversed with (field 39 of the 0400), or null when the answer approves or declines. */
    public ReversalReason reversal() {
        return reversal;
    }

    /**
     * The verdict on a 0210 with field 39 {@code rc} (null when absent); {@code macVerifies} whether its MAC verifies
     * under the keys the sale went under, read only when {@code macPresent}.
     */
    public static SaleVerdict of(String rc, boolean macPresent, boolean macVerifies) {
        if (!macPresent) {
            return MAC_MISSING;
        }
        if (!macVerifies) {
            return MAC_FAILED;
        }
        if (rc == null) {
            return NO_RESPONSE_CODE;
        }
        Optional<ResponseCode> code = ResponseCodes.find(rc);
        if (code.isEmpty()) {
            return UNKNOWN_CODE;
        }
        if (code.get().approved()) {
            return APPROVE;
        }
        return code.get().action() == TerminalAction.REVERSE ? CODE_TO_REVERSE : DECLINE;
    }
}
