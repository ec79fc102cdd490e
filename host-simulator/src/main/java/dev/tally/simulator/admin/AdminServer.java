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
import dev.tally.spec.format.Masking;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API (JSON over HTTP on the bind address, docs/simulator.md "Admin API"): health,
 * transactions with their ledger and credit state, card balances, the statement (CSV), settlement
 * batches with the differences found (reconciliation), business-day cut-over, scenario reload and metrics. Bad requests get a 4xx with {@code {"error": "..."}}
 * (card numbers in it masked) and change nothing: a query parameter the endpoint does not read, an empty or repeated
 * one, and a request body (no endpoint reads one) are refused before the endpoint acts; so is a request from a web
 * browser ({@link #refuseBrowsers}: an Origin header, or on loopback a Host that is not loopback), 403.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer http;
    private final ExecutorService executor;
    private final Ledger ledger;
    private final ScenarioSource scenario;
    private final Supplier<TrafficMetrics> metrics;
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private final Map<String, Endpoint> endpoints;

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
        this.endpoints = endpoints();
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

    /** What an endpoint does once its request has passed the checks of {@link #handle}. */
    @FunctionalInterface
    private interface Answer {
        void send(HttpExchange ex, Map<String, String> query) throws IOException;
    }

    /**
     * One endpoint: its method, the query parameters it reads (docs/simulator.md §5) and what it does. Anything
     * else in the request is refused before it acts: a misspelt filter ({@code orderRef=}) must not widen a read
     * to every row, and an option a POST does not have ({@code /cutover?dryRun=true}) must not run it for real.
     */
    private record Endpoint(String method, List<String> parameters, Answer answer) {
        String describe(String path) {
            return method + " " + path + (parameters.isEmpty() ? "" : "?" + String.join("=&", parameters) + "=");
        }
    }

    private Map<String, Endpoint> endpoints() {
        Map<String, Endpoint> e = new LinkedHashMap<>();
        e.put("/health", new Endpoint("GET", List.of(), (ex, q) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "UP");
            body.put("businessDate", ledger.businessDate().toString());
            body.put("scenario", scenario.current().source());
            body.put("rules", scenario.current().rules().size());
            body.put("schemaVersion", ledger.schemaVersion());
            sendJson(ex, 200, body);
        }));
        e.put("/transactions", new Endpoint("GET", List.of("terminal", "order", "stan", "merchant"), (ex, q) -> {
            Ledger.Filter f = Ledger.Filter.all().terminal(q.get("terminal")).order(q.get("order"))
                    .merchant(q.get("merchant"));
            if (q.containsKey("stan")) {
                f = f.stan(stan(q.get("stan")));
            }
            List<Map<String, Object>> txns = ledger.transactions(f).stream().map(AdminServer::toJson).toList();
            sendJson(ex, 200, Map.of("transactions", txns));
        }));
        e.put("/cards", new Endpoint("GET", List.of(), (ex, q) -> {
            List<Map<String, Object>> cards = ledger.cards().stream().map(AdminServer::toJson).toList();
            sendJson(ex, 200, Map.of("cards", cards));
        }));
        e.put("/statement", new Endpoint("GET", List.of("merchant", "date"), (ex, q) -> {
            LocalDate date = q.containsKey("date") ? date(q.get("date")) : ledger.businessDate();
            byte[] csv = StatementCsv.render(ledger.statement(q.get("merchant"), date)).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/csv; charset=utf-8");
            ex.sendResponseHeaders(200, csv.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(csv);
            }
        }));
        e.put("/settlements", new Endpoint("GET", List.of("terminal"), (ex, q) -> {
            List<Map<String, Object>> batches = ledger.batches(q.get("terminal")).stream()
                    .map(AdminServer::toJson).toList();
            sendJson(ex, 200, Map.of("settlements", batches));
        }));
        e.put("/metrics", new Endpoint("GET", List.of(), (ex, q) -> sendJson(ex, 200, metrics.get().snapshot())));
        e.put("/cutover", new Endpoint("POST", List.of(),
                (ex, q) -> sendJson(ex, 200, Map.of("businessDate", ledger.cutover().toString()))));
        e.put("/scenario/reload", new Endpoint("POST", List.of(), (ex, q) -> {
            try {
                Scenario s = scenario.reload();
                sendJson(ex, 200, Map.of("rules", s.rules().size(), "source", s.source()));
            } catch (ScenarioException se) {
                throw new BadRequest(422, se.getMessage() + " (the rules in force are unchanged)");
            }
        }));
        e.put("/metrics/reset", new Endpoint("POST", List.of(), (ex, q) -> sendJson(ex, 200, metrics.get().reset())));
        return Collections.unmodifiableMap(e);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            try {
                refuseBrowsers(ex);
                Endpoint endpoint = endpoints.get(path);
                if (endpoint == null) {
                    throw new BadRequest(404, "no such endpoint " + path + "; try " + String.join(", ",
                            endpoints.entrySet().stream().map(en -> en.getValue().describe(en.getKey())).toList()));
                }
                requireMethod(method, endpoint.method());
                String name = endpoint.method() + " " + path;
                Map<String, String> q = query(name, endpoint.parameters(), ex.getRequestURI().getRawQuery());
                requireNoBody(ex, name);
                endpoint.answer().send(ex, q);
            } catch (BadRequest e) {
                sendError(ex, e.status, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("admin {} {} failed", method, path, e);
                sendError(ex, 500, "the simulator failed to answer: " + e.getMessage());
            }
        }
    }

    /**
     * The API has no authentication (a lab tool on loopback, docs/simulator.md §5), so a web page open in a browser on
     * the same machine must not reach it: refused (403, nothing done, before the endpoint is even looked up) are
     * <ul>
     * <li>a request with an {@code Origin} header: a browser sends one with every cross-origin request and every POST,
     * so a page's form or fetch could otherwise cut over the business day, reload the scenario or reset the metrics.
     * curl, scripts and the terminal's own client ({@code tally reconcile --from-host}) send none;</li>
     * <li>when the API listens on a loopback address (the default), a {@code Host} that is no loopback name or address
     * ({@code localhost}, {@code 127.x.x.x}, {@code [::1]}, each with a port or not): a page whose name was made to
     * resolve to 127.0.0.1 (DNS rebinding) is same-origin to itself, sends no Origin on a GET, and could read
     * {@code /transactions}, but its requests still name its own host. No DNS lookup is made. A request without a Host
     * (HTTP/1.0) is no browser's. Bound to another address, the names a lab reaches it by are not known here.</li>
     * </ul>
     */
    private void refuseBrowsers(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null) {
            LOG.warn("admin API: refused {} {} from a web page (Origin: {})", ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath(), origin);
            throw new BadRequest(403, "the admin API does not answer web pages: this request carries an Origin header ("
                    + origin + "), which browsers send and curl, scripts and tally do not; a page open in a browser"
                    + " must not cut over the business day or read the transactions. Send it from curl or a script,"
                    + " without an Origin header (nothing was done)");
        }
        if (!http.getAddress().getAddress().isLoopbackAddress()) {
            return;
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host != null && !isLoopbackHost(host)) {
            LOG.warn("admin API: refused {} {} for Host {} (it listens on loopback only)", ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath(), host);
            throw new BadRequest(403, "the admin API listens on a loopback address and answers only requests for a"
                    + " loopback host (localhost, 127.0.0.1, [::1]), not for '" + host + "': a web page whose name was"
                    + " made to point at this machine (DNS rebinding) must not read it. Use http://"
                    + uri().getRawAuthority() + " (nothing was done)");
        }
    }

    /** An IPv4 address in dotted decimal, each part 0 to 255 checked apart. */
    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /**
     * Whether a Host header names this machine's loopback: {@code localhost} (a trailing dot taken), an address of
     * 127.0.0.0/8, or {@code [::1]} (any spelling of it), with an optional port. Read as text, never resolved.
     */
    static boolean isLoopbackHost(String header) {
        String h = header.strip();
        String name;
        String port;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return false;
            }
            name = h.substring(1, close);
            port = h.substring(close + 1);
            if (!name.matches("[0-9A-Fa-f:]+")) {
                return false;
            }
        } else {
            int colon = h.indexOf(':');
            name = colon < 0 ? h : h.substring(0, colon);
            port = colon < 0 ? "" : h.substring(colon);
        }
        if (!port.isEmpty() && !port.matches(":\\d{1,5}")) {
            return false;
        }
        if (h.startsWith("[")) {
            try {
                // in brackets, only an IPv6 literal: "[cafe]" (hex digits, no colon) would be looked up as a name
                return InetAddress.getByName("[" + name + "]").isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        if (name.equalsIgnoreCase("localhost") || name.equalsIgnoreCase("localhost.")) {
            return true;
        }
        java.util.regex.Matcher m = IPV4.matcher(name);
        if (!m.matches() || !m.group(1).equals("127")) {
            return false;
        }
        for (int i = 2; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
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
        // to the millisecond, as the cashier API writes times (a parser before Python 3.11 refuses nine fraction digits)
        m.put("openedAt", b.openedAt().truncatedTo(ChronoUnit.MILLIS).toString());
        m.put("closedAt", b.closedAt() == null ? null : b.closedAt().truncatedTo(ChronoUnit.MILLIS).toString());
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

    /**
     * The query parameters of a request to {@code endpoint} ({@code GET /transactions}) that reads {@code allowed}. A key
     * the endpoint does not read, an empty value and a repeated key are refused, naming the key: ignoring one would
     * answer something else than was asked. An endpoint without parameters refuses any query string.
     */
    private static Map<String, String> query(String endpoint, List<String> allowed, String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty()) {
                continue; // "?a=1&" from a script that joins parameters: an empty segment names nothing
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!allowed.contains(k)) {
                throw new BadRequest(400, allowed.isEmpty()
                        ? endpoint + " takes no query parameters, got '" + k + "'; send it without '?...' (nothing was done)"
                        : "unknown query parameter '" + k + "' for " + endpoint + "; the allowed ones are "
                          + String.join(", ", allowed) + " (nothing was done)");
            }
            if (q.containsKey(k)) {
                throw new BadRequest(400, "query parameter '" + k + "' is given more than once; give it once ("
                        + endpoint + ")");
            }
            if (v.isEmpty()) {
                throw new BadRequest(400, "query parameter '" + k + "' is empty; give it a value or leave it out ("
                        + endpoint + ")");
            }
            q.put(k, v);
        }
        if (allowed.isEmpty()) { // only empty segments: "?&"
            throw new BadRequest(400, endpoint + " takes no query string, got '?" + raw + "'; send it without '?...' (nothing was done)");
        }
        return q;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // the JDK's server refuses a broken %-escape before the handler; kept so one can never become a 500
            throw new BadRequest(400, "the query is not valid URL encoding: " + e.getMessage() + "; write % as %25");
        }
    }

    /**
     * No endpoint reads a request body (docs/simulator.md §5): one sent anyway, say {@code {"dryRun": true}} to
     * {@code POST /cutover}, would be ignored while the endpoint acts, so it is refused before anything is done.
     */
    private static void requireNoBody(HttpExchange ex, String endpoint) throws IOException {
        if (ex.getRequestBody().read() >= 0) {
            throw new BadRequest(400, endpoint + " takes no request body; send it with an empty body (nothing was done)");
        }
    }

    private void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Every error the API answers goes out here, scrubbed as a command line's errors are: a message may quote what it
     * was sent (a query value, a line of a scenario file as Jackson's "Unrecognized token"), and a card number in it
     * must not come back whole, nor a key or PIN block pasted into it (any 8 or more bytes written as hex).
     */
    private void sendError(HttpExchange ex, int status, String message) throws IOException {
        sendJson(ex, status, Map.of("error", Masking.scrubCommandLine(message, Set.of())));
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
