package dev.tally.terminal.engine;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The attempts of this process's sales between their SENT commit and the recording of their outcome, which
 * {@link PaymentEngine#reverseAbandonedSales} must leave alone. Each entry is owned by the sale that made it: an
 * attempt id can be handed out twice (SQLite gives the id of an insert whose group commit failed and was rolled
 * back to the next insert), and the failed sale leaving must not unprotect the sale that now holds the id.
 */
final class SalesUnderWay {

    /** One sale's hold on an attempt id; equal only to itself. */
    static final class Entry {
        private final long attemptId;

        private Entry(long attemptId) {
            this.attemptId = attemptId;
        }
    }

    private final ConcurrentHashMap<Long, Entry> owners = new ConcurrentHashMap<>();

    /** Registers {@code attemptId} for the calling sale, which leaves with the entry returned. */
    Entry enter(long attemptId) {
        Entry e = new Entry(attemptId);
        owners.put(attemptId, e);
        return e;
    }

    /** The sale is done with its attempt; another sale's entry for the same id stays. Null: it never got one. */
    void leave(Entry e) {
        if (e != null) {
            owners.remove(e.attemptId, e);
        }
    }

    boolean contains(long attemptId) {
        return owners.containsKey(attemptId);
    }
}
