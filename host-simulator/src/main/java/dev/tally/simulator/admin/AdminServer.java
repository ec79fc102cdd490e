package dev.tally.simulator.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tally.simulator.ledger.CardAccount;
import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.simulator.ledger.SettlementBatch;
import dev.tally.simulator.scenario.Scenario;
import dev.tally.simulator.scenario.ScenarioException;
import dev.tally.simulator.scenario.ScenarioSource;
import dev.tally.simulator.server.TrafficMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API (JSON over HTTP on the bind address, docs/simulator.md "Admin API"): health,
 * transactions with their ledger and credit state, card balances, the statement (CSV), settlement
 * batches with the differences found (reconciliation), business-day cut-over, scenario reload and metrics. Bad requests get a 4xx with {@code {"error": "..."}}.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer http;
    private final ExecutorService executor;
    private final Ledger ledger;
    private final ScenarioSource scenario;
    private final Supplier<TrafficMetrics> metrics;
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** A request the API refuses; the message says what to fix. */
    private static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private AdminServer(HttpServer http, ExecutorService executor, Ledger ledger, ScenarioSource scenario,
                        Supplier<TrafficMetrics> metrics) {
        this.http = http;
        this.executor = executor;
        this.ledger = ledger;
        this.scenario = scenario;
        this.metrics = metrics;
    }

    public static AdminServer start(String bind, int port, Ledger ledger, ScenarioSource scenario,
                                    Supplier<TrafficMetrics> metrics) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 64);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        AdminServer admin = new AdminServer(http, executor, ledger, scenario, metrics);
        http.createContext("/", admin::handle);
        http.start();
        LOG.info("admin API listening on {}", admin.uri());
        return admin;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public URI uri() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort());
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            try {
                switch (path) {
                    case "/health" -> {
                        requireMethod(method, "GET");
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("status", "UP");
                        body.put("businessDate", ledger.businessDate().toString());
                        body.put("scenario", scenario.current().source());
                        body.put("rules", scenario.current().rules().size());
                        body.put("schemaVersion", ledger.schemaVersion());
                        sendJson(ex, 200, body);
                    }
                    case "/transactions" -> {
                        requireMethod(method, "GET");
                        Ledger.Filter f = Ledger.Filter.all().terminal(q.get("terminal")).order(q.get("order"))
                                .merchant(q.get("merchant"));
                        if (q.containsKey("stan")) {
                            f = f.stan(stan(q.get("stan")));
                        }
                        List<Map<String, Object>> txns = ledger.transactions(f).stream().map(AdminServer::toJson).toList();
                        sendJson(ex, 200, Map.of("transactions", txns));
                    }
                    case "/cards" -> {
                        requireMethod(method, "GET");
                        List<Map<String, Object>> cards = ledger.cards().stream().map(AdminServer::toJson).toList();
                        sendJson(ex, 200, Map.of("cards", cards));
                    }
                    case "/statement" -> {
                        requireMethod(method, "GET");
                        LocalDate date = q.containsKey("date") ? date(q.get("date")) : ledger.businessDate();
                        byte[] csv = StatementCsv.render(ledger.statement(q.get("merchant"), date)).getBytes(StandardCharsets.UTF_8);
                        ex.getResponseHeaders().set("Content-Type", "text/csv; charset=utf-8");
                        ex.sendResponseHeaders(200, csv.length);
                        try (OutputStream out = ex.getResponseBody()) {
                            out.write(csv);
                        }
                    }
                    case "/settlements" -> {
                        requireMethod(method, "GET");
                        List<Map<String, Object>> batches = ledger.batches(q.get("terminal")).stream()
                                .map(AdminServer::toJson).toList();
                        sendJson(ex, 200, Map.of("settlements", batches));
                    }
                    case "/cutover" -> {
                        requireMethod(method, "POST");
                        sendJson(ex, 200, Map.of("businessDate", ledger.cutover().toString()));
                    }
                    case "/scenario/reload" -> {
                        requireMethod(method, "POST");
                        try {
                            Scenario s = scenario.reload();
                            sendJson(ex, 200, Map.of("rules", s.rules().size(), "source", s.source()));
                        } catch (ScenarioException e) {
                            throw new BadRequest(422, e.getMessage() + " (the rules in force are unchanged)");
                        }
                    }
                    case "/metrics" -> {
                        requireMethod(method, "GET");
                        sendJson(ex, 200, metrics.get().snapshot());
                    }
                    case "/metrics/reset" -> {
                        requireMethod(method, "POST");
                        sendJson(ex, 200, metrics.get().reset());
                    }
                    default -> throw new BadRequest(404, "no such endpoint " + path
                            + "; try /health, /transactions, /cards, /statement, /settlements, /metrics, POST /cutover, POST /scenario/reload, POST /metrics/reset");
                }
            } catch (BadRequest e) {
                sendJson(ex, e.status, Map.of("error", e.getMessage()));
            } catch (RuntimeException e) {
                LOG.error("admin {} {} failed", method, path, e);
                sendJson(ex, 500, Map.of("error", "the simulator failed to answer: " + e.getMessage()));
            }
        }
    }

    private static Map<String, Object> toJson(LedgerTransaction t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("terminalId", t.terminalId());
        m.put("merchantId", t.merchantId());
        m.put("stan", t.stan());
        m.put("transmissionTime", t.transmissionTime());
        m.put("orderRef", t.orderRef());
        m.put("mti", t.mti());
        m.put("amount", t.amount());
        m.put("currency", t.currency());
        m.put("maskedPan", t.maskedPan());
        m.put("responseCode", t.responseCode());
        m.put("state", t.state().name());
        m.put("debitStanding", t.debitStanding());
        m.put("reversalCount", t.reversalCount());
        m.put("arrivedAfterReversal", t.arrivedAfterReversal());
        m.put("creditState", t.creditState().name());
        m.put("creditDate", t.creditDate() == null ? null : t.creditDate().toString());
        m.put("rrn", t.rrn());
        m.put("authCode", t.authCode());
        m.put("businessDate", t.businessDate().toString());
        m.put("cardId", t.cardId());
        return m;
    }

    private static Map<String, Object> toJson(SettlementBatch b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("terminalId", b.terminalId());
        m.put("merchantId", b.merchantId());
        m.put("batchNumber", b.batchNumber());
        m.put("status", b.status());
        m.put("terminalTotals", b.terminalTotals());
        m.put("hostTotals", b.hostTotals());
        m.put("uploads", b.uploads());
        m.put("differences", b.differences());
        m.put("businessDate", b.businessDate().toString());
        m.put("openedAt", b.openedAt().toString());
        m.put("closedAt", b.closedAt() == null ? null : b.closedAt().toString());
        return m;
    }

    private static Map<String, Object> toJson(CardAccount c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("maskedPan", c.maskedPan());
        m.put("balance", c.balance());
        m.put("currency", c.currency());
        return m;
    }

    private static void requireMethod(String actual, String expected) {
        if (!actual.equalsIgnoreCase(expected)) {
            throw new BadRequest(405, "use " + expected + " for this endpoint, not " + actual);
        }
    }

    private static int stan(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > 999_999) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "stan must be a number from 1 to 999999, got '" + v + "'");
        }
    }

    private static LocalDate date(String v) {
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw new BadRequest(400, "date must be YYYY-MM-DD, got '" + v + "'");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!v.isEmpty()) {
                q.put(k, v);
            }
        }
        return q;
    }

    private void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
