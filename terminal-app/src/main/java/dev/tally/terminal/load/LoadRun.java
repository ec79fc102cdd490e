package dev.tally.terminal.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import org.HdrHistogram.Histogram;

/**
 * Drives the logical terminals of a load run: all sign on, then each makes sales one after another
 * until the duration is over or the request cap is spent. Each terminal runs on its own virtual thread.
 * With {@code --rate} the k-th sale of a terminal is due at a fixed schedule and its latency counts from
 * when it was due (no coordinated omission); without it, from when it was sent.
 */
public final class LoadRun {

    private final LoadPlan plan;
    private final BiFunction<Integer, LoadStats, LoadTerminal> terminals;
    private final Duration answerTimeout;
    private final PrintStream progress;
    private final AtomicBoolean stop;

    /**
     * @param answerTimeout the host timeout of a sale: the run waits at most a few of these past its end
     *                      for the sales still out (a sale may include a reversal)
     * @param progress      where the live progress line goes, or null for none
     * @param stop          set to end the run early (Ctrl-C): no new sale starts, the ones out finish, and the run
     *                      reports what it measured until then
     */
    LoadRun(LoadPlan plan, BiFunction<Integer, LoadStats, LoadTerminal> terminals, Duration answerTimeout, PrintStream progress,
            AtomicBoolean stop) {
        this.plan = plan;
        this.terminals = terminals;
        this.answerTimeout = answerTimeout;
        this.progress = progress;
        this.stop = stop;
    }

    LoadReport run(String mode) throws InterruptedException {
        LoadStats stats = new LoadStats();
        List<LoadTerminal> all = new ArrayList<>();
        try {
            for (int i = 0; i < plan.terminals(); i++) {
                all.add(terminals.apply(i, stats));
            }
            signOnAll(all);
            String runTag = Long.toString(System.currentTimeMillis(), 36).toUpperCase(Locale.ROOT);
            double warmupSeconds = 0;
            if (!plan.warmup().isZero()) {
                // the same load, not counted: JIT compilation, caches and connections settle first
                stats.warmingUp(true);
                Phase warm = phase(all, runTag + "W", new AtomicLong(Long.MAX_VALUE), plan.warmup(), stats, "warming up");
                stats.warmingUp(false);
                warmupSeconds = warm.nanos() / 1e9;
                if (!warm.ended()) {
                    // a terminal is still in a warm-up sale: measuring now would drive it twice at once
                    stats.error("still_out_at_end_of_warmup");
                    return LoadReport.of(mode, plan.terminals(), 0, stats, warmupSeconds);
                }
            }
            if (stop.get()) { // stopped during the warm-up: nothing was measured
                return LoadReport.of(mode, plan.terminals(), 0, stats, warmupSeconds);
            }
            AtomicLong budget = new AtomicLong(plan.maxRequests() > 0 ? plan.maxRequests() : Long.MAX_VALUE);
            Phase measured = phase(all, runTag, budget, plan.duration(), stats, "");
            return LoadReport.of(mode, plan.terminals(), measured.nanos(), stats, warmupSeconds);
        } finally {
            for (LoadTerminal t : all) {
                t.close();
            }
        }
    }

    /** How long a phase took, and whether every terminal's sales ended (false: the grace ran out). */
    private record Phase(long nanos, boolean ended) {
    }

    /** Every terminal makes sales for {@code length} (or until the budget is spent). */
    private Phase phase(List<LoadTerminal> all, String runTag, AtomicLong budget, Duration length, LoadStats stats,
                       String label) throws InterruptedException {
        List<LoadMix.Entry> cycle = plan.mix().cycle();
        long start = System.nanoTime();
        long deadline = start + length.toNanos();
        // per-terminal interval between sales when a total rate is asked for
        long interval = plan.rate() > 0 ? (long) (1e9 * plan.terminals() / plan.rate()) : 0;
        CountDownLatch done = new CountDownLatch(all.size());
        AtomicLong lastEnd = new AtomicLong(start);
        for (int t = 0; t < all.size(); t++) {
            LoadTerminal term = all.get(t);
            int index = t;
            Thread.ofVirtual().name("load-" + term.terminalId()).start(() -> {
                try {
                    drive(term, index, cycle, runTag, budget, start, deadline, interval, stats);
                } finally {
                    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                    done.countDown();
                }
            });
        }
        boolean ended = watch(stats, done, start, deadline, label);
        // until the last terminal's last sale ended; at least the planned length when one never did
        return new Phase(Math.max(lastEnd.get(), ended ? start : deadline) - start, ended);
    }

    private void signOnAll(List<LoadTerminal> all) throws InterruptedException {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (LoadTerminal t : all) {
            threads.add(Thread.ofVirtual().name("sign-on-" + t.terminalId()).start(() -> {
                try {
                    t.signOn();
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /**
     * A terminal's k-th sale of a run, zero-padded to nine digits so references sort in sequence, and never cut
     * (jPOS's {@code ISOUtil.zeropad(long, int)} takes the number modulo 10^9: references would repeat).
     */
    static String sequence(long k) {
        String digits = Long.toString(k);
        return digits.length() >= 9 ? digits : "0".repeat(9 - digits.length()) + digits;
    }

    private void drive(LoadTerminal term, int index, List<LoadMix.Entry> cycle, String runTag, AtomicLong budget,
                       long start, long deadline, long interval, LoadStats stats) {
        long phase = interval > 0 ? interval * index / plan.terminals() : 0;
        for (long k = 0; ; k++) {
            long due = start + phase + k * interval;
            if (interval > 0) {
                while (true) {
                    long wait = due - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    if (due >= deadline || stop.get()) {
                        return;
                    }
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100))); // a stop is seen soon

                }
            }
            long sent = System.nanoTime();
            if (sent >= deadline || stop.get() || budget.getAndDecrement() <= 0) {
                return;
            }
            LoadMix.Entry e = cycle.get((int) ((k + index) % cycle.size()));
            // sequence first, like a till's invoice numbers: the journal's unique index on order references takes
            // concurrent sales on neighbouring keys (terminal first put each on another page)
            String order = "L" + runTag + "-" + sequence(k) + "-" + term.terminalId();
            SaleOutcome o;
            try {
                o = term.sale(order, e.amount(), e.card());
            } catch (RuntimeException ex) {
                o = SaleOutcome.failed("exception_" + ex.getClass().getSimpleName());
            }
            long from = interval > 0 ? Math.min(due, sent) : sent;
            stats.record(o, (System.nanoTime() - from) / 1_000);
        }
    }

    /**
     * Waits for the terminals, printing progress once a second; bounded by the duration plus a grace. False
     * when the grace ran out with sales still out.
     */
    private boolean watch(LoadStats stats, CountDownLatch done, long start, long deadline, String label)
            throws InterruptedException {
        long grace = Math.max(TimeUnit.SECONDS.toNanos(5), 3 * answerTimeout.toNanos());
        long hardStop = deadline + grace;
        long lastCount = 0;
        long lastTick = start;
        while (!done.await(1, TimeUnit.SECONDS)) {
            long now = System.nanoTime();
            if (now > hardStop) {
                stats.error("still_out_at_end");
                return false;
            }
            if (progress != null && !label.isEmpty()) {
                progress.printf(Locale.ROOT, "\rtally load: %s %5.0fs  %,10d sales   ", label, (now - start) / 1e9,
                        stats.warmupSales());
                progress.flush();
            } else if (progress != null) {
                Histogram h = stats.interval();
                long count = stats.requests();
                double tps = (count - lastCount) / ((now - lastTick) / 1e9);
                progress.printf(Locale.ROOT, "\rtally load: %5.0fs  %,10d sales  %,9.0f/s  p99 %8.2f ms   ",
                        (now - start) / 1e9, count, tps, h.getTotalCount() == 0 ? 0.0 : h.getValueAtPercentile(99) / 1000.0);
                progress.flush();
                lastCount = count;
                lastTick = now;
            }
        }
        if (progress != null) {
            progress.print("\r" + " ".repeat(70) + "\r");
            progress.flush();
        }
        return true;
    }
}
