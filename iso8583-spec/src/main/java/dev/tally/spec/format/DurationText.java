package dev.tally.spec.format;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in scenario files and on the command line: 500ms, 5s, 2m, 1h, or ISO PT5S.
 * One rule for the simulator (scenario delays, --late-delay) and the terminal (tally load --duration).
 */
public final class DurationText {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private DurationText() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration is needed, e.g. 500ms, 5s, 2m or PT5S");
        }
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        Matcher m = SIMPLE.matcher(t);
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("duration '" + text.strip() + "' is too long");
            }
        }
        try {
            Duration d = Duration.parse(text.strip().toUpperCase(java.util.Locale.ROOT));
            if (d.isNegative()) {
                throw new IllegalArgumentException("duration '" + text + "' is negative");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: write e.g. 500ms, 5s, 2m, 1h or PT5S");
        }
    }
}
