package dev.tally.terminal.api;

import dev.tally.spec.message.SettlementTotals;
import dev.tally.spec.message.StatusAnswer;
import dev.tally.terminal.engine.Amounts;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.StatusReport;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.settlement.SettlementResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON objects of the cashier API and of {@code tally --json} (one definition for both faces, so the
 * API's payment is the CLI's payment): amounts as decimal strings, times as ISO-8601 instants, PANs masked.
 */
public final class ApiJson {

    private ApiJson() {
    }

    /**
     * An instant as the API writes every time: ISO-8601 UTC to the millisecond at most (the journal keeps
     * milliseconds; a time worked out from the clock, such as LOCKED's retry time, has nanoseconds, whose nine
     * digits some clients' parsers refuse). A finer time is rounded up, so a client told to come back then is never
     * early.
     */
    static String time(Instant t) {
        if (t == null) {
            return null;
        }
        Instant ms = t.truncatedTo(ChronoUnit.MILLIS);
        return (ms.equals(t) ? t : ms.plusMillis(1)).toString();
    }

    public static Map<String, Object> payment(PaymentResult r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("orderId", r.orderId());
        o.put("status", r.status().name());
        o.put("responseCode", r.responseCode());
        o.put("message", r.message());
        o.put("amount", Amounts.format(r.amount()));
        o.put("currency", r.currency());
        o.put("stan", r.stan());
        o.put("rrn", r.rrn());
        o.put("authCode", r.authCode());
        o.put("maskedPan", r.maskedPan());
        // every key always, null when there is no attempt yet (LOCKED for a request that met the order's first one still
        // being written): a till's client reads one shape, as documented, not a shorter one in a race
        Attempt a = r.attempt();
        o.put("attemptState", a == null ? null : a.state().name());
        o.put("reversalReason", a == null ? null : a.reversalReason());
        o.put("reversalAttempts", a == null ? null : a.reversalAttempts());
        o.put("dateTime", a == null ? null : time(a.createdAt()));
        o.put("retryAfter", time(r.retryAfter()));
        return o;
    }

    public static Map<String, Object> attempt(Attempt a) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("orderId", a.orderRef());
        o.put("state", a.state().name());
        o.put("kind", a.kind().name());
        o.put("amount", Amounts.format(a.amount()));
        o.put("currency", a.currency());
        o.put("stan", a.stanText());
        o.put("transmissionTime", a.transmissionTime());
        o.put("responseCode", a.responseCode());
        o.put("rrn", a.rrn());
        o.put("authCode", a.authCode());
        o.put("maskedPan", a.maskedPan());
        o.put("reversalReason", a.reversalReason());
        o.put("reversalStan", a.reversalStan() == null ? null : String.format("%06d", a.reversalStan()));
        o.put("reversalAttempts", a.reversalAttempts());
        o.put("nextReversalAt", time(a.nextReversalAt()));
        o.put("sentAt", time(a.sentAt()));
        o.put("createdAt", time(a.createdAt()));
        o.put("updatedAt", time(a.updatedAt()));
        o.put("batchNumber", a.batchNumber());
        return o;
    }

    public static List<Map<String, Object>> attempts(List<Attempt> list) {
        return list.stream().map(ApiJson::attempt).toList();
    }

    public static Map<String, Object> hostView(StatusReport s) {
        StatusAnswer h = s.hostAnswer();
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("asked", s.hostResponseCode() != null || s.hostProblem() != null);
        host.put("responseCode", s.hostResponseCode());
        host.put("state", h == null ? null : h.state().name());
        host.put("originalResponseCode", h == null ? null : h.originalResponseCode());
        host.put("amount", h == null ? null : Amounts.format(h.amount()));
        host.put("credit", h == null ? null : h.credit().name());
        host.put("creditDate", h == null || h.creditDate() == null ? null : h.creditDate().toString());
        host.put("problem", s.hostProblem());
        return host;
    }

    public static Map<String, Object> settlement(SettlementResult r, int nextBatch) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("status", r.closed() ? "CLOSED" : "INCOMPLETE");
        o.put("batchNumber", r.batch().batchText());
        o.put("batchState", r.batch().state().name());
        o.put("resumed", r.resumed());
        o.put("responseCode", r.settlementResponseCode());
        o.put("message", r.message());
        o.put("terminalTotals", totals(r.terminalTotals()));
        o.put("hostTotals", r.hostTotals() == null ? null : totals(r.hostTotals()));
        o.put("uploaded", r.batch().uploaded());
        o.put("uploadedNow", r.uploadedNow());
        o.put("failureCode", r.failureCode());
        o.put("nextBatchNumber", String.format("%06d", nextBatch));
        o.put("excluded", attempts(r.excluded()));
        o.put("reversalsRun", attempts(r.reversalsRun()));
        return o;
    }

    private static Map<String, Object> totals(SettlementTotals t) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("debitCount", t.debitCount());
        o.put("debitAmount", Amounts.format(t.debitAmount()));
        o.put("creditCount", t.creditCount());
        o.put("creditAmount", Amounts.format(t.creditAmount()));
        return o;
    }

    static Map<String, Object> error(String code, String field, String message) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("status", "ERROR");
        o.put("error", code);
        o.put("field", field);
        o.put("message", message);
        return o;
    }
}
