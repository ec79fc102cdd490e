package dev.tally.terminal.reconcile;

import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The reconciliation of a terminal's journal against the acquirer's statement: every row with its
 * category, per business date, and the totals (count, amount) per category: MATCHED's amount is what was credited
 * as approved (a match where nothing stands counts at 0, see {@link ReconciliationItem#totalAmount()}). Left out
 * and counted: {@code otherTerminalLines}, statement lines of the merchant's other terminals; {@code otherMerchantLines},
 * lines of other merchants; {@code otherMerchantAttempts}, the terminal's attempts on the dates made for another
 * merchant, by merchant id.
 */
public record ReconciliationReport(String terminalId, String merchantId, String source, List<LocalDate> dates,
                                   List<ReconciliationItem> items, int otherTerminalLines, int otherMerchantLines,
                                   SortedMap<String, Integer> otherMerchantAttempts) {

    public record Total(long count, long amount) {
        Total plus(long a) {
            return new Total(count + 1, amount + a);
        }
    }

    public SortedSet<LocalDate> businessDates() {
        TreeSet<LocalDate> out = new TreeSet<>(dates);
        items.forEach(i -> out.add(i.businessDate()));
        return out;
    }

    public List<ReconciliationItem> on(LocalDate date) {
        return items.stream().filter(i -> i.businessDate().equals(date)).toList();
    }

    public Map<Category, Total> totals(List<ReconciliationItem> of) {
        Map<Category, Total> t = new EnumMap<>(Category.class);
        for (Category c : Category.values()) {
            t.put(c, new Total(0, 0));
        }
        for (ReconciliationItem i : of) {
            t.put(i.category(), t.get(i.category()).plus(i.totalAmount()));
        }
        return t;
    }

    public boolean clean() {
        return items.stream().noneMatch(i -> i.category().isAnomaly());
    }
}
