package dev.tally.terminal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tally.spec.format.Masking;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.spec.message.StatusAnswer;
import dev.tally.terminal.engine.PaymentStatus;
import dev.tally.terminal.engine.StatusReport;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the commands print: one JSON object with {@code --json}, else a short result and, for an
 * approval, the receipt. Only masked PANs ever reach it; every line still goes through
 * {@link Masking#scrub} as a safety net.
 */
final class Output {

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final TallyCli g;

    Output(TallyCli g) {
        this.g = g;
    }

    void json(Map<String, Object> o) {
        try {
            g.out.println(Masking.scrub(JSON.writeValueAsString(o)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON output", e);
        }
    }

    void line(String text) {
        g.out.println(Masking.scrub(text));
    }

    String time(Instant t) {
        return t == null ? null : t.atZone(zone()).format(DATE_TIME);
    }

    private ZoneId zone() {
        return g.clock.getZone();
    }

    /** The JSON object of a payment result (sale, reverse). */
    Map<String, Object> payment(PaymentResult r) {
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
        Attempt a = r.attempt();
        if (a != null) {
            o.put("attemptState", a.state().name());
            o.put("reversalReason", a.reversalReason());
            o.put("reversalAttempts", a.reversalAttempts());
            o.put("dateTime", time(a.createdAt()));
        }
        o.put("retryAfter", r.retryAfter() == null ? null : r.retryAfter().toString());
        return o;
    }

    void printPayment(PaymentResult r) {
        if (g.json) {
            json(payment(r));
            return;
        }
        line(r.status() + "  order " + r.orderId() + "  " + Amounts.format(r.amount())
                + (r.responseCode() == null ? "" : "  (" + r.responseCode() + ")"));
        line(r.message());
        if (r.status() == PaymentStatus.APPROVED && r.attempt() != null) {
            receipt(r.attempt());
        } else if (r.attempt() != null) {
            Attempt a = r.attempt();
            line("STAN " + a.stanText() + "  card " + a.maskedPan() + "  " + time(a.createdAt())
                    + (a.reversalStan() == null ? "" : "  reversal STAN " + String.format("%06d", a.reversalStan())
                    + ", " + a.reversalAttempts() + " sent"));
        }
    }

    void receipt(Attempt a) {
        String rule = "-".repeat(40);
        line(rule);
        line(String.format("%-20s%20s", "merchant", a.merchantId()));
        line(String.format("%-20s%20s", "terminal", a.terminalId()));
        line(String.format("%-20s%20s", "date/time", time(a.createdAt())));
        line(String.format("%-20s%20s", "order", a.orderRef()));
        line(String.format("%-20s%20s", "SALE", Amounts.format(a.amount()) + " " + a.currency()));
        line(String.format("%-20s%20s", "card", a.maskedPan()));
        line(String.format("%-20s%20s", "STAN", a.stanText()));
        line(String.format("%-20s%20s", "RRN", a.rrn()));
        line(String.format("%-20s%20s", "auth code", a.authCode()));
        line(String.format("%-20s%20s", "", "APPROVED"));
        line(rule);
    }

    /** An attempt as JSON (pending, journal, status). */
    Map<String, Object> attempt(Attempt a) {
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
        o.put("nextReversalAt", a.nextReversalAt() == null ? null : a.nextReversalAt().toString());
        o.put("sentAt", a.sentAt() == null ? null : a.sentAt().toString());
        o.put("createdAt", a.createdAt().toString());
        o.put("updatedAt", a.updatedAt().toString());
        o.put("batchNumber", a.batchNumber());
        return o;
    }

    String attemptLine(Attempt a) {
        return String.format("%-16s %-8s STAN %s  %12s  %s%s%s", a.state(), a.orderRef(), a.stanText(),
                Amounts.format(a.amount()), a.maskedPan(),
                a.responseCode() == null ? "" : "  rc " + a.responseCode(),
                a.reversalReason() == null ? "" : "  reversal reason " + a.reversalReason() + ", "
                        + a.reversalAttempts() + " tried" + (a.nextReversalAt() == null ? ""
                        : ", next " + time(a.nextReversalAt())));
    }

    Map<String, Object> event(AttemptEvent e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("at", e.at().toString());
        o.put("from", e.fromState() == null ? null : e.fromState().name());
        o.put("to", e.toState().name());
        o.put("detail", e.detail());
        return o;
    }

    String eventLine(AttemptEvent e) {
        return "    " + time(e.at()) + "  " + (e.fromState() == null ? "-" : e.fromState()) + " -> " + e.toState()
                + "  " + e.detail();
    }

    /** What the host said of an attempt (status inquiry), as JSON. */
    Map<String, Object> hostView(StatusReport s) {
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

    String hostViewLine(StatusReport s) {
        StatusAnswer h = s.hostAnswer();
        if (h != null) {
            return h.state() + (h.state() == StatusAnswer.OriginalState.APPROVED ? " (a debit stands)" : "")
                    + ", original rc " + h.originalResponseCode() + ", credit " + h.credit()
                    + (h.creditDate() == null ? "" : " " + h.creditDate());
        }
        if (s.hostResponseCode() != null) {
            return "answered " + s.hostResponseCode();
        }
        return s.hostProblem() == null ? "not asked" : "not known: " + s.hostProblem();
    }

    List<Map<String, Object>> attempts(List<Attempt> list) {
        return list.stream().map(this::attempt).toList();
    }
}
