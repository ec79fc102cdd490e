package dev.tally.simulator.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the host has seen since it started: requests by MTI, answers by response code, requests the
 * scenario left unanswered, and the latency from a request's arrival to its answer being ready
 * (HdrHistogram, microseconds; scenario delays are not counted).
 */
public final class TrafficMetrics {

    private final Map<String, LongAdder> requestsByMti = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> answersByCode = new ConcurrentHashMap<>();
    private final LongAdder unanswered = new LongAdder();
    private final LongAdder rejectedFrames = new LongAdder();
    private final Histogram latencyMicros = new ConcurrentHistogram(3_600_000_000L, 3);

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
        latencyMicros.recordValue(Math.max(0, Math.min(nanos / 1000, latencyMicros.getHighestTrackableValue())));
    }

    /** A snapshot for the admin API. */
    public Snapshot snapshot() {
        Histogram h = latencyMicros.copy();
        Map<String, Double> pct = new TreeMap<>();
        if (h.getTotalCount() > 0) {
            pct.put("p50", h.getValueAtPercentile(50) / 1000.0);
            pct.put("p90", h.getValueAtPercentile(90) / 1000.0);
            pct.put("p99", h.getValueAtPercentile(99) / 1000.0);
            pct.put("p999", h.getValueAtPercentile(99.9) / 1000.0);
            pct.put("max", h.getMaxValue() / 1000.0);
        }
        return new Snapshot(counts(requestsByMti), counts(answersByCode), unanswered.sum(), h.getTotalCount(), pct);
    }

    private static Map<String, Long> counts(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Counts and latency percentiles in milliseconds. */
    public record Snapshot(Map<String, Long> requestsByMti, Map<String, Long> answersByResponseCode, long unanswered,
                           long latencySamples, Map<String, Double> latencyMillis) {
    }
}
