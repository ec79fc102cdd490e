package dev.tally.simulator.ledger;

import java.time.Duration;
import java.util.Objects;

/**
 * When the merchant is credited for an approved sale: at once (the normal case), never, at the next
 * business-day cut-over, or once a delay has passed.
 */
public record CreditPolicy(Kind kind, Duration after) {

    public enum Kind { IMMEDIATE, NEVER, NEXT_CUTOVER, AFTER_DELAY }

    public static final CreditPolicy IMMEDIATE = new CreditPolicy(Kind.IMMEDIATE, null);
    public static final CreditPolicy NEVER = new CreditPolicy(Kind.NEVER, null);
    public static final CreditPolicy NEXT_CUTOVER = new CreditPolicy(Kind.NEXT_CUTOVER, null);

    public CreditPolicy {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.AFTER_DELAY && (after == null || after.isNegative())) {
            throw new IllegalArgumentException("a delayed credit needs a delay of zero or more");
        }
    }

    public static CreditPolicy after(Duration delay) {
        return new CreditPolicy(Kind.AFTER_DELAY, delay);
    }
}
