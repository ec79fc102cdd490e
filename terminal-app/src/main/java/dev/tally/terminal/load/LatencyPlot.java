package dev.tally.terminal.load;

import java.util.List;
import java.util.Locale;

/**
 * An SVG latency-by-percentile plot of one or more runs (one polyline each), in the usual HdrHistogram
 * shape: the x axis is 1/(1 − percentile) on a log scale, so 90%, 99%, 99.9% are evenly spaced.
 */
public final class LatencyPlot {

    public record Series(String label, List<double[]> curve) {
    }

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int W = 720;
    private static final int H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    /** The x axis ends at 99.999%. */
    private static final double MAX_DECADES = 5;

    private LatencyPlot() {
    }

    public static String svg(String title, List<Series> series) {
        double maxMs = 0;
        for (Series s : series) {
            for (double[] p : s.curve()) {
                maxMs = Math.max(maxMs, p[1]);
            }
        }
        double yMax = niceCeiling(maxMs <= 0 ? 1 : maxMs);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        // grid: x at 0, 90, 99, 99.9, ... ; y in 5 steps
        String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int d = 0; d <= MAX_DECADES; d++) {
            double x = LEFT + pw * d / MAX_DECADES;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + ph));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP + ph + 18, xLabels[d]));
        }
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            double y = TOP + ph - ph * i / 5.0;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, LEFT + pw, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, y + 4, trim(v)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n", LEFT + pw / 2, H - 8));
        b.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">latency (ms)</text>%n",
                TOP + ph / 2, TOP + ph / 2));
        for (int s = 0; s < series.size(); s++) {
            Series se = series.get(s);
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (double[] p : se.curve()) {
                double decades = Math.min(MAX_DECADES, Math.log10(1.0 / Math.max(1e-9, 1.0 - p[0] / 100.0)));
                double x = LEFT + pw * decades / MAX_DECADES;
                double y = TOP + ph - ph * Math.min(1.0, p[1] / yMax);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    colour, pts.toString().trim()));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", LEFT + 10, TOP + 16 + 16 * s,
                    colour, escape(se.label())));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static double niceCeiling(double v) {
        double e = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (v <= m * e) {
                return m * e;
            }
        }
        return 10 * e;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
