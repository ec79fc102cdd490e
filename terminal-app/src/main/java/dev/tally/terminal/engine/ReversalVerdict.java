package dev.tally.terminal.engine;

import dev.tally.spec.codes.ResponseCodes;

/**
 * What the answer to a reversal (0400/0401) makes of it (SPEC.md §4.6): the sale reversed, or the try not taken as an
 * acknowledgement and the reversal still to go through. The one judgement of the engine's {@link ReversalLoop} and of
 * the load generator without a journal, which must count a reversal as the engine would take it; each says it in its
 * own words.
 */
public enum ReversalVerdict {
    /** 00, or 25 "original not found", under a MAC that verifies: nothing of the sale stands. */
    REVERSED,
    /** Its MAC does not verify under the keys the reversal went under, whatever its code: not trusted. */
    MAC_FAILED,
    /**
     * 00 or 25 without a MAC: SPEC.md §5 has a 0410 MACed; an acknowledgement without one could come from anyone, and
     * trusting it would unlock the order while the debit may stand.
     */
    MAC_MISSING,
    /** Any other answer (96, A0, no field 39, …): the host did not say the sale is reversed. */
    NOT_REVERSED;

    /**
     * The verdict on a 0410 with field 39 {@code rc} (null when absent); {@code macVerifies} whether its MAC verifies
     * under the keys the reversal went under, read only when {@code macPresent}.
     */
    public static ReversalVerdict of(String rc, boolean macPresent, boolean macVerifies) {
        if (macPresent && !macVerifies) {
            return MAC_FAILED;
        }
        if (!ResponseCodes.APPROVED.equals(rc) && !ResponseCodes.ORIGINAL_NOT_FOUND.equals(rc)) {
            return NOT_REVERSED;
        }
        return macPresent ? REVERSED : MAC_MISSING;
    }
}
