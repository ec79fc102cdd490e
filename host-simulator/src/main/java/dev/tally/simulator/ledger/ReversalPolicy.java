package dev.tally.simulator.ledger;

/**
 * How the host treats the reversals of one sale, recorded with the sale so that the count of reversals
 * received survives restarts: acknowledge them (the normal case), drop the first {@code n}, or never answer.
 */
public record ReversalPolicy(int dropFirst, boolean neverAnswer) {

    public static final ReversalPolicy ACKNOWLEDGE = new ReversalPolicy(0, false);
    public static final ReversalPolicy NEVER_ANSWER = new ReversalPolicy(0, true);

    public ReversalPolicy {
        if (dropFirst < 0) {
            throw new IllegalArgumentException("reversals to drop must be 0 or more, got " + dropFirst);
        }
    }

    public static ReversalPolicy dropFirst(int n) {
        return new ReversalPolicy(n, false);
    }

    /** As stored: -1 never answer, else the number to drop. */
    int stored() {
        return neverAnswer ? -1 : dropFirst;
    }

    static ReversalPolicy fromStored(int v) {
        return v < 0 ? NEVER_ANSWER : new ReversalPolicy(v, false);
    }
}
