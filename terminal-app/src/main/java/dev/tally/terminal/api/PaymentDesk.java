package dev.tally.terminal.api;

import dev.tally.terminal.engine.OperatorClose;
import dev.tally.terminal.engine.PaymentEngine;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.PaymentStatus;
import dev.tally.terminal.engine.ReversalScheduler;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.settlement.Settlement;
import dev.tally.terminal.settlement.SettlementResult;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What the cashier API does, without HTTP: payments idempotent by order id, each order strictly one at
 * a time, many orders at once; cancel; settlement.
 *
 * <ul>
 *   <li>The same payment (order, amount, card) asked again while it is in flight waits for it and gets
 *       its result: one request to the host however many times the cashier system retries.</li>
 *   <li>Asked again after it was approved: the recorded result, nothing sent ({@code replayed}).</li>
 *   <li>A different request for an order with something in flight or uncertain: LOCKED with the retry
 *       time; for an order paid with another amount: ALREADY_PAID. After a decline or a completed
 *       reversal, a new request is a new attempt (the cashier retries with another card).</li>
 *   <li>Settlement waits for the payments in flight and holds new ones back until the batch is cut.</li>
 * </ul>
 */
public final class PaymentDesk {

    /** A payment's outcome for the API: the engine's result and whether it was replayed from the journal. */
    public record Outcome(PaymentResult result, boolean replayed) {
    }

    private record InFlight(String kind, long amount, String card, CompletableFuture<Outcome> outcome) {
        boolean same(String k, long a, String c) {
            return kind.equals(k) && amount == a && java.util.Objects.equals(card, c);
        }
    }

    private final PaymentEngine engine;
    private final Settlement settlement;
    private final ReversalScheduler reversals;
    private final Duration waitLimit;
    private final Duration hostTimeout;
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock settling = new ReentrantReadWriteLock(true);

    public PaymentDesk(PaymentEngine engine, Settlement settlement, ReversalScheduler reversals, Duration hostTimeout) {
        this.engine = engine;
        this.settlement = settlement;
        this.reversals = reversals;
        // a duplicate waits for the original: its answer, then its first reversal if it went uncertain
        this.waitLimit = hostTimeout.multipliedBy(3).plusSeconds(10);
        this.hostTimeout = hostTimeout;
    }

    public PaymentEngine engine() {
        return engine;
    }

    /** Payments and cancels in flight right now. */
    public int inFlight() {
        return inFlight.size();
    }

    public Outcome pay(String orderId, long amount, String card) {
        return once(orderId, "PAY", amount, card, () -> {
            Optional<Attempt> live = engine.journal().liveAttempt(orderId);
            if (live.isPresent() && live.get().state().isPaid() && live.get().amount() == amount) {
                return new Outcome(engine.result(live.get()), true); // the recorded result; nothing sent
            }
            PaymentResult r = underSettlementLock(() -> engine.sale(orderId, amount, card));
            if (r.status() == PaymentStatus.REVERSAL_PENDING) {
                reversals.wake();
            }
            return new Outcome(r, false);
        });
    }

    public Outcome cancel(String orderId) {
        return once(orderId, "CANCEL", 0, null, () -> {
            PaymentResult r = underSettlementLock(() -> engine.reverse(orderId));
            if (r.status() == PaymentStatus.REVERSAL_PENDING) {
                reversals.wake();
            }
            return new Outcome(r, false);
        });
    }

    /**
     * The operator's close of the order's failed reversal (PaymentEngine#closeFailedReversal), one request of the order at a
     * time and never while a settlement freezes its batch. A request of the order in flight refuses it (LOCKED's reason).
     */
    public OperatorClose.Result close(String orderId, OperatorClose close) {
        InFlight mine = new InFlight("CLOSE", 0, null, new CompletableFuture<>());
        InFlight running = inFlight.putIfAbsent(orderId, mine);
        if (running != null) {
            return new OperatorClose.Result(false, "order " + orderId + " has a request in progress at this terminal"
                    + " (" + running.kind().toLowerCase(java.util.Locale.ROOT) + "); close it once that is done; nothing"
                    + " was changed", engine.journal().liveAttempt(orderId).orElse(null), null);
        }
        try {
            settling.readLock().lock();
            try {
                return engine.closeFailedReversal(orderId, close);
            } finally {
                settling.readLock().unlock();
            }
        } finally {
            mine.outcome().complete(null);
            inFlight.remove(orderId, mine);
        }
    }

    /** Settles the open batch once every payment in flight is done; payments wait meanwhile. */
    public SettlementResult settle() {
        settling.writeLock().lock();
        try {
            return settlement.settle();
        } finally {
            settling.writeLock().unlock();
        }
    }

    private PaymentResult underSettlementLock(java.util.function.Supplier<PaymentResult> work) {
        settling.readLock().lock();
        try {
            return work.get();
        } finally {
            settling.readLock().unlock();
        }
    }

    private Outcome once(String orderId, String kind, long amount, String card, java.util.function.Supplier<Outcome> work) {
        InFlight mine = new InFlight(kind, amount, card, new CompletableFuture<>());
        InFlight running = inFlight.putIfAbsent(orderId, mine);
        if (running != null) {
            if (!running.same(kind, amount, card)) {
                return new Outcome(busy(orderId, running, kind, amount), false);
            }
            try {
                Outcome o = running.outcome().get(waitLimit.toMillis(), TimeUnit.MILLISECONDS);
                return new Outcome(o.result(), true);
            } catch (TimeoutException e) {
                return new Outcome(busy(orderId, running, kind, amount), false);
            } catch (InterruptedException e) {
                // the refusal (busy() writes it to the journal), then the interrupt back
                try {
                    return new Outcome(busy(orderId, running, kind, amount), false);
                } finally {
                    Thread.currentThread().interrupt();
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        try {
            Outcome o = work.get();
            mine.outcome().complete(o);
            return o;
        } catch (RuntimeException e) {
            mine.outcome().completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(orderId, mine);
        }
    }

    /**
     * LOCKED for a request that meets another one of the same order still in flight: the payment object is the one in
     * flight (its amount, STAN and state, not the refused request's), to be retried once it has had its answer.
     */
    private PaymentResult busy(String orderId, InFlight running, String kind, long amount) {
        Optional<Attempt> live = engine.journal().liveAttempt(orderId);
        Instant retry = engine.clock().instant().plus(hostTimeout).truncatedTo(ChronoUnit.MILLIS);
        String message = "LOCKED: order " + orderId + " has a request in progress at this terminal"
                + live.map(a -> " (STAN " + a.stanText() + ", " + a.state() + ")").orElse("")
                + "; nothing was sent for this request, retry after it finishes";
        // on the audit trail of the attempt that holds the order, as the engine's refusals are (when it has one yet)
        return engine.recordRefusal(new PaymentResult(orderId, PaymentStatus.LOCKED, null, message,
                live.map(Attempt::amount).orElse(running.amount()), live.map(Attempt::currency).orElse(null),
                live.orElse(null), retry), "PAY".equals(kind) ? engine.asked(amount) : "cancel of the payment");
    }
}
