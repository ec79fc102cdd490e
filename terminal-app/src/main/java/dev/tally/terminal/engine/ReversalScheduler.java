package dev.tally.terminal.engine;

import dev.tally.terminal.host.HostChannel;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.journal.Attempt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ReversalLoop} running continuously ({@code tally serve}, DESIGN.md §4): every {@code tick},
 * or at once when {@link #wake()}d, each reversal that is due is sent — all of them in parallel, so one
 * unanswered reversal does not hold up the others. The loop's policy (attempts, backoff) is the
 * ReversalLoop's; a host that cannot be reached is simply tried again on the next tick, nothing counted.
 * Each tick first sweeps the sales that ended without recording their outcome
 * ({@link PaymentEngine#reverseAbandonedSales}), so their orders do not wait for a restart. A reversal that
 * failed all its tries (REVERSAL_FAILED) is tried again every {@code ReversalPolicy.maxInterval} until the
 * acquirer acknowledges it ({@link ReversalLoop#failedRetryAt}).
 */
public final class ReversalScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReversalScheduler.class);

    private final PaymentEngine engine;
    private final ReversalLoop loop;
    private final HostChannel channel;
    private final Duration tick;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nudged = lock.newCondition();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private boolean woken;
    private volatile boolean running = true;
    /** The last sweep failed (its stack trace was logged then). */
    private boolean sweepFailing;
    /** Whether the acquirer is out of reach, and what of it has been logged (once a minute, not every tick). */
    private final HostOutage outage;
    private final Thread thread;

    public ReversalScheduler(PaymentEngine engine, HostChannel channel, Duration tick) {
        this.engine = engine;
        this.loop = engine.reversals();
        this.channel = channel;
        this.tick = tick;
        this.outage = new HostOutage(engine.clock());
        this.thread = Thread.ofVirtual().name("reversal-scheduler").unstarted(this::run);
    }

    public ReversalScheduler start() {
        thread.start();
        return this;
    }

    /** Run now (a payment just went uncertain). */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            nudged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            try {
                engine.reverseAbandonedSales();
                sweepFailing = false;
            } catch (RuntimeException e) {
                // a journal that cannot be read fails this every tick: the stack trace once, then one line each time
                if (sweepFailing) {
                    log.error("sweep of sales that ended without recording their outcome: {}", e.toString());
                } else {
                    log.error("sweep of sales that ended without recording their outcome: {}", e.toString(), e);
                }
                sweepFailing = true;
            }
            try {
                List<Attempt> failed = loop.failedDue();
                if (loop.anyDue() || !failed.isEmpty()) {
                    channel.connect();
                    outage.reached().ifPresent(log::info);
                    runDueInParallel(failed);
                } else {
                    outage.idle(); // nothing asked the host: what became of it is not known
                }
            } catch (HostUnavailableException e) {
                outage.unreachable(e.getMessage(), tick).ifPresent(log::warn);
            } catch (RuntimeException e) {
                log.error("reversal loop: {}", e.toString(), e);
            }
            lock.lock();
            try {
                if (!woken && running) {
                    nudged.await(tick.toMillis(), TimeUnit.MILLISECONDS);
                }
                woken = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** The due reversals and {@code failed} (REVERSAL_FAILED ones whose slow retry is due), all at once. */
    private void runDueInParallel(List<Attempt> failed) {
        List<Future<?>> sent = new ArrayList<>();
        for (Attempt a : loop.due()) {
            sent.add(senders.submit(() -> loop.attemptApart(a))); // an attempt's own failure is noted on it
        }
        for (Attempt a : failed) {
            sent.add(senders.submit(() -> loop.attemptApart(a)));
        }
        for (Future<?> f : sent) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                log.warn("a reversal could not be sent now: {}", String.valueOf(e.getCause()));
            }
        }
    }

    /**
     * Stops the loop as serve stops, before the journal closes: no new try starts, and the tries waiting for an answer
     * (up to the host timeout) end now, the channel closed for good, so each is recorded in the journal as an
     * unanswered try (the next start goes on from there). Serve used to {@link #close} it, which waits 5 s: a try still
     * waiting then found the journal and the message log closed, and its outcome was written nowhere.
     */
    public void stopEndingTries() {
        running = false;
        wake();
        channel.close();
        join(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        running = false;
        wake();
        join(Duration.ofSeconds(5));
    }

    private void join(Duration limit) {
        try {
            if (thread.getState() != Thread.State.NEW) { // a serve that failed to start closes it unstarted
                thread.join(limit);
            }
            senders.shutdown();
            if (!senders.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("a reversal try did not end within {} s of stopping; the journal has it as sent",
                        limit.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
