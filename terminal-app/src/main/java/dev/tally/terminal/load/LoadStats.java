package dev.tally.terminal.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and the latency histogram of a load run; safe to update from every terminal's thread. While
 * {@linkplain #warmingUp(boolean) warming up} a sale is only counted as a warm-up sale, and nothing else is
 * recorded.
 */
final class LoadStats {

    private volatile boolean warmingUp;
    private final LongAdder warmupSales = new LongAdder();

    /** Latencies from 1 µs to 10 minutes, 3 significant digits (HdrHistogram). */
    private final Recorder recorder = new Recorder(1, 600_000_000L, 3);
    private final Histogram total = new Histogram(1, 600_000_000L, 3);
    private final LongAdder requests = new LongAdder();
    private final LongAdder reversals = new LongAdder();
    private final LongAdder strays = new LongAdder();
    private final Map<String, LongAdder> results = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> responseCodes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    void warmingUp(boolean on) {
        warmingUp = on;
    }

    long warmupSales() {
        return warmupSales.sum();
    }

    void record(SaleOutcome o, long micros) {
        if (warmingUp) {
            warmupSales.increment();
            return;
        }
        requests.increment();
        if (o.answered()) {
            recorder.recordValue(Math.max(1, Math.min(micros, 600_000_000L)));
        }
        results.computeIfAbsent(o.result(), k -> new LongAdder()).increment();
        if (o.responseCode() != null) {
            responseCodes.computeIfAbsent(o.responseCode(), k -> new LongAdder()).increment();
        }
        if (o.error() != null) {
            error(o.error());
        }
        if (o.reversalError() != null) {
            error(o.reversalError());
        }
        reversals.add(o.reversalsSent());
    }

    void error(String kind) {
        if (warmingUp) {
            return;
        }
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    void stray() {
        if (warmingUp) {
            return;
        }
        strays.increment();
    }

    long requests() {
        return requests.sum();
    }

    /** The latencies recorded since the last call, folded into the run's total. */
    synchronized Histogram interval() {
        Histogram h = recorder.getIntervalHistogram();
        total.add(h);
        return h;
    }

    synchronized Histogram total() {
        interval();
        return total.copy();
    }

    long reversals() {
        return reversals.sum();
    }

    long strays() {
        return strays.sum();
    }

    Map<String, Long> results() {
        return sorted(results);
    }

    Map<String, Long> responseCodes() {
        return sorted(responseCodes);
    }

    Map<String, Long> errors() {
        return sorted(errors);
    }

    private static Map<String, Long> sorted(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
