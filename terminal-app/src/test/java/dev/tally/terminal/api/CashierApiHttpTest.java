package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.terminal.StdErrTee;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cashier API's HTTP face on a real loopback socket, for what it answers before a payment engine is involved
 * (refusals, 503s): no simulator, no journal, the request written byte for byte as a client would send it.
 */
class CashierApiHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CashierApi api;
    private String token;

    @BeforeEach
    void start() throws IOException {
        token = "test-token-0123456789abcdef";
        Files.writeString(dir.resolve("token"), token + "\n");
        Files.setPosixFilePermissions(dir.resolve("token"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // no desk, no reader, no reconciler, no --from-host: every request here is answered before any of them is used
        api = new CashierApi(0, ApiToken.inFile(dir.resolve("token")), null, null, null, null, "840",
                Clock.fixed(Instant.parse("2026-11-22T10:41:07Z"), ZoneOffset.UTC)).start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** An HTTP answer as read off the socket: status, headers (names lower-cased, each value listed) and body. */
    record Answer(int status, Map<String, java.util.List<String>> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            var v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(",", v);
        }
    }

    /** One request on a connection of its own, its head written exactly as given (CRLFs added). */
    private Answer exchange(String head, String body) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()), 5_000);
            s.setSoTimeout(10_000);
            return exchange(s, head, body);
        }
    }

    private static Answer exchange(Socket s, String head, String body) throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String h = head.strip().replace("\n", "\r\n") + "\r\n";
        if (body != null && !head.toLowerCase(Locale.ROOT).contains("content-length")
                && !head.toLowerCase(Locale.ROOT).contains("transfer-encoding")) {
            h += "Content-Length: " + b.length + "\r\n";
        }
        s.getOutputStream().write((h + "\r\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        return read(s.getInputStream());
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed before the answer's head ended: " + headBytes);
            }
            headBytes.write(c);
            last4 = (last4 << 8) | c;
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, java.util.List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        k -> new java.util.ArrayList<>()).add(lines[i].substring(colon + 1).strip());
            }
        }
        var length = headers.get("content-length");
        byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length.getFirst()));
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private String auth() {
        return "Authorization: Bearer " + token;
    }

    // ------------------------------------------------------------------ refusals say what is wrong, plainly

    /** MALFORMED_JSON names what is wrong and where, not Jackson's internals (its class names reached the till). */
    @Test
    void malformedJsonSaysWhatAndWhereInPlainWords() throws IOException {
        String head = "POST /v1/payments HTTP/1.1\nHost: 127.0.0.1\n" + auth() + "\nContent-Type: application/json";
        for (String body : new String[] {"{\"orderId\": \"B-1\"}{\"orderId\": \"B-2\"}", "{\"orderId\": \"B-1\", \"amount\": ",
            "{\"orderId\": \"B-1\", \"amount\": NaN}", "{\"orderId\": \"B-1\",\n \"amount\": \"1.00\",\n \"amount\": \"2.00\"}"}) {
            Answer a = exchange(head, body);
            assertEquals(400, a.status(), a.body());
            assertEquals("MALFORMED_JSON", a.json().get("error").asText(), a.body());
            String m = a.json().get("message").asText();
            org.junit.jupiter.api.Assertions.assertTrue(m.matches(".*\\(line \\d+, column \\d+\\).*"), m);
            for (String java : new String[] {"`", "com.", "jackson", "JsonNode", "Feature", "START_", "(code"}) {
                org.junit.jupiter.api.Assertions.assertFalse(m.contains(java), m);
            }
        }
    }

    /**
     * A header that decides who asks, what the body is or where it ends, given twice, is a 400 DUPLICATE_HEADER naming
     * it, whatever the order of the values (the first used to win: a proxy or log reading the last saw another
     * request); nothing is done (no payment engine here: reaching it would be a 500), no value is echoed.
     */
    @Test
    void aHeaderThatDecidesTheRequestGivenTwiceIsRefused() throws IOException {
        String pay = "{\"orderId\": \"D-1\", \"amount\": \"1.00\"}";
        String json = "Content-Type: application/json";
        record Case(String field, String headers) { }
        for (Case c : new Case[] {
            new Case("Authorization", auth() + "\n" + auth() + "\n" + json),
            new Case("Authorization", auth() + "\nAuthorization: Bearer someone-elses-token-0123\n" + json),
            new Case("Authorization", "Authorization: Bearer someone-elses-token-0123\n" + auth() + "\n" + json),
            new Case("Authorization", "authorization: Bearer someone-elses-token-0123\n" + auth() + "\n" + json),
            new Case("Content-Type", auth() + "\n" + json + "\nContent-Type: text/plain"),
            new Case("Content-Type", auth() + "\nContent-Type: text/plain\n" + json),
            new Case("Content-Type", auth() + "\n" + json + "\n" + json),
            new Case("Host", auth() + "\n" + json + "\nHost: 127.0.0.1")}) {
            Answer a = exchange("POST /v1/payments HTTP/1.1\nHost: 127.0.0.1\n" + c.headers(), pay);
            assertEquals(400, a.status(), c + " -> " + a.body());
            assertEquals("DUPLICATE_HEADER", a.json().get("error").asText(), c + " -> " + a.body());
            assertEquals(c.field(), a.json().get("field").asText(), c + " -> " + a.body());
            org.junit.jupiter.api.Assertions.assertFalse(a.body().contains(token) || a.body().contains("someone"), a.body());
        }
        // where the body ends, given twice, is refused by the JDK server itself (its own short text/html answer)
        Answer lengths = exchange("POST /v1/payments HTTP/1.1\nHost: 127.0.0.1\n" + auth() + "\n" + json
                + "\nContent-Length: 2\nContent-Length: 40", "{}");
        assertEquals(400, lengths.status(), lengths.body());
        // a header given once is fine, and the same request with each header once is not refused for its headers
        Answer once = exchange("POST /v1/payments HTTP/1.1\nHost: 127.0.0.1\n" + auth() + "\n" + json, "{\"amount\": 1}");
        assertEquals("MISSING_FIELD", once.json().get("error").asText(), once.body());
    }

    /**
     * What docs/cashier-api.md §2 says of HEAD and of a GET's body: HEAD is a method no endpoint takes (405 with Allow,
     * no body; 401 without the token), and a GET's body is read and ignored whatever its type (not 415).
     */
    @Test
    void headIsA405WithoutABodyAndAGetsBodyIsIgnored() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("HEAD /health HTTP/1.1\r\nHost: x\r\n" + auth() + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            Answer head = read(s.getInputStream());
            assertEquals(405, head.status());
            assertEquals("GET", head.header("Allow"));
            // on the same connection, a GET is answered next: nothing of a body stood between them
            Answer after = exchange(s, "GET /v1/reconciliation HTTP/1.1\nHost: x\n" + auth(), null);
            assertEquals(503, after.status(), after.body());
        }
        Answer a = exchange("GET /v1/reconciliation HTTP/1.1\nHost: x\n" + auth() + "\nContent-Type: text/plain",
                "hello, please reconcile");
        assertEquals(503, a.status(), a.body());
        assertEquals("NO_STATEMENT_SOURCE", a.json().get("error").asText(), a.body());
    }

    /**
     * A 500 INTERNAL tells the till what it can do (ask the order's status; a repeat is safe), not the Java exception
     * (it said "internal error: java.lang.NullPointerException: Cannot invoke ..."), which goes to the log. Here the
     * failure is the missing payment engine behind GET /health.
     */
    @Test
    void anInternalErrorSaysWhatTheTillCanDoNotTheJavaException() throws IOException {
        Answer a = exchange("GET /health HTTP/1.1\nHost: x\n" + auth(), null);
        assertEquals(500, a.status(), a.body());
        assertEquals("INTERNAL", a.json().get("error").asText(), a.body());
        String m = a.json().get("message").asText();
        org.junit.jupiter.api.Assertions.assertTrue(m.contains("GET /v1/payments/{orderId}"), m);
        for (String java : new String[] {"java.", "Exception", "dev.tally", "Cannot invoke"}) {
            org.junit.jupiter.api.Assertions.assertFalse(m.contains(java), m);
        }
    }

    // ------------------------------------------------------------------ 503 says when to come back

    @Test
    void reconciliationWithoutAStatementSourceIsA503WithRetryAfter() throws IOException {
        Answer a = exchange("GET /v1/reconciliation?date=2026-11-22 HTTP/1.1\nHost: 127.0.0.1\n" + auth(), null);
        assertEquals(503, a.status(), a.body());
        assertEquals("NO_STATEMENT_SOURCE", a.json().get("error").asText(), a.body());
        // it takes the operator restarting serve with --from-host: not soon (docs/cashier-api.md §4)
        assertEquals("300", a.header("Retry-After"), a.headers().toString());
    }

    /**
     * A request that reaches serve as it stops (on a connection it already held, while another request is still being
     * handled) is a 503 SHUTTING_DOWN that says when to come back.
     */
    @Test
    void aRequestMetByTheStopIsA503WithRetryAfter() throws Exception {
        try (Socket held = new Socket(); Socket idle = new Socket()) {
            held.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()), 5_000);
            idle.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()), 5_000);
            idle.setSoTimeout(10_000);
            // a keep-alive connection that has had its answer
            assertEquals(503, exchange(idle, "GET /v1/reconciliation HTTP/1.1\nHost: x\n" + auth(), null).status());
            // a request still arriving keeps the stop waiting (its body is 2 bytes short)
            held.getOutputStream().write(("POST /v1/payments HTTP/1.1\r\nHost: x\r\n" + auth()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"a\":1").getBytes(StandardCharsets.UTF_8));
            held.getOutputStream().flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (api.activeRequests() == 0) {
                if (System.nanoTime() > deadline) {
                    fail("the held request never reached the API");
                }
                Thread.sleep(10); // polling interval
            }
            Thread stopping = Thread.ofVirtual().start(() -> api.stop(Duration.ofSeconds(30)));
            // the listener closes once the stop has begun (after the API stopped accepting)
            deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (connects()) {
                if (System.nanoTime() > deadline) {
                    fail("the stop never closed the listener");
                }
                Thread.sleep(10); // polling interval
            }
            Answer a = exchange(idle, "GET /health HTTP/1.1\nHost: x\n" + auth(), null);
            assertEquals(503, a.status(), a.body());
            assertEquals("SHUTTING_DOWN", a.json().get("error").asText(), a.body());
            assertEquals("10", a.header("Retry-After"), a.headers().toString());
            org.junit.jupiter.api.Assertions.assertTrue(stopping.isAlive(), "the stop waits for the held request");
            held.getOutputStream().write("}}".getBytes(StandardCharsets.UTF_8));
            held.getOutputStream().flush();
            stopping.join(Duration.ofSeconds(20));
            org.junit.jupiter.api.Assertions.assertFalse(stopping.isAlive(), "the stop ends once the held request is answered");
            held.setSoTimeout(10_000);
            // begun before the stop, it was let finish and answered (its body is no JSON object), not cut off
            Answer late = read(held.getInputStream());
            assertEquals("MALFORMED_JSON", late.json().get("error").asText(), late.body());
        }
    }

    /**
     * When the stop has waited for the API's own requests, every connection is closed, though the JDK server's stop
     * still waits: for a request still arriving (here), or for an exchange whose client hung up before its answer,
     * which it never ends. It waited out the whole grace holding its kept-alive connections, and a till's request on
     * one got a reset once the API's threads were shut, not an answer.
     */
    @Test
    void theStopClosesKeptAliveConnectionsThoughTheJdkServerStillWaits() throws Exception {
        try (Socket arriving = new Socket(); Socket idle = new Socket()) {
            arriving.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()), 5_000);
            arriving.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.UTF_8));
            arriving.getOutputStream().flush();
            // answered on a connection made after it: the JDK server accepts connections in order and has seen the
            // first one's bytes by then, so it counts that request as arriving when the stop begins
            idle.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()), 5_000);
            idle.setSoTimeout(10_000);
            assertEquals(503, exchange(idle, "GET /v1/reconciliation HTTP/1.1\nHost: x\n" + auth(), null).status());

            Thread stopping = Thread.ofVirtual().start(() -> api.stop(Duration.ofSeconds(60)));
            stopping.join(Duration.ofSeconds(30));
            org.junit.jupiter.api.Assertions.assertFalse(stopping.isAlive(), "the stop waited for the JDK server");
            // closed by the server: the kept-alive connection reads its end (it stayed open without the fix)
            idle.setSoTimeout(5_000);
            assertEquals(-1, idle.getInputStream().read(), "the kept-alive connection is closed");
        }
    }

    // ------------------------------------------------------------------ a client that hangs up

    /**
     * A client that hangs up before its answer is logged at WARN only when it asked with the token: any process on this
     * machine can connect, ask without it and hang up, as often as it likes, and each time was a WARN in serve's log.
     */
    @Test
    void aClientWithoutTheTokenThatHangsUpIsNotAWarning() throws Exception {
        try (StdErrTee logged = StdErrTee.start()) {
            // whether the answer is written before the hang-up is a race: asked until one could not be written
            hangUpUntilAnAnswerIsLost("GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-token-0123456789\r\n\r\n");
            // counted after its log line, so a warning would be in by now
            org.junit.jupiter.api.Assertions.assertFalse(logged.text().contains("went away"),
                    logged.text());
            // a till that asked with the token is warned of, with the answer it did not get
            hangUpUntilAnAnswerIsLost("GET /v1/reconciliation HTTP/1.1\r\nHost: x\r\n" + auth() + "\r\n\r\n");
            String log = logged.text();
            org.junit.jupiter.api.Assertions.assertTrue(log.lines().anyMatch(l -> l.contains("WARN")
                    && l.contains("went away") && l.contains("GET /v1/reconciliation")
                    && l.contains("HTTP 503") && l.contains("NO_STATEMENT_SOURCE")), log);
            org.junit.jupiter.api.Assertions.assertFalse(log.contains("UNAUTHORIZED"), log);
        }
    }

    /** Sends the request and hangs up at once, as a till whose HTTP client gave up, until an answer is not written. */
    private void hangUpUntilAnAnswerIsLost(String request) throws Exception {
        int before = api.clientsGone();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (api.clientsGone() == before) {
            if (System.nanoTime() > deadline) {
                fail("every answer reached its client before it hung up");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()), 5_000);
                s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
            }
            Thread.sleep(20); // polling interval: time for the answer to be tried
        }
    }

    // ------------------------------------------------------------------ the JDK server's settings

    /**
     * In a JVM that has just started, as tally serve's has, an API made there runs its JDK server with TCP_NODELAY and
     * the request and connection limits: the JDK reads them once, when its first server is made, so a setting made
     * after that is silently not in force. Without TCP_NODELAY, an answer on a kept-alive connection waited about 40 ms
     * for the client's delayed ACK (its head and body are written apart). Read in a JVM of its own: this one may have
     * made a server already (another test's).
     */
    @Test
    void aFreshJvmServesWithNoDelayAndTheLimitsInForce() throws Exception {
        assertEquals("noDelay=true maxReqTime=" + CashierApi.REQUEST_SECONDS + " maxConnections="
                + CashierApi.MAX_CONNECTIONS + " clockTick=1000", jdkServerSettings());
        // a -D given in TALLY_JAVA_OPTS wins
        assertEquals("noDelay=false maxReqTime=30 maxConnections=" + CashierApi.MAX_CONNECTIONS + " clockTick=1000",
                jdkServerSettings("-Dsun.net.httpserver.nodelay=false", "-Dsun.net.httpserver.maxReqTime=30"));
    }

    /** What {@link JdkServerSettings} prints in a new JVM started with these options. */
    private String jdkServerSettings(String... options) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                // only to read the settings back: the JDK keeps them in a class of its own
                "--add-opens", "jdk.httpserver/sun.net.httpserver=ALL-UNNAMED"));
        cmd.addAll(java.util.List.of(options));
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), JdkServerSettings.class.getName(),
                dir.resolve("token").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // ends when it exits
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the JVM reading the settings did not exit: " + out);
        }
        assertEquals(0, p.exitValue(), out);
        return out.strip();
    }

    /** Makes and starts an API as the first thing in its JVM, then prints the settings its JDK server runs with. */
    static final class JdkServerSettings {
        public static void main(String[] args) throws Exception {
            CashierApi api = new CashierApi(0, ApiToken.inFile(Path.of(args[0])), null, null, null, null, "840",
                    Clock.systemUTC()).start();
            try {
                Class<?> config = Class.forName("sun.net.httpserver.ServerConfig");
                System.out.println("noDelay=" + read(config, "noDelay") + " maxReqTime=" + read(config, "getMaxReqTime")
                        + " maxConnections=" + read(config, "getMaxConnections")
                        + " clockTick=" + read(config, "getIdleTimerScheduleMillis"));
            } finally {
                api.close();
            }
        }

        private static Object read(Class<?> config, String method) throws ReflectiveOperationException {
            java.lang.reflect.Method m = config.getDeclaredMethod(method);
            m.setAccessible(true);
            return m.invoke(null);
        }
    }

    private boolean connects() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port()), 1_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
