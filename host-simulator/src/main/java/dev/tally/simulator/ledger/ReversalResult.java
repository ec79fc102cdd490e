package dev.tally.simulator.ledger;

/**
 * The outcome of a reversal message. {@code original} is null when {@link Outcome#NOT_FOUND}.
 */
public record ReversalResult(Outcome outcome, LedgerTransaction original) {

    public enum Outcome {
        /** answer 00: restored now, already reversed before, or nothing stood to restore */
        ACKNOWLEDGED,
        /** answer 25: the host never saw the original */
        NOT_FOUND,
        /** no answer: the sale's reversal policy drops this one (counted, nothing applied) */
        DROPPED
    }
}
