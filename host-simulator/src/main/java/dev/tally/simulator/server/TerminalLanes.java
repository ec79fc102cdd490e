package dev.tally.simulator.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Runs requests of different terminals at the same time and those of one terminal one after the other, in the
 * order they were submitted: a lane per terminal id. Each request runs on a virtual thread of its own. At most
 * {@code limit} requests are in hand at once; {@link #submit} waits beyond that (the connection's reader stops
 * reading, and TCP pushes back on the sender).
 */
final class TerminalLanes {

    private final Semaphore inHand;
    private final int limit;
    /** Per terminal id: the last request submitted, which the next one of that terminal waits for. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> lastOf = new ConcurrentHashMap<>();

    TerminalLanes(int limit) {
        this.inHand = new Semaphore(limit);
        this.limit = limit;
    }

    /**
     * Waits until no request is in hand, at most {@code timeout}: whether none is. For a stop, once no more are
     * submitted: a request answered just before it still writes its line in the message log, which closes after.
     */
    boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        if (!inHand.tryAcquire(limit, timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            return false;
        }
        inHand.release(limit);
        return true;
    }

    /** Hands {@code work} on and returns; it runs once the terminal's earlier requests have finished. */
    void submit(String terminalId, Runnable work) {
        inHand.acquireUninterruptibly();
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> before = lastOf.put(terminalId, mine);
        Runnable run = () -> {
            try {
                work.run();
            } finally {
                lastOf.remove(terminalId, mine);
                inHand.release();
                mine.complete(null);
            }
        };
        if (before == null) {
            Thread.ofVirtual().name("request " + terminalId).start(run);
        } else {
            // runs at once when the earlier one is already done
            before.whenComplete((ignored, failure) -> Thread.ofVirtual().name("request " + terminalId).start(run));
        }
    }
}
