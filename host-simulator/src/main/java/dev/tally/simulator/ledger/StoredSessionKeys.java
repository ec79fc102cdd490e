package dev.tally.simulator.ledger;

import java.time.Instant;

/**
 * A terminal's session keys as the ledger keeps them: encrypted under the TMK (hex, exactly as sent in
 * field 61), with the check value of the TMK they were encrypted under. Clear keys are never stored.
 */
public record StoredSessionKeys(String terminalId, String pinKeyUnderTmk, String macKeyUnderTmk, String tmkKcv,
                                Instant signedOnAt) {

    @Override
    public String toString() {
        return "StoredSessionKeys[" + terminalId + ", under TMK " + tmkKcv + ", signed on " + signedOnAt + "]";
    }
}
