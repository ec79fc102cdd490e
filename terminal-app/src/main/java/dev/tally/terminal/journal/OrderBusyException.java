package dev.tally.terminal.journal;

/**
 * A new attempt was refused because the order already has one that is open or paid; enforced by the
 * partial unique index {@code one_live_attempt_per_order}, so it holds across processes.
 */
public class OrderBusyException extends JournalException {
    private final Attempt existing;

    public OrderBusyException(Attempt existing) {
        super("order " + existing.orderRef() + " already has attempt STAN " + existing.stanText() + " in state "
                + existing.state());
        this.existing = existing;
    }

    public Attempt existing() {
        return existing;
    }
}
