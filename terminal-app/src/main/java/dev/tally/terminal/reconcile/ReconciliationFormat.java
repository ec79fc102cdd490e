package dev.tally.terminal.reconcile;

import dev.tally.spec.format.Masking;
import dev.tally.terminal.journal.Attempt;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report three ways: a table for a person, JSON for a program (the CLI's --json and the cashier API),
 * CSV for the finance office's spreadsheet. Amounts are decimal strings; PANs only masked.
 */
public final class ReconciliationFormat {

    public static final String CSV_HEADER = "business_date,category,order_ref,amount,currency,journal_state,stan,rrn,"
            + "auth_code,masked_pan,host_txn_state,host_credit_state,host_credit_date,note";

    private ReconciliationFormat() {
    }

    public static Map<String, Object> json(ReconciliationReport r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("status", r.clean() ? "MATCHED" : "DIFFERENCES");
        o.put("terminalId", r.terminalId());
        o.put("merchantId", r.merchantId());
        o.put("statement", r.source());
        o.put("dates", r.dates().stream().map(LocalDate::toString).toList());
        List<Map<String, Object>> days = new ArrayList<>();
        for (LocalDate d : r.businessDates()) {
            Map<String, Object> day = new LinkedHashMap<>();
            day.put("businessDate", d.toString());
            day.put("totals", totals(r, r.on(d)));
            days.add(day);
        }
        o.put("days", days);
        o.put("totals", totals(r, r.items()));
        o.put("items", r.items().stream().map(ReconciliationFormat::item).toList());
        o.put("otherTerminalLines", r.otherTerminalLines());
        o.put("otherMerchantLines", r.otherMerchantLines());
        o.put("otherMerchantAttempts", r.otherMerchantAttempts());
        return o;
    }

    private static Map<String, Object> totals(ReconciliationReport r, List<ReconciliationItem> items) {
        Map<String, Object> t = new LinkedHashMap<>();
        r.totals(items).forEach((c, v) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", v.count());
            m.put("amount", Reconciliation.decimal(v.amount()));
            t.put(c.name(), m);
        });
        return t;
    }

    static Map<String, Object> item(ReconciliationItem i) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("businessDate", i.businessDate().toString());
        o.put("category", i.category().name());
        o.put("orderId", i.orderId());
        o.put("amount", Reconciliation.decimal(i.amount()));
        o.put("currency", i.currency());
        Attempt a = i.attempt();
        if (a == null) {
            o.put("journal", null);
        } else {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("state", a.state().name());
            j.put("stan", a.stanText());
            j.put("rrn", a.rrn());
            j.put("authCode", a.authCode());
            j.put("responseCode", a.responseCode());
            j.put("maskedPan", a.maskedPan());
            j.put("reversalAttempts", a.reversalAttempts());
            j.put("batchNumber", a.batchNumber());
            o.put("journal", j);
        }
        StatementLine l = i.line();
        if (l == null) {
            o.put("host", null);
        } else {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("businessDate", l.businessDate().toString());
            h.put("txnState", l.txnState());
            h.put("debitStands", l.debitStands());
            h.put("creditState", l.creditState());
            h.put("creditDate", l.creditDate() == null ? null : l.creditDate().toString());
            h.put("amount", Reconciliation.decimal(l.amount()));
            h.put("stan", l.stanText());
            h.put("rrn", l.rrn());
            h.put("authCode", l.authCode());
            h.put("maskedPan", l.maskedPan());
            o.put("host", h);
        }
        o.put("note", i.note());
        return o;
    }

    public static String csv(ReconciliationReport r) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (ReconciliationItem i : r.items()) {
            Attempt a = i.attempt();
            StatementLine l = i.line();
            List<String> cells = List.of(i.businessDate().toString(), i.category().name(), i.orderId(),
                    Reconciliation.decimal(i.amount()), nn(i.currency()), a == null ? "" : a.state().name(),
                    a != null ? a.stanText() : l.stanText(), nn(a != null && a.rrn() != null ? a.rrn() : l == null ? null : l.rrn()),
                    nn(a != null && a.authCode() != null ? a.authCode() : l == null ? null : l.authCode()),
                    nn(a != null ? a.maskedPan() : l.maskedPan()), l == null ? "" : l.txnState(),
                    l == null ? "" : l.creditState(), l == null || l.creditDate() == null ? "" : l.creditDate().toString(),
                    i.note());
            sb.append(String.join(",", cells.stream().map(ReconciliationFormat::cell).toList())).append('\n');
        }
        return Masking.scrub(sb.toString());
    }

    public static List<String> table(ReconciliationReport r) {
        List<String> out = new ArrayList<>();
        out.add("Reconciliation of terminal " + r.terminalId() + " (merchant " + r.merchantId() + ") against " + r.source());
        for (LocalDate d : r.businessDates()) {
            List<ReconciliationItem> items = r.on(d);
            out.add("");
            out.add("Business date " + d);
            out.add(String.format("  %-24s %-16s %12s  %-16s %-6s %-14s %s", "category", "order", "amount", "journal", "STAN",
                    "host", "note"));
            for (ReconciliationItem i : items) {
                Attempt a = i.attempt();
                StatementLine l = i.line();
                String host = l == null ? "-" : l.txnState() + "/" + l.creditState();
                out.add(String.format("  %-24s %-16s %12s  %-16s %-6s %-14s %s", i.category().name(), i.orderId(),
                        Reconciliation.decimal(i.amount()), a == null ? "-" : a.state().name(),
                        a != null ? a.stanText() : l.stanText(), host, i.note()));
            }
            out.add("  totals:");
            r.totals(items).forEach((c, t) -> {
                if (t.count() > 0) {
                    out.add(String.format("    %-58s %4d  %12s", c.label(), t.count(), Reconciliation.decimal(t.amount())));
                }
            });
        }
        out.add("");
        out.add(r.clean() ? "Everything matched." : "Differences found: "
                + r.items().stream().filter(i -> i.category().isAnomaly()).count() + " item(s) need attention.");
        int leftOut = r.otherMerchantLines() + r.otherTerminalLines();
        if (leftOut > 0) {
            out.add(leftOut + " statement line(s) of other merchants/terminals left out (" + r.otherMerchantLines()
                    + " of other merchants, " + r.otherTerminalLines() + " of this merchant's other terminals).");
        }
        r.otherMerchantAttempts().forEach((merchant, n) -> out.add(n + " attempt(s) of terminal " + r.terminalId()
                + " made for merchant " + merchant + " left out: reconcile them with --merchant-id " + merchant + "."));
        return out.stream().map(Masking::scrub).toList();
    }

    private static String nn(String s) {
        return s == null ? "" : s;
    }

    private static String cell(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
