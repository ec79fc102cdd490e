package dev.tally.simulator.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the host has seen since it started, or since the last {@link #reset} (a lab resets after its warm-up):
 * requests by MTI, answers by response code (when sent), requests no code of which reached the terminal (dropped,
 * withheld, garbage, an answer the connection was gone for), and the latency from a
 * request's arrival to its answer being ready (HdrHistogram, microseconds; scenario delays are not counted).
 */
public final class TrafficMetrics {

    private final Map<String, LongAdder> requestsByMti = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> answersByCode = new ConcurrentHashMap<>();
    private final LongAdder unanswered = new LongAdder();
    private static final long HIGHEST_MICROS = 3_600_000_000L;
    /** Records without locks; its interval histograms are folded into {@link #latencyMicros} under this object's lock. */
    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private final Histogram latencyMicros = new Histogram(HIGHEST_MICROS, 3);
    private Histogram interval;

    void request(String mti) {
        requestsByMti.computeIfAbsent(mti == null ? "????" : mti, k -> new LongAdder()).increment();
    }

    void answer(String responseCode) {
        answersByCode.computeIfAbsent(responseCode == null ? "--" : responseCode, k -> new LongAdder()).increment();
    }

    void unanswered() {
        unanswered.increment();
    }

    void latency(long nanos) {
        recorder.recordValue(Math.max(0, Math.min(nanos / 1000, HIGHEST_MICROS)));
    }

    /** A snapshot for the admin API. */
    public synchronized Snapshot snapshot() {
        collect();
        return snapshot(latencyMicros, counts(requestsByMti, false), counts(answersByCode, false), unanswered.sum());
    }

    /**
     * Starts counting afresh, and returns what was counted up to now. Nothing recorded meanwhile is lost: each
     * count and latency goes either into the returned snapshot or into the next one.
     */
    public synchronized Snapshot reset() {
        collect();
        Snapshot before = snapshot(latencyMicros, counts(requestsByMti, true), counts(answersByCode, true),
                unanswered.sumThenReset());
        latencyMicros.reset();
        return before;
    }

    /** Under the lock: the latencies recorded since the last call, added to the running histogram. */
    private void collect() {
        interval = recorder.getIntervalHistogram(interval);
        latencyMicros.add(interval);
    }

    private static Snapshot snapshot(Histogram h, Map<String, Long> requests, Map<String, Long> answers, long unanswered) {
        Map<String, Double> pct = new TreeMap<>();
        if (h.getTotalCount() > 0) {
            pct.put("p50", h.getValueAtPercentile(50) / 1000.0);
            pct.put("p90", h.getValueAtPercentile(90) / 1000.0);
            pct.put("p99", h.getValueAtPercentile(99) / 1000.0);
            pct.put("p999", h.getValueAtPercentile(99.9) / 1000.0);
            pct.put("max", h.getMaxValue() / 1000.0);
        }
        return new Snapshot(requests, answers, unanswered, h.getTotalCount(), pct);
    }

    private static Map<String, Long> counts(Map<String, LongAdder> m, boolean reset) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> {
            long n = reset ? v.sumThenReset() : v.sum();
            if (n > 0) { // a key seen before the last reset only
                out.put(k, n);
            }
        });
        return out;
    }

    /** Counts and latency percentiles in milliseconds. */
    public record Snapshot(Map<String, Long> requestsByMti, Map<String, Long> answersByResponseCode, long unanswered,
                           long latencySamples, Map<String, Double> latencyMillis) {
    }
}
