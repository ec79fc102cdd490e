package dev.tally.terminal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tally.spec.format.Masking;
import dev.tally.terminal.api.ApiJson;
import dev.tally.terminal.engine.Amounts;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.spec.message.StatusAnswer;
import dev.tally.terminal.engine.PaymentStatus;
import dev.tally.terminal.engine.ReversalLoop;
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

    /** The JSON object of a payment result (sale, reverse): the cashier API's, see {@link ApiJson}. */
    Map<String, Object> payment(PaymentResult r) {
        return ApiJson.payment(r);
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

    /** An attempt as JSON (pending, journal, status): the cashier API's, see {@link ApiJson}. */
    Map<String, Object> attempt(Attempt a) {
        return ApiJson.attempt(a);
    }

    String attemptLine(Attempt a) {
        return String.format("%-16s %-8s STAN %s  %12s  %s%s%s", a.state(), a.orderRef(), a.stanText(),
                Amounts.format(a.amount()), a.maskedPan(),
                a.responseCode() == null ? "" : "  rc " + a.responseCode(),
                a.reversalReason() == null ? "" : "  reversal reason " + a.reversalReason() + ", "
                        + a.reversalAttempts() + " tried" + (a.nextReversalAt() == null ? ""
                        : ", next " + time(ReversalLoop.toTheSecondUp(a.nextReversalAt()))));
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
        return ApiJson.hostView(s);
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
