package dev.tally.terminal.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tally.spec.format.Masking;
import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.engine.OperatorClose;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.PaymentStatus;
import dev.tally.terminal.engine.ReversalLoop;
import dev.tally.terminal.engine.StatusReport;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.journal.JournalException;
import dev.tally.terminal.reconcile.Reconciler;
import dev.tally.terminal.reconcile.StatementFormatException;
import dev.tally.terminal.reconcile.ReconciliationFormat;
import dev.tally.terminal.settlement.SettlementResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cashier API (docs/cashier-api.md): JSON over HTTP on 127.0.0.1 only, every request with
 * {@code Authorization: Bearer TOKEN}, one virtual thread per request. Everything a request asks is
 * checked before anything is done: a bad request is a 4xx with a JSON error naming the problem, and
 * nothing is journaled or sent.
 */
public final class CashierApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CashierApi.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int MAX_BODY = 16 * 1024;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ApiToken token;
    /**
     * The operator's token: only it may close a failed reversal ({@code POST /v1/payments/{orderId}/close}), which
     * unlocks an order on the acquirer's word; the cashier system's token cannot. Null: no one can close through the API.
     */
    private volatile ApiToken operatorToken;
    private final PaymentDesk desk;
    private final CardReader reader;
    private final Reconciler reconciler;
    private final String statementUrl;
    private final String currency;
    private final Clock clock;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger clientsGone = new AtomicInteger();
    private volatile boolean accepting = true;
    /** Set when the stop's grace ran out and it closes every connection itself: an answer lost then is the terminal's. */
    private volatile boolean cutOff;

    /**
     * @param statementUrl the acquirer's admin URL for {@code GET /v1/reconciliation}, or null
     */
    public CashierApi(int port, ApiToken token, PaymentDesk desk, CardReader reader, Reconciler reconciler,
                      String statementUrl, String currency, Clock clock) throws IOException {
        this.token = token;
        this.desk = desk;
        this.reader = reader;
        this.reconciler = reconciler;
        this.statementUrl = statementUrl;
        this.currency = currency;
        this.clock = clock;
        // loopback only, whatever the machine's interfaces: the API is for the cashier system on this host
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (java.net.BindException e) {
            throw portTaken(port, e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Seconds a client has to send a request, and connections held at once (see {@link #limitConnections}). */
    static final int REQUEST_SECONDS = 10;
    static final int MAX_CONNECTIONS = 256;

    static {
        // the JDK server reads its settings once, when its first server is made: set here, before this class can make
        // one (tally serve, and the tests that start an API of their own, touch this class before any server exists)
        limitConnections();
    }

    /**
     * The JDK server's limits, which it reads once, when its first server is made: without them a request could take
     * forever to arrive (a peer sending a byte every few seconds held its connection for good) and connections had no
     * cap, so any local process, without the token, could hold thousands: the API stopped answering, and the terminal
     * could no longer open a socket to its acquirer (too many open files). Now a request (its head, and its body until
     * read: every endpoint reads it before its work) must arrive within {@value #REQUEST_SECONDS} s, checked every
     * second; the time a payment takes to answer is not counted. At most {@value #MAX_CONNECTIONS} connections are held
     * ({@code jdk.httpserver.maxConnections}; more are closed at once), and the idle sweep runs every second, so a
     * connection that sends nothing is closed after {@value #REQUEST_SECONDS} s too.
     *
     * <p>And every answer goes out at once ({@code sun.net.httpserver.nodelay}: TCP_NODELAY on each connection). The
     * JDK leaves Nagle's algorithm on, and {@link #send} writes an answer's head and body apart: on a kept-alive
     * connection the body then waited for the client's delayed ACK of the head (measured, 50 GET /health on one
     * connection to tally serve: 44 ms a request without it, about 1 ms with it).
     *
     * <p>A {@code -D} on the command line ({@code TALLY_JAVA_OPTS}) wins.
     */
    static void limitConnections() {
        System.setProperty("sun.net.httpserver.maxReqTime",
                System.getProperty("sun.net.httpserver.maxReqTime", String.valueOf(REQUEST_SECONDS)));
        System.setProperty("sun.net.httpserver.clockTick", System.getProperty("sun.net.httpserver.clockTick", "1000"));
        System.setProperty("jdk.httpserver.maxConnections",
                System.getProperty("jdk.httpserver.maxConnections", String.valueOf(MAX_CONNECTIONS)));
        System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
    }

    /**
     * Refuses, before anything is opened or made, an API port that another program listens on (checked by binding it
     * once; the API binds it again when it starts, so a port taken in between is still refused then).
     */
    public static void checkPortFree(int port) throws IOException {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (java.net.BindException e) {
            throw portTaken(port, e);
        }
    }

    private static IllegalArgumentException portTaken(int port, java.net.BindException e) {
        return new IllegalArgumentException("cannot serve the cashier API on 127.0.0.1:" + port + ": " + e.getMessage()
                + " (another tally serve, or another program, listens there); choose a free port with --api-port"
                + " (0 = any free port)", e);
    }

    public CashierApi start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /**
     * Requests being carried out right now: past the checks (a stop under way, the token, ...), so each is answered
     * for itself whatever happens next, a stop included (which waits for them).
     */
    public int activeRequests() {
        return admitted.get();
    }

    /** Answers that could not be written since the start, their client gone ({@link #clientGone}). */
    public int clientsGone() {
        return clientsGone.get();
    }

    // ------------------------------------------------------------------ dispatch

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            Reply reply;
            boolean authorised = false;
            try {
                String twice = givenTwice(ex.getRequestHeaders());
                String authorization = ex.getRequestHeaders().getFirst("Authorization");
                ApiToken operator = operatorToken;
                boolean asOperator = twice == null && operator != null && operator.accepts(authorization);
                authorised = twice == null && (token.accepts(authorization) || asOperator);
                if (!accepting) {
                    reply = error(503, "SHUTTING_DOWN", null, "the terminal is shutting down; nothing was done, retry later");
                } else if (twice != null) {
                    reply = error(400, "DUPLICATE_HEADER", twice, "header '" + twice + "' is given more than once; which"
                            + " one is meant cannot be told: send it once; nothing was done");
                } else if (!authorised) {
                    reply = error(401, "UNAUTHORIZED", null, "missing or wrong bearer token: send 'Authorization: Bearer TOKEN'"
                            + " with the token from the terminal's API token file; nothing was done");
                    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tally\"");
                } else {
                    admitted.incrementAndGet();
                    try {
                        reply = route(ex, asOperator);
                    } finally {
                        admitted.decrementAndGet();
                    }
                }
            } catch (ApiProblem p) {
                reply = error(p.status, p.code, p.field, p.getMessage());
                if (p.allow != null) {
                    ex.getResponseHeaders().set("Allow", p.allow); // a 405 names what is (RFC 9110 §15.5.6)
                }
            } catch (HostUnavailableException e) {
                reply = error(503, "HOST_UNAVAILABLE", null, e.getMessage() + (e.sent() ? "" : "; nothing was sent for this request"));
            } catch (JournalException e) {
                log.error("journal: {}", e.toString(), e);
                reply = error(500, "JOURNAL", null, "journal: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                reply = error(400, "BAD_REQUEST", null, e.getMessage());
            } catch (RuntimeException e) {
                log.error("internal error: {}", e.toString(), e);
                // the Java exception is for the log; the till is told what it can do about it
                reply = error(500, "INTERNAL", null, "internal error in the terminal (its log has the details):"
                        + " whether this request was carried out is not known; GET /v1/payments/{orderId} says what"
                        + " became of an order, and sending the same payment again is safe (payments are idempotent by"
                        + " order id)");
            }
            try {
                send(ex, reply);
            } catch (IOException e) {
                clientGone(ex, reply, e, authorised, cutOff);
                clientsGone.incrementAndGet();
                throw e; // the JDK server then closes the connection and forgets it (else it kept one of its slots)
            }
        } finally {
            if (requests.decrementAndGet() == 0) {
                synchronized (requests) {
                    requests.notifyAll();
                }
            }
        }
    }

    private record Reply(int status, Map<String, Object> body, Long retryAfterSeconds) {
    }

    /**
     * Headers that decide who is asking, what the body means and which site it is for. Given twice, the JDK server hands
     * the first to whoever asks, while a proxy or an audit log may read the last (or both): the till could be charged
     * under a token, or with a body type, other than the one a reviewer sees. RFC 9110 §5.3 allows a repeated field only
     * where its values form a list; none of these is one (RFC 9112 §3.2: a second Host is a 400). Where the body ends
     * never reaches the API ambiguous: the JDK server answers Content-Length twice or beside Transfer-Encoding 400, and
     * Transfer-Encoding twice 501, itself.
     */
    private static final List<String> SINGLE = List.of("Authorization", "Content-Type", "Host");

    /** The first of {@link #SINGLE} the request gives more than once, or null. */
    private static String givenTwice(com.sun.net.httpserver.Headers headers) {
        for (String name : SINGLE) {
            List<String> values = headers.get(name); // the JDK's Headers match names case-insensitively
            if (values != null && values.size() > 1) {
                return name;
            }
        }
        return null;
    }

    private Reply route(HttpExchange ex, boolean asOperator) throws IOException {
        String method = ex.getRequestMethod();
        if (!method.equals("POST")) {
            // a GET's body (some clients send {} with every request) is read and set aside now: the JDK counts a request
            // as arriving until its body is read, so one left unread was cut off after REQUEST_SECONDS mid-answer
            try (InputStream in = ex.getRequestBody()) {
                in.readNBytes(MAX_BODY + 1);
            }
        }
        List<String> path = segments(ex.getRequestURI().getRawPath());
        String rawQuery = ex.getRequestURI().getRawQuery();
        // only /v1/reconciliation takes a parameter; anything else in a query is a mistake said as such (a
        // misspelt ?date= reconciled today without a word)
        if (!(path.equals(List.of("v1", "reconciliation")))) {
            query(rawQuery, Set.of());
        }
        if (path.equals(List.of("health"))) {
            return only(method, "GET", () -> health());
        }
        if (path.size() >= 2 && path.get(0).equals("v1")) {
            String what = path.get(1);
            if (what.equals("payments") && path.size() == 2) {
                return only(method, "POST", () -> pay(PaymentRequest.parse(readBody(ex), currency)));
            }
            if (what.equals("payments") && path.size() == 3) {
                return only(method, "GET", () -> status(orderInPath(path.get(2))));
            }
            if (what.equals("payments") && path.size() == 4 && path.get(3).equals("cancel")) {
                return only(method, "POST", () -> {
                    noBody(ex, "POST /v1/payments/{orderId}/cancel");
                    return cancel(orderInPath(path.get(2)));
                });
            }
            if (what.equals("payments") && path.size() == 4 && path.get(3).equals("close")) {
                return only(method, "POST", () -> {
                    String order = orderInPath(path.get(2));
                    if (!asOperator) {
                        // unlocking an order on the acquirer's word is the operator's step, not the cashier system's
                        throw new ApiProblem(403, "OPERATOR_ONLY", null, "closing a failed reversal is the operator's"
                                + " step: it takes the operator token, not the cashier system's; nothing was done");
                    }
                    return close(order, CloseRequest.parse(readBody(ex)));
                });
            }
            if (what.equals("pending") && path.size() == 2) {
                return only(method, "GET", this::pending);
            }
            if (what.equals("settlement") && path.size() == 2) {
                return only(method, "POST", () -> {
                    noBody(ex, "POST /v1/settlement");
                    return settle();
                });
            }
            if (what.equals("reconciliation") && path.size() == 2) {
                return only(method, "GET", () -> reconciliation(query(rawQuery, Set.of("date")).get("date")));
            }
        }
        throw new ApiProblem(404, "NOT_FOUND", null, "no such endpoint: " + method + " " + ex.getRequestURI().getRawPath()
                + "; see docs/cashier-api.md (POST /v1/payments, GET /v1/payments/{orderId}, POST /v1/payments/{orderId}/cancel,"
                + " POST /v1/payments/{orderId}/close, GET /v1/pending, POST /v1/settlement, GET /v1/reconciliation?date=, GET /health)");
    }

    private interface Handler {
        Reply run() throws IOException;
    }

    private static Reply only(String method, String allowed, Handler h) throws IOException {
        if (!method.equals(allowed)) {
            throw new ApiProblem(405, "METHOD_NOT_ALLOWED", null, method + " is not allowed here; use " + allowed)
                    .allowing(allowed);
        }
        return h.run();
    }

    // ------------------------------------------------------------------ endpoints

    private Reply health() {
        Map<String, Object> o = new LinkedHashMap<>();
        var engine = desk.engine();
        // DEGRADED while the keep-alive finds the acquirer out of reach (not merely an idle connection closed): a
        // monitor reading the status sees it. Still HTTP 200: the terminal itself is fine, and restarting it would not
        // bring the acquirer back
        // and DEGRADED while the journal cannot write (a full disk): every payment fails then (500 JOURNAL), though the
        // acquirer is up. Cleared by the next change the journal commits. HTTP 200 all the same: restarting would not free
        // the disk (and a journal that cannot be written may not even open again)
        var trouble = engine.journal().writeTrouble();
        o.put("status", hostDown.getAsBoolean() || trouble.isPresent() ? "DEGRADED" : "UP");
        o.put("host", Map.of("connected", hostConnected()));
        Map<String, Object> journal = new LinkedHashMap<>();
        journal.put("writable", trouble.isEmpty());
        trouble.ifPresent(t -> {
            journal.put("problem", "cannot write: " + Masking.scrub(t.reason()));
            journal.put("since", ApiJson.time(t.since()));
            journal.put("lastFailure", ApiJson.time(t.last()));
        });
        o.put("journal", journal);
        o.put("inFlight", desk.inFlight());
        o.put("pending", engine.pending().size());
        o.put("openBatch", String.format("%06d", engine.journal().batches().openBatch(terminalId())));
        return new Reply(200, o, null);
    }

    private boolean hostConnected() {
        return connected.getAsBoolean();
    }

    private java.util.function.BooleanSupplier connected = () -> false;
    private java.util.function.BooleanSupplier hostDown = () -> false;
    private String terminalId = "";

    /** What /health reports of the host link (its socket; out of reach per the keep-alive), and the terminal id. */
    public CashierApi describe(java.util.function.BooleanSupplier hostConnected, java.util.function.BooleanSupplier down,
                               String terminal) {
        this.connected = hostConnected;
        this.hostDown = down;
        this.terminalId = terminal;
        return this;
    }

    private String terminalId() {
        return terminalId;
    }

    private Reply pay(PaymentRequest req) {
        if (req.card() != null) {
            try {
                reader.read(req.card());
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("UNKNOWN_CARD", "card", e.getMessage());
            }
        }
        PaymentDesk.Outcome o = desk.pay(req.orderId(), req.amount(), req.card());
        return paymentReply(o.result(), o.replayed());
    }

    private Reply status(String orderId) {
        StatusReport s = desk.engine().status(orderId);
        if (s.attempt() == null) {
            throw new ApiProblem(404, "UNKNOWN_ORDER", "orderId", "order " + orderId + " is not in this terminal's journal");
        }
        PaymentResult r = desk.engine().result(s.attempt());
        Map<String, Object> o = ApiJson.payment(r);
        o.put("host", ApiJson.hostView(s));
        return new Reply(200, o, r.status() == PaymentStatus.IN_PROGRESS ? retryAfterSeconds(r) : null);
    }

    private Reply cancel(String orderId) {
        if (desk.engine().journal().lastAttempt(orderId).isEmpty()) {
            throw new ApiProblem(404, "UNKNOWN_ORDER", "orderId", "order " + orderId + " is not in this terminal's journal");
        }
        PaymentDesk.Outcome o;
        try {
            o = desk.cancel(orderId);
        } catch (HostUnavailableException e) {
            // "nothing was sent" alone read as "the cancel failed, so the payment is gone": it is the other way round for
            // an approved one. A reversal already pending (a sale that timed out) is no approval: its state says why
            String stands = desk.engine().journal().liveAttempt(orderId)
                    .filter(a -> a.state() != AttemptState.APPROVED)
                    .map(a -> ": " + desk.engine().result(a).message() + " ")
                    .orElse(", an approved payment still stands ");
            throw new ApiProblem(503, "HOST_UNAVAILABLE", null, e.getMessage() + "; nothing was sent and nothing changed:"
                    + " the order is as it was" + stands + "(GET /v1/payments/" + orderId
                    + " says its state); cancel again once the acquirer can be reached");
        }
        return paymentReply(o.result(), false);
    }

    /** Who may close a failed reversal through the API ({@link #operatorToken}). */
    public CashierApi operatorToken(ApiToken operator) {
        this.operatorToken = operator;
        return this;
    }

    /** 200 CLOSED, or 409 REFUSED (nothing changed: the host contradicts it, or the order has no failed reversal). */
    private Reply close(String orderId, OperatorClose close) {
        if (desk.engine().journal().lastAttempt(orderId).isEmpty()) {
            throw new ApiProblem(404, "UNKNOWN_ORDER", "orderId", "order " + orderId + " is not in this terminal's journal");
        }
        OperatorClose.Result r;
        try {
            r = desk.close(orderId, close);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_CLOSE", null, e.getMessage());
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("status", r.closed() ? "CLOSED" : "REFUSED");
        o.put("message", r.message());
        if (r.attempt() != null) {
            o.put("payment", ApiJson.payment(desk.engine().result(r.attempt())));
        }
        if (r.host() != null) {
            o.put("host", ApiJson.hostView(r.host()));
        }
        return new Reply(r.closed() ? 200 : 409, o, null);
    }

    private Reply pending() {
        var list = desk.engine().pending();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("status", list.isEmpty() ? "OK" : "PENDING");
        o.put("count", list.size());
        o.put("pending", rows(list));
        return new Reply(200, o, null);
    }

    /**
     * Attempts as the API shows them, with the time serve's background loop tries a REVERSAL_FAILED attempt of its own
     * again as its {@code nextReversalAt} (GET /v1/payments says the same in retryAfter).
     */
    private List<Map<String, Object>> rows(List<Attempt> list) {
        List<Map<String, Object>> rows = new ArrayList<>();
        ReversalLoop loop = desk.engine().reversals();
        for (Attempt a : list) {
            Map<String, Object> row = ApiJson.attempt(a);
            // never a time gone by: the journal's next-try time stays put while that try is out or the host is out of reach
            loop.nextTryShown(a).ifPresent(at -> row.put("nextReversalAt", ApiJson.time(at)));
            rows.add(row);
        }
        return rows;
    }

    private Reply settle() {
        SettlementResult r = desk.settle();
        int next = desk.engine().journal().batches().openBatch(terminalId());
        Map<String, Object> o = ApiJson.settlement(r, next);
        o.put("excluded", rows(r.excluded()));
        return new Reply(r.closed() ? 200 : 502, o, null);
    }

    private Reply reconciliation(String date) {
        java.time.LocalDate d;
        try {
            d = Reconciler.date(date);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_DATE", "date", e.getMessage());
        }
        if (statementUrl == null) {
            throw new ApiProblem(503, "NO_STATEMENT_SOURCE", null, "this terminal does not know where the acquirer's"
                    + " statement is: start 'tally serve' with --from-host ADMIN_URL");
        }
        try {
            return new Reply(200, ReconciliationFormat.json(reconciler.fromHost(statementUrl, d)), null);
        } catch (StatementFormatException e) {
            // the acquirer's fault, not the cashier's request
            throw new ApiProblem(502, "BAD_STATEMENT", null, "the acquirer's statement cannot be read: " + e.getMessage());
        }
    }

    /**
     * The Retry-After header's seconds: whole seconds until {@code retryAfter}, rounded up (a client told 2 s when 2.9
     * remain would come back early), at least 1; null when there is no retry time.
     */
    static Long retryAfterSeconds(java.time.Instant now, java.time.Instant retryAfter) {
        if (retryAfter == null) {
            return null;
        }
        long millis = Duration.between(now, retryAfter).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    /** {@link #retryAfterSeconds(java.time.Instant, java.time.Instant)} for the result's retry time, from now. */
    private Long retryAfterSeconds(PaymentResult r) {
        return retryAfterSeconds(clock.instant(), r.retryAfter());
    }

    private Reply paymentReply(PaymentResult r, boolean replayed) {
        Map<String, Object> o = ApiJson.payment(r);
        o.put("replayed", replayed);
        return switch (r.status()) {
            case LOCKED -> new Reply(409, o, retryAfterSeconds(r));
            case ALREADY_PAID, NOTHING_TO_REVERSE -> new Reply(409, o, null);
            default -> new Reply(200, o, null);
        };
    }

    // ------------------------------------------------------------------ input

    /**
     * An endpoint that takes no body refuses one (a client that sends something there means something else; a
     * settlement ignoring {"batch": 7} would close the open batch, whichever it is): 400, nothing done.
     */
    private static void noBody(HttpExchange ex, String endpoint) throws IOException {
        byte[] some;
        try (InputStream in = ex.getRequestBody()) {
            // the whole body, as for a payment: only its first 1 KB was looked at, so {"batch": 7} after 1 KB of spaces
            // passed for no body and the settlement closed the open batch
            some = in.readNBytes(MAX_BODY + 1);
        }
        if (some.length > MAX_BODY) {
            throw new ApiProblem(413, "BODY_TOO_LARGE", null, "the body is larger than " + MAX_BODY + " bytes; "
                    + endpoint + " takes no body (nothing, or {}); nothing was done");
        }
        String text = new String(some, StandardCharsets.UTF_8).strip();
        if (some.length > 0) {
            requireJson(ex); // a body of any kind, {} too, is JSON or refused (415), as on every endpoint
        }
        // nothing, or an empty JSON object (what some HTTP clients send with every POST)
        if (!text.isEmpty() && !text.replaceAll("\\s", "").equals("{}")) {
            throw ApiProblem.badRequest("UNEXPECTED_BODY", null, endpoint + " takes no body (nothing, or {});"
                    + " nothing was done");
        }
    }

    /**
     * 415 unless the request says its body is {@code application/json}, in UTF-8: a charset parameter other than
     * utf-8 is refused (the body is read as UTF-8, as JSON is; a Latin-1 body would be read as other text).
     */
    private static void requireJson(HttpExchange ex) {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        String[] parts = type == null ? new String[] {""} : type.split(";");
        String media = parts[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", null, "send the body as application/json"
                    + " (header 'Content-Type: application/json'), got " + (type == null ? "no Content-Type" : type)
                    + "; nothing was done");
        }
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv[0].strip().equalsIgnoreCase("charset") && kv.length == 2 && !isUtf8(kv[1].strip().replace("\"", ""))) {
                throw new ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", null, "send the body in UTF-8 (charset=utf-8, or no"
                        + " charset), got " + Masking.scrub(parts[i].strip()) + "; nothing was done");
            }
        }
    }

    /** Whether a charset name is UTF-8's, aliases ("utf8") included. */
    static boolean isUtf8(String name) {
        try {
            return java.nio.charset.Charset.forName(name).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException unknownOrIllegal) {
            return false;
        }
    }

    private static byte[] readBody(HttpExchange ex) throws IOException {
        requireJson(ex);
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new ApiProblem(413, "BODY_TOO_LARGE", null, "the body is larger than " + MAX_BODY + " bytes");
        }
        return body;
    }

    private static String orderInPath(String raw) {
        try {
            return OrderReference.require(raw);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_ORDER_ID", "orderId", e.getMessage());
        }
    }

    /**
     * The path's segments, decoded. One that is empty ({@code //}, or a {@code /} at the end) is a 404: they were
     * skipped, so {@code /v1/payments/TS-1//cancel}, an order id {@code TS-1/} sent without encoding its slash,
     * cancelled order TS-1.
     */
    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        if (rawPath.equals("/")) {
            return out;
        }
        String[] parts = rawPath.split("/", -1);
        for (int i = 1; i < parts.length; i++) { // parts[0] is what comes before the leading '/'
            if (parts[i].isEmpty()) {
                throw new ApiProblem(404, "NOT_FOUND", null, "no such endpoint: " + Masking.scrub(rawPath)
                        + " has an empty segment ('//' or a '/' at the end); a '/' in an order id is sent as %2F");
            }
            out.add(URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The query's parameters, each one of {@code allowed}, given once, with a value; anything else is a 400. */
    private static Map<String, String> query(String raw, Set<String> allowed) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        String takes = allowed.isEmpty() ? "this endpoint takes no query parameters"
                : "this endpoint takes " + String.join(", ", new java.util.TreeSet<>(allowed));
        for (String kv : raw.split("&", -1)) {
            int eq = kv.indexOf('=');
            String key;
            String value;
            try {
                key = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("BAD_QUERY", null, "the query is not URL-encoded: " + e.getMessage());
            }
            if (!allowed.contains(key)) {
                throw ApiProblem.badRequest("UNKNOWN_PARAMETER", Masking.scrub(key), "unknown query parameter '"
                        + Masking.scrub(key) + "'; " + takes + "; nothing was done");
            }
            if (value.isEmpty()) {
                throw ApiProblem.badRequest("UNKNOWN_PARAMETER", key, "query parameter '" + key + "' has no value;"
                        + " give one or leave it out; nothing was done");
            }
            if (q.put(key, value) != null) {
                throw ApiProblem.badRequest("UNKNOWN_PARAMETER", key, "query parameter '" + key + "' is given more than"
                        + " once; nothing was done");
            }
        }
        return q;
    }

    // ------------------------------------------------------------------ output

    private static Reply error(int status, String code, String field, String message) {
        return new Reply(status, ApiJson.error(code, Masking.scrubTyped(field), Masking.scrubTyped(message)),
                status == 503 ? unavailableSeconds(code) : null);
    }

    /** Seconds a 503's Retry-After asks a client to wait before it tries again (RFC 9110 §10.2.3). */
    static final long HOST_RETRY_SECONDS = 10;
    static final long NO_STATEMENT_SOURCE_RETRY_SECONDS = 300;

    /**
     * Every 503 says when to come back, so a till's retry loop neither hammers the terminal nor gives up: the acquirer
     * out of reach (each request connects again) and a terminal stopping (a supervisor starts it again) in
     * {@value #HOST_RETRY_SECONDS} s; reconciliation without {@code --from-host} only once the operator has restarted
     * serve with it, so not soon.
     */
    static long unavailableSeconds(String code) {
        return code.equals("NO_STATEMENT_SOURCE") ? NO_STATEMENT_SOURCE_RETRY_SECONDS : HOST_RETRY_SECONDS;
    }

    private static void send(HttpExchange ex, Reply r) throws IOException {
        byte[] bytes = Masking.scrub(JSON.writeValueAsString(r.body())).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (r.retryAfterSeconds() != null) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(r.retryAfterSeconds()));
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            // no body in an answer to HEAD: announced with a length, the JDK server logged a warning per request (any
            // peer, without the token, could flood the log with them)
            ex.sendResponseHeaders(r.status(), -1);
            return;
        }
        ex.sendResponseHeaders(r.status(), bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            // the head goes out on its own first: to a client that has hung up, the kernel answers it with a reset, so
            // writing the body then fails and says so (written at once, a lone write succeeded and nobody knew)
            out.flush();
            out.write(bytes);
        }
    }

    /**
     * The client hung up before its answer (its HTTP timeout, the till closed): whatever the request did is done and
     * journaled, but the till never heard it. One line says so, with the order's outcome, so support can tell a till
     * that "got no answer" from a payment that failed; no card data (the order id is never a card number, and the
     * whole line is scrubbed besides). Only for a request that carried the token: anyone on this machine can connect,
     * ask without it and hang up, as often as they like, and a WARN each time flooded the log (debug level then).
     */
    private static void clientGone(HttpExchange ex, Reply r, IOException e, boolean authorised, boolean cutOff) {
        if (!authorised && !log.isDebugEnabled()) {
            return;
        }
        Object order = r.body().get("orderId");
        Object status = r.body().get("status");
        StringBuilder outcome = new StringBuilder();
        if (order != null) {
            outcome.append("order ").append(order).append(": ").append(status);
            for (String k : new String[] {"responseCode", "stan", "rrn", "authCode", "maskedPan", "message"}) {
                Object v = r.body().get(k);
                if (v != null) {
                    outcome.append(", ").append(k).append(' ').append(v);
                }
            }
            outcome.append("; the journal has it (GET /v1/payments/").append(order).append(" answers it)");
        } else {
            outcome.append("its answer was HTTP ").append(r.status()).append(' ').append(status)
                    .append(r.body().get("error") == null ? "" : " " + r.body().get("error"));
        }
        String line = Masking.scrub((cutOff ? "the terminal stopped (its stop's grace ran out) before its answer to "
                : "the client went away before its answer to ") + ex.getRequestMethod() + " "
                + ex.getRequestURI().getRawPath() + " (" + e.getMessage() + "); " + outcome);
        if (authorised) {
            log.warn(line);
        } else {
            log.debug(line);
        }
    }

    /**
     * Stops accepting; waits up to {@code grace} for the requests being handled. The JDK server's own stop closes the
     * listener at once and then waits for its count of exchanges, which never ends one whose answer could not be
     * written (a client that hung up, see {@link #clientGone}): after one such client, every stop waited out the whole
     * grace. So it runs beside, and the wait is for this API's own count of requests; then the JDK's stop is ended at
     * once, every connection closed.
     */
    public void stop(Duration grace) {
        accepting = false;
        Thread jdkStop = Thread.ofPlatform().name("cashier-api-stop").daemon(true)
                .start(() -> server.stop((int) Math.max(0, grace.toSeconds())));
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            synchronized (requests) {
                for (long left = grace.toNanos(); requests.get() > 0 && left > 0; left = deadline - System.nanoTime()) {
                    requests.wait(Math.max(1, left / 1_000_000));
                }
            }
            // usually the JDK's stop ends now too (its connections closed)
            jdkStop.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // one that lost count of an exchange (or waits for a request still arriving) would wait out its grace holding
        // its kept-alive connections, and a till's request on one was cut off with a reset once the executor below was
        // shut: its stop ends here, closing every connection (a till's HTTP client sees the close, connects again and
        // is refused: nothing listens)
        cutOff = requests.get() > 0;
        server.stop(0);
        executor.shutdown();
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
    }
}
