package dev.tally.terminal.load;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which sales the logical terminals make: weighted lines of amount (and optionally card). The host
 * simulator decides by the amount's cents (DESIGN.md §5), so the mix drives approvals (e.g. 0.10),
 * declines (0.05, 0.51), and timeouts with reversals (0.68: the request is dropped; 0.98) by amount alone.
 *
 * <p>File format, one entry a line, {@code #} starts a comment:
 * <pre>
 * # weight  amount  [card]
 * 90  0.10
 * 5   0.05          # declined 05
 * 5   0.68  visa-1  # no answer: timeout, reversal
 * </pre>
 * The k-th sale of terminal t takes entry {@code cycle[(k + t) % cycle.length]}, where the cycle repeats
 * each entry by its weight, spread evenly ({@link #cycle}): deterministic, so a run can be repeated exactly.
 */
public record LoadMix(List<Entry> entries) {

    /** One line of the mix. {@code card} null means the lab reader's default card. */
    public record Entry(int weight, long amount, String card) {
    }

    /** Without a file: every sale approves (0.10, a normal amount) with the default card. */
    public static LoadMix approvals() {
        return new LoadMix(List.of(new Entry(1, 10, null)));
    }

    public LoadMix {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("the mix has no entries");
        }
        long total = 0;
        for (Entry e : entries) {
            if (e.weight() < 1) {
                throw new IllegalArgumentException("a mix weight must be at least 1, got " + e.weight());
            }
            total += e.weight();
        }
        if (total > 10_000) {
            throw new IllegalArgumentException("the mix weights add up to " + total + "; keep them at most 10000");
        }
    }

    public static LoadMix read(Path file) {
        List<String> lines;
        try {
            // not UTF-8: "the mix file X is not UTF-8 text (byte 0xE9 at offset 3): ..."
            lines = dev.tally.spec.format.Utf8File.read(file, "write the mix as UTF-8 text, one 'weight amount [card]'"
                    + " per line").lines().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the mix file " + file + ": "
                    + dev.tally.spec.format.Utf8File.reason(file, e));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the mix file " + e.getMessage(), e);
        }
        return parse(lines, file.toString());
    }

    public static LoadMix parse(List<String> lines, String source) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (text.isEmpty()) {
                continue;
            }
            String[] parts = text.split("\\s+");
            String where = source + " line " + (i + 1) + ": ";
            if (parts.length < 2 || parts.length > 3) {
                throw new IllegalArgumentException(where + "expected 'WEIGHT AMOUNT [CARD]', got '" + text + "'");
            }
            int weight;
            try {
                weight = Integer.parseInt(parts[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "weight must be a whole number, got '" + parts[0] + "'");
            }
            if (weight < 1) {
                throw new IllegalArgumentException(where + "weight must be at least 1, got " + weight);
            }
            long amount;
            try {
                BigDecimal a = new BigDecimal(parts[1]);
                if (a.scale() > 2 || a.signum() <= 0 || a.compareTo(new BigDecimal("999999999.99")) > 0) {
                    throw new NumberFormatException();
                }
                amount = a.movePointRight(2).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException(where + "amount must be 0.01 to 999999999.99 with at most two decimals, got '"
                        + parts[1] + "'");
            }
            out.add(new Entry(weight, amount, parts.length == 3 ? parts[2] : null));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + ": no entries (expected lines 'WEIGHT AMOUNT [CARD]')");
        }
        return new LoadMix(out);
    }

    /** The j-th place of an entry in {@link #cycle}. */
    private record Place(Entry entry, int j) {
    }

    /**
     * The entries repeated by weight and spread evenly over the cycle: the j-th of an entry's {@code w} places is at
     * {@code (j + 1/2) / w} of the way round, the places of all entries in that order (ties in file order). So a mix of
     * {@code 90 0.10 / 5 0.05 / 5 0.68} has a decline and a timeout in every 20 sales, not 90 approvals and then ten
     * declines and timeouts in a row (in a short run, or for terminals that all reach the block at once, the weights
     * would not show). Equal weights keep the file order.
     */
    public List<Entry> cycle() {
        List<Place> places = new ArrayList<>();
        for (Entry e : entries) {
            for (int j = 0; j < e.weight(); j++) {
                places.add(new Place(e, j));
            }
        }
        // (2j + 1) / (2w) compared exactly: weights add up to at most 10,000, so the products fit a long; the sort is
        // stable, so ties stay in file order
        places.sort((a, b) -> Long.compare((2L * a.j() + 1) * b.entry().weight(), (2L * b.j() + 1) * a.entry().weight()));
        List<Entry> c = new ArrayList<>(places.size());
        for (Place p : places) {
            c.add(p.entry());
        }
        return c;
    }
}
