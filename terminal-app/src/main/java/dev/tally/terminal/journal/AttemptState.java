package dev.tally.terminal.journal;

import java.util.EnumSet;
import java.util.Set;

/** The life of one attempt to take a payment (DESIGN.md §4, "Attempt states"). */
public enum AttemptState {
    /** written, not yet handed to the host link */
    NEW,
    /** durably recorded as sent; the answer is not in yet */
    SENT,
    APPROVED,
    DECLINED,
    /** the outcome cannot be trusted; a reversal is due */
    REVERSAL_PENDING,
    REVERSED,
    /** the reversal loop gave up; listed for reconciliation, the order stays locked */
    REVERSAL_FAILED,
    SETTLED;

    /** States whose outcome is not known to be "nothing stands": they lock the order. */
    public static final Set<AttemptState> UNCERTAIN = EnumSet.of(NEW, SENT, REVERSAL_PENDING, REVERSAL_FAILED);

    /** States in which the order is paid. */
    public static final Set<AttemptState> PAID = EnumSet.of(APPROVED, SETTLED);

    /** States in which nothing stands at the host: the order may be paid (again). */
    public static final Set<AttemptState> CLOSED_WITHOUT_CHARGE = EnumSet.of(DECLINED, REVERSED);

    public boolean isUncertain() {
        return UNCERTAIN.contains(this);
    }

    public boolean isPaid() {
        return PAID.contains(this);
    }
}
