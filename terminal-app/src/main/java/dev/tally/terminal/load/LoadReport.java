package dev.tally.terminal.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The result of a load run. Latencies are of the sales the host answered, in milliseconds; {@code tps} is
 * every sale that ended (answered or not) per second of the run. The warm-up's sales (if any) are counted
 * in {@code warmupSales} only.
 */
public record LoadReport(String mode, int terminals, double seconds, long requests, double tps, long answered,
                         double p50, double p90, double p99, double p999, double max, double mean,
                         Map<String, Long> results, Map<String, Long> responseCodes, Map<String, Long> errors,
                         long reversals, long lateOrStrayAnswers, List<double[]> percentileCurve,
                         double warmupSeconds, long warmupSales) {

    static LoadReport of(String mode, int terminals, long elapsedNanos, LoadStats stats, double warmupSeconds) {
        Histogram h = stats.total();
        double seconds = elapsedNanos / 1e9;
        long requests = stats.requests();
        List<double[]> curve = new ArrayList<>();
        if (h.getTotalCount() > 0) {
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo();
                if (p >= 100.0) {
                    break;
                }
                curve.add(new double[] {p, v.getValueIteratedTo() / 1000.0});
            }
            curve.add(new double[] {100.0, h.getMaxValue() / 1000.0});
        }
        return new LoadReport(mode, terminals, seconds, requests, seconds > 0 ? requests / seconds : 0, h.getTotalCount(),
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0,
                h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0,
                stats.results(), stats.responseCodes(), stats.errors(), stats.reversals(), stats.strays(), curve,
                warmupSeconds, stats.warmupSales());
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The {@code --json} object (without the curve, which goes to the SVG). */
    public Map<String, Object> json() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("mode", mode);
        o.put("terminals", terminals);
        o.put("seconds", round(seconds, 3));
        o.put("requests", requests);
        o.put("tps", round(tps, 1));
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("answered", answered);
        lat.put("p50", round(p50, 3));
        lat.put("p90", round(p90, 3));
        lat.put("p99", round(p99, 3));
        lat.put("p999", round(p999, 3));
        lat.put("max", round(max, 3));
        lat.put("mean", round(mean, 3));
        o.put("latencyMs", lat);
        o.put("results", results);
        o.put("responseCodes", responseCodes);
        o.put("errors", errors);
        o.put("reversals", reversals);
        o.put("lateOrStrayAnswers", lateOrStrayAnswers);
        o.put("warmupSeconds", round(warmupSeconds, 3));
        o.put("warmupSales", warmupSales);
        return o;
    }

    public List<String> lines() {
        List<String> l = new ArrayList<>();
        l.add(String.format(Locale.ROOT, "load (%s): %d terminals, %.1f s, %,d sales, %,.1f sales/s", mode, terminals,
                seconds, requests, tps) + (warmupSeconds > 0 ? String.format(Locale.ROOT,
                " (after a %.1f s warm-up of %,d sales, not counted)", warmupSeconds, warmupSales) : ""));
        l.add(String.format(Locale.ROOT, "latency ms (%,d answered): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
                answered, p50, p90, p99, p999, max));
        l.add("results: " + text(results));
        l.add("response codes: " + text(responseCodes));
        l.add("errors: " + (errors.isEmpty() ? "none" : text(errors)));
        l.add("reversals sent: " + reversals + ";  late or stray answers: " + lateOrStrayAnswers);
        return l;
    }

    private static String text(Map<String, Long> m) {
        if (m.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
