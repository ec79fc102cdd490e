package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.admin.StatementCsv;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin API as the terminal team and lab scripts use it (docs/simulator.md "Admin API"). */
class AdminApiTest extends SimulatorHarness {

    private AdminClient admin;

    @BeforeEach
    void up() throws Exception {
        start();
        admin = new AdminClient(sim.adminUri());
    }

    @Test
    void healthNamesTheBusinessDate() throws Exception {
        JsonNode h = admin.getJson("/health");
        assertEquals("UP", h.get("status").asText());
        assertEquals(ledger().businessDate().toString(), h.get("businessDate").asText());
    }

    @Test
    void transactionsWithLedgerAndCreditStateFilteredByTerminalOrderAndStan() throws Exception {
        int stan;
        try (TestTerminal t = signedOn("TALLY001"); TestTerminal t2 = signedOn("TALLY002")) {
            var sale = t.saleRequest(VISA, 1234, "ORD-1").build();
            stan = dev.tally.spec.message.MessageView.of(sale).stan();
            t.exchange(sale);
            t.exchange(t.saleRequest(VISA, 1078, "ORD-2").build());
            t2.exchange(t2.saleRequest(VISA, 1005, "ORD-3").build());
        }
        JsonNode all = admin.getJson("/transactions").get("transactions");
        assertEquals(3, all.size());
        JsonNode one = admin.getJson("/transactions?terminal=TALLY001&order=ORD-1").get("transactions");
        assertEquals(1, one.size());
        JsonNode tx = one.get(0);
        assertEquals("TALLY001", tx.get("terminalId").asText());
        assertEquals(TestTerminal.MERCHANT, tx.get("merchantId").asText());
        assertEquals(stan, tx.get("stan").asInt());
        assertEquals(10, tx.get("transmissionTime").asText().length());
        assertEquals("ORD-1", tx.get("orderRef").asText());
        assertEquals("0200", tx.get("mti").asText());
        assertTrue(tx.get("amount").isIntegralNumber());
        assertEquals(1234, tx.get("amount").asLong());
        assertEquals("840", tx.get("currency").asText());
        assertEquals("476173******0119", tx.get("maskedPan").asText());
        assertEquals("00", tx.get("responseCode").asText());
        assertEquals("APPROVED", tx.get("state").asText());
        assertTrue(tx.get("debitStanding").asBoolean());
        assertEquals(0, tx.get("reversalCount").asInt());
        assertEquals("CREDITED", tx.get("creditState").asText());
        assertEquals(ledger().businessDate().toString(), tx.get("creditDate").asText());
        assertEquals(12, tx.get("rrn").asText().length());
        assertEquals(6, tx.get("authCode").asText().length());
        assertEquals(ledger().businessDate().toString(), tx.get("businessDate").asText());

        assertEquals(1, admin.getJson("/transactions?stan=" + String.format("%06d", stan) + "&terminal=TALLY001")
                .get("transactions").size());
        JsonNode pending = admin.getJson("/transactions?order=ORD-2").get("transactions").get(0);
        assertEquals("PENDING", pending.get("creditState").asText());
        JsonNode declined = admin.getJson("/transactions?terminal=TALLY002").get("transactions").get(0);
        assertEquals("DECLINED", declined.get("state").asText());
        assertEquals("NONE", declined.get("creditState").asText());
        assertTrue(declined.get("creditDate").isNull());
        assertTrue(declined.get("authCode").isNull());
    }

    @Test
    void cardsWithMaskedPansAndBalances() throws Exception {
        JsonNode cards = admin.getJson("/cards").get("cards");
        assertEquals(CARDS.all().size(), cards.size());
        assertEquals("visa-1", cards.get(0).get("id").asText());
        assertEquals("476173******0119", cards.get(0).get("maskedPan").asText());
        assertEquals(1_000_000, cards.get(0).get("balance").asLong());
    }

    @Test
    void statementIsCsvWithDocumentedColumnsAndDecimalAmounts() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 1234, "ORD-S1").build());
            t.exchange(t.saleRequest(VISA, 1078, "ORD-S2").build());
            t.exchange(t.saleRequest(VISA, 1005, "ORD-S3").build()); // declined: not on the statement
        }
        String today = ledger().businessDate().toString();
        var r = admin.get("/statement?merchant=" + TestTerminal.MERCHANT + "&date=" + today);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        List<String> lines = r.body().lines().toList();
        assertEquals(StatementCsv.HEADER, lines.get(0));
        assertEquals("business_date,merchant_id,terminal_id,order_ref,stan,rrn,auth_code,amount,currency,masked_pan,"
                + "txn_state,credit_state,credit_date", lines.get(0));
        assertEquals(3, lines.size());
        String[] first = lines.get(1).split(",", -1);
        assertEquals(13, first.length);
        assertEquals(today, first[0]);
        assertEquals("ORD-S1", first[3]);
        assertEquals("12.34", first[7]);
        assertEquals("476173******0119", first[9]);
        assertEquals("APPROVED", first[10]);
        assertEquals("CREDITED", first[11]);
        assertEquals(today, first[12]);
        String[] second = lines.get(2).split(",", -1);
        assertEquals("10.78", second[7]);
        assertEquals("PENDING", second[11]);

        String tomorrow = admin.json(admin.post("/cutover")).get("businessDate").asText();
        assertEquals(ledger().businessDate().toString(), tomorrow);
        List<String> next = admin.get("/statement?merchant=" + TestTerminal.MERCHANT + "&date=" + tomorrow).body().lines().toList();
        assertEquals(2, next.size(), "the .78 sale shows on the day it was credited");
        assertTrue(next.get(1).endsWith("CREDITED," + tomorrow), next.get(1));
    }

    /** docs/simulator.md §6: a terminal id (41, any 8 characters) may hold a comma, and the statement quotes it. */
    @Test
    void aStatementValueWithACommaIsQuoted() throws Exception {
        try (TestTerminal t = signedOn("TALL,001")) {
            assertEquals("00", t.exchange(t.saleRequest(VISA, 1234, "ORD-Q1").build()).getString(39));
        }
        List<String> lines = admin.get("/statement?merchant=" + TestTerminal.MERCHANT).body().lines().toList();
        assertEquals(2, lines.size(), lines::toString);
        assertTrue(lines.get(1).contains("," + TestTerminal.MERCHANT + ",\"TALL,001\",ORD-Q1,"), lines.get(1));
    }

    @Test
    void metricsCountRequestsByMtiAndAnswersByCodeWithLatencyPercentiles() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 1000, "M-1").build());
            t.exchange(t.saleRequest(VISA, 1051, "M-2").build());
            // .73: garbage on the wire gives the terminal no response code: unanswered, not an answer 00
            t.send(t.saleRequest(VISA, 1073, "M-3").build());
            assertThrows(org.jpos.iso.ISOException.class, t::receive);
        }
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        JsonNode m = admin.getJson("/metrics");
        while (m.get("unanswered").asLong() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling interval: the count is made just after the bytes went out
            m = admin.getJson("/metrics");
        }
        assertEquals(1, m.get("unanswered").asLong(), m.toString());
        assertEquals(3, m.get("requestsByMti").get("0200").asLong());
        assertEquals(1, m.get("requestsByMti").get("0800").asLong());
        assertEquals(2, m.get("answersByResponseCode").get("00").asLong());
        assertEquals(1, m.get("answersByResponseCode").get("51").asLong());
        assertTrue(m.get("latencyMillis").has("p99"));
        assertTrue(m.get("latencySamples").asLong() >= 3);
    }

    /**
     * A late answer (.70) whose terminal hung up before it was due never reached the wire: unanswered, not an answer
     * 00 (the message log says "answer 00 not sent: the connection is gone"). Before, it counted as answered.
     */
    @Test
    void metricsCountALateAnswerWhoseConnectionIsGoneAsUnanswered() throws Exception {
        sim.close();
        start(config().withLateDelay(LATE_AFTER_HANG_UP));
        admin = new AdminClient(sim.adminUri());
        try (TestTerminal t = signedOn("TALLY001")) {
            t.send(t.saleRequest(VISA, 1070, "M-70").build());
        }
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        JsonNode m = admin.getJson("/metrics");
        while (m.get("unanswered").asLong() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling interval: the count is made when the late answer fails to go out
            m = admin.getJson("/metrics");
        }
        assertEquals(1, m.get("unanswered").asLong(), m.toString());
        assertEquals(1, m.get("answersByResponseCode").get("00").asLong(), "only the sign-on's answer: " + m);
        assertEquals(dev.tally.simulator.ledger.TxnState.APPROVED, onlyTxn("TALLY001", "M-70").state(), "applied");
    }

    @Test
    void metricsResetAfterAWarmUpCountsOnlyWhatCameAfter() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 1000, "W-1").build());
            var reset = admin.post("/metrics/reset");
            assertEquals(200, reset.statusCode());
            JsonNode before = admin.json(reset);
            assertEquals(1, before.get("requestsByMti").get("0200").asLong(), "the reset answers what it cleared");
            assertEquals(1, before.get("requestsByMti").get("0800").asLong());
            assertEquals(2, before.get("latencySamples").asLong());
            t.exchange(t.saleRequest(VISA, 1051, "W-2").build());
        }
        // the host counts an answer once it has gone out: the terminal may read it before the count is made
        await("the 51 and its latency counted", Duration.ofSeconds(10), () -> {
            try {
                JsonNode now = admin.getJson("/metrics");
                return now.get("answersByResponseCode").has("51") && now.get("latencySamples").asLong() >= 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode m = admin.getJson("/metrics");
        assertEquals(1, m.get("requestsByMti").get("0200").asLong());
        assertFalse(m.get("requestsByMti").has("0800"), "the sign-on came before the reset: " + m);
        assertEquals(1, m.get("answersByResponseCode").get("51").asLong());
        assertFalse(m.get("answersByResponseCode").has("00"), m.toString());
        assertEquals(1, m.get("latencySamples").asLong());
        assertEquals(m.toString(), admin.getJson("/metrics").toString(), "reading does not reset");
        assertEquals(405, admin.get("/metrics/reset").statusCode(), "a reset is a POST");
    }

    /**
     * A query with a broken %-escape ({@code curl '.../transactions?order=%'}) never reaches the API's handler: the
     * JDK's HTTP server parses the request line with java.net.URI and refuses it itself, 400 (text/html), so the
     * handler's URL decoding only ever sees well-formed escapes. Pinned here on every endpoint: a 400, nothing done
     * (the cut-over does not run), and the API answers the next request. Sent raw: java.net.URI will not build it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"GET /transactions?order=%", "GET /transactions?terminal=TALLY001&order=%zz", "GET /health?x=%",
            "GET /cards?%", "GET /statement?date=%2", "GET /settlements?terminal=%", "GET /metrics?%-1=x",
            "POST /cutover?x=%", "POST /scenario/reload?x=%", "POST /metrics/reset?x=%"})
    void aQueryThatIsNotValidUrlEncodingIs400AndChangesNothing(String request) throws Exception {
        String businessDate = ledger().businessDate().toString();
        String[] reply = rawRequest(request);
        assertEquals("HTTP/1.1 400 Bad Request", reply[0], request);
        assertEquals(businessDate, ledger().businessDate().toString(), "nothing changed");
        assertEquals("UP", admin.getJson("/health").get("status").asText(), "the API still answers");
    }

    /** Sends one request line as is; the status line and the body of the reply. */
    private String[] rawRequest(String requestLine) throws Exception {
        try (Socket s = new Socket("127.0.0.1", sim.adminUri().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int eol = reply.indexOf("\r\n");
            int body = reply.indexOf("\r\n\r\n");
            return new String[] {eol < 0 ? reply : reply.substring(0, eol), body < 0 ? "" : reply.substring(body + 4)};
        }
    }

    /** Sends {@code method path} with {@code headers} (each "Name: value"); the status line and the body of the reply. */
    private String[] send(String method, String path, String... headers) throws Exception {
        try (Socket s = new Socket("127.0.0.1", sim.adminUri().getPort())) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            req.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int eol = reply.indexOf("\r\n");
            int body = reply.indexOf("\r\n\r\n");
            return new String[] {eol < 0 ? reply : reply.substring(0, eol), body < 0 ? "" : reply.substring(body + 4)};
        }
    }

    /**
     * A web page open in a browser on the lab machine could POST to the API (a form needs no CORS) and cut over the
     * business day, reload the scenario, reset the metrics: a request with an Origin header, which browsers send on
     * every POST and cross-origin request and curl, scripts and tally do not, is refused 403 with a JSON error, and
     * nothing is done. A read with one gets nothing either.
     */
    @ParameterizedTest
    @ValueSource(strings = {"POST /cutover", "POST /scenario/reload", "POST /metrics/reset", "GET /transactions",
        "GET /health"})
    void aRequestFromAWebPageIs403AndChangesNothing(String request) throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 1000, "ORD-1").build());
        }
        String businessDate = ledger().businessDate().toString();
        String metrics = admin.getJson("/metrics").toString();
        String host = "Host: 127.0.0.1:" + sim.adminUri().getPort();
        for (String origin : List.of("Origin: http://evil.example", "Origin: null", "Origin: http://127.0.0.1:"
                + sim.adminUri().getPort())) {
            String[] reply = send(request.split(" ")[0], request.split(" ")[1], host, origin);
            assertEquals("HTTP/1.1 403 Forbidden", reply[0], request + " " + origin + " -> " + reply[1]);
            String error = new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply[1]).get("error").asText();
            assertTrue(error.startsWith("the admin API does not answer web pages: this request carries an Origin header"
                    + " (" + origin.substring("Origin: ".length()) + ")"), error);
            assertTrue(error.endsWith("(nothing was done)"), error);
            assertFalse(reply[1].contains("ORD-1"), reply[1]);
        }
        assertEquals(businessDate, ledger().businessDate().toString(), "the business day did not move");
        assertEquals(metrics, admin.getJson("/metrics").toString(), "the metrics were not reset");
        assertEquals("HTTP/1.1 200 OK", send(request.split(" ")[0], request.split(" ")[1], host)[0],
                "without the Origin it acts");
    }

    /**
     * DNS rebinding: a page whose name now resolves to 127.0.0.1 is same-origin to itself and sends no Origin on a
     * GET, but its Host is its own name: on a loopback-bound API (the default), a Host that is no loopback name or
     * address is refused 403, nothing read or done. localhost, 127.x.x.x and [::1], with a port or not, and no Host
     * at all (HTTP/1.0) are served, as curl, scripts and tally reconcile --from-host send them. In brackets only an IPv6
     * literal counts: [2130706433] is none, though Java reads 2130706433 bare as 127.0.0.1 (and the check once did).
     */
    @Test
    void aHostThatIsNotLoopbackIs403OnALoopbackApi() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 1000, "ORD-1").build());
        }
        int port = sim.adminUri().getPort();
        String businessDate = ledger().businessDate().toString();
        for (String host : List.of("evil.example:" + port, "evil.example", "localhost.evil.example:" + port,
                "127.0.0.1.nip.io:" + port, "127.0.0.1:" + port + "@evil.example", "[::2]:" + port, "[cafe]:" + port, "[2130706433]:" + port, "127.0.0.256",
                "10.0.0.1:" + port, "")) {
            for (String request : List.of("GET /transactions", "POST /cutover")) {
                String[] reply = send(request.split(" ")[0], request.split(" ")[1], "Host: " + host);
                assertEquals("HTTP/1.1 403 Forbidden", reply[0], host + " " + request + " -> " + reply[1]);
                assertTrue(reply[1].contains("the admin API listens on a loopback address and answers only requests for"
                        + " a loopback host (localhost, 127.0.0.1, [::1]), not for '" + host + "'"), reply[1]);
                assertTrue(reply[1].contains("Use http://127.0.0.1:" + port + " (nothing was done)"), reply[1]);
                assertFalse(reply[1].contains("ORD-1"), reply[1]);
            }
        }
        assertEquals(businessDate, ledger().businessDate().toString(), "the business day did not move");
        for (String host : List.of("127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "LOCALHOST", "localhost.:"
                + port, "127.1.2.3:" + port, "[::1]:" + port, "[0:0:0:0:0:0:0:1]")) {
            String[] reply = send("GET", "/transactions", "Host: " + host);
            assertEquals("HTTP/1.1 200 OK", reply[0], host + " -> " + reply[1]);
            assertTrue(reply[1].contains("ORD-1"), reply[1]);
        }
        try (Socket s = new Socket("127.0.0.1", port)) { // HTTP/1.0 without a Host: no browser's
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /health HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
        }
        assertEquals(200, admin.get("/health").statusCode(), "the JDK's client (tally reconcile --from-host) is served");
    }

    /**
     * Bound to an address that is not loopback (a lab that reaches it by the machine's name), any Host is served: the
     * names it is reached by are not known. An Origin is still refused.
     */
    @Test
    void onAnAddressThatIsNotLoopbackAnyHostIsServedButNoOrigin() throws Exception {
        sim.close();
        start(config().withBind("0.0.0.0"));
        admin = new AdminClient(java.net.URI.create("http://127.0.0.1:" + sim.adminUri().getPort()));
        assertEquals("HTTP/1.1 200 OK", send("GET", "/health", "Host: lab-box.example:" + sim.adminUri().getPort())[0]);
        assertEquals("HTTP/1.1 403 Forbidden", send("GET", "/health", "Host: lab-box.example", "Origin: http://x.example")[0]);
    }

    @Test
    void badRequestsGet4xxWithAnError() throws Exception {
        var badDate = admin.get("/statement?date=22-11-2026");
        assertEquals(400, badDate.statusCode());
        assertTrue(admin.json(badDate).get("error").asText().contains("YYYY-MM-DD"));
        var badStan = admin.get("/transactions?stan=abc");
        assertEquals(400, badStan.statusCode());
        assertEquals(404, admin.get("/nothing-here").statusCode());
        assertFalse(admin.json(admin.get("/nothing-here")).get("error").asText().isEmpty());
        assertEquals(405, admin.get("/cutover").statusCode());
        assertEquals(405, admin.post("/transactions").statusCode());
        assertEquals(ledger().businessDate().toString(), admin.getJson("/health").get("businessDate").asText(),
                "nothing changed");
        await("admin still up", Duration.ofSeconds(2), () -> true);
    }

    /**
     * A lab script's assertion "order X has an APPROVED row" must fail when the filter is misspelt, not pass on
     * every row: a parameter the endpoint does not read, an empty one and a repeated one are 400, naming it (and
     * the allowed ones).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            /transactions?orderRef=NO-SUCH-ORDER               | unknown query parameter 'orderRef' for GET /transactions; the allowed ones are terminal, order, stan, merchant
            /transactions?terminal=TALLY001&Order=NO-SUCH      | unknown query parameter 'Order'
            /transactions?order=                               | query parameter 'order' is empty
            /transactions?order                                | query parameter 'order' is empty
            /transactions?terminal=TALLY001&order=             | query parameter 'order' is empty
            /transactions?order=ORD-1&order=NO-SUCH-ORDER      | query parameter 'order' is given more than once
            /transactions?order=ORD-1&terminal=TALLY001&order=ORD-1 | query parameter 'order' is given more than once
            /statement?merchant=HOSPITAL0000001&day=2026-11-22 | unknown query parameter 'day' for GET /statement; the allowed ones are merchant, date
            /statement?date=                                   | query parameter 'date' is empty
            /settlements?terminalId=TALLY001                   | unknown query parameter 'terminalId' for GET /settlements; the allowed ones are terminal
            /settlements?terminal=                             | query parameter 'terminal' is empty
            /health?verbose=true                               | GET /health takes no query parameters, got 'verbose'
            /cards?id=visa-1                                   | GET /cards takes no query parameters, got 'id'
            /metrics?reset=true                                | GET /metrics takes no query parameters, got 'reset'
            /metrics?&                                         | GET /metrics takes no query string
            """)
    void aQueryParameterTheEndpointDoesNotReadIsEmptyOrRepeatedIs400NamingIt(String path, String error) throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 1000, "ORD-1").build());
        }
        var r = admin.get(path);
        assertEquals(400, r.statusCode(), path + " -> " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
        assertTrue(admin.json(r).get("error").asText().contains(error), path + " -> " + r.body());
    }

    /**
     * A key pasted into a query (a lab engineer's clipboard) is not quoted back in the 400, whatever its length; card
     * numbers in it are masked. The error still names the parameter.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /transactions?stan=0123456789ABCDEFFEDCBA9876543210  | stan      | 0123456789ABCDEFFEDCBA9876543210
            /transactions?stan=0123456789ABCDEFFEDCBA987654321   | stan      | 0123456789ABCDEFFEDCBA987654321
            /statement?date=0123456789ABCDEFFEDCBA9876543210     | date      | 0123456789ABCDEFFEDCBA9876543210
            /health?0123456789ABCDEFFEDCBA9876543210=1           | /health   | 0123456789ABCDEFFEDCBA9876543210
            /cards?4761739001010119=x                            | /cards    | 4761739001010119
            """)
    void aKeyOrCardNumberInAQueryIsNotQuotedBack(String path, String named, String secret) throws Exception {
        var r = admin.get(path);
        assertEquals(400, r.statusCode(), path + " -> " + r.body());
        String error = admin.json(r).get("error").asText();
        assertFalse(error.contains(secret), error);
        assertTrue(error.contains(named), error);
    }

    @Test
    void theFiltersThatAreAllowedStillNarrowAndAnEmptySegmentIsNoParameter() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 1000, "ORD-1").build());
            t.exchange(t.saleRequest(VISA, 1000, "ORD-2").build());
        }
        assertEquals(1, admin.getJson("/transactions?terminal=TALLY001&order=ORD-1&").get("transactions").size());
        assertEquals(0, admin.getJson("/transactions?order=NO-SUCH-ORDER").get("transactions").size());
        assertEquals(2, admin.getJson("/transactions?").get("transactions").size());
        assertEquals(200, admin.get("/statement?merchant=" + TestTerminal.MERCHANT).statusCode());
        assertEquals(200, admin.get("/health?").statusCode());
    }

    /**
     * {@code POST /cutover?dryRun=true} must not move the business day: the POST endpoints read neither a query nor
     * a body, so either is refused, 400, before they act. Pinned: the business date, the scenario in force and the
     * metrics are what they were.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /cutover?dryRun=true          |                  | POST /cutover takes no query parameters         | dryRun
            /cutover?date=2026-11-30      |                  | POST /cutover takes no query parameters         | date
            /cutover?&                    |                  | POST /cutover takes no query string             |
            /cutover                      | {"dryRun": true} | POST /cutover takes no request body             |
            /scenario/reload?file=x.json  |                  | POST /scenario/reload takes no query parameters | file
            /scenario/reload              | {"rules": []}    | POST /scenario/reload takes no request body     |
            /metrics/reset?keep=true      |                  | POST /metrics/reset takes no query parameters   | keep
            /metrics/reset                | x                | POST /metrics/reset takes no request body       |
            """)
    void aPostWithAQueryOrABodyIs400AndChangesNothing(String path, String body, String error, String named)
            throws Exception {
        Path file = dir.resolve("lab.json");
        Files.writeString(file, """
                {"rules": [{"match": {"terminal": "TALLY002"}, "action": {"respond": "91"}}]}""");
        sim.close();
        start(config().withScenarioFile(file));
        admin = new AdminClient(sim.adminUri());
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 1000, "ORD-1").build());
        }
        Files.writeString(file, "{\"testAmounts\": true, \"rules\": []}"); // what a reload would take in
        String businessDate = ledger().businessDate().toString();
        JsonNode health = admin.getJson("/health");
        String metrics = admin.getJson("/metrics").toString();

        var r = body == null ? admin.post(path) : admin.post(path, body);
        assertEquals(400, r.statusCode(), path + " -> " + r.body());
        assertTrue(admin.json(r).get("error").asText().contains(error), path + " -> " + r.body());
        assertTrue(admin.json(r).get("error").asText().contains("nothing was done"), r.body());
        if (named != null) {
            assertTrue(admin.json(r).get("error").asText().contains("'" + named + "'"), "names the key: " + r.body());
        }

        assertEquals(businessDate, ledger().businessDate().toString(), "the business day did not move");
        assertEquals(health.toString(), admin.getJson("/health").toString(), "the same scenario and day in force");
        assertEquals(1, admin.getJson("/health").get("rules").asInt(), "the file's rules are still those in force");
        assertEquals(metrics, admin.getJson("/metrics").toString(), "the metrics were not reset");
        assertEquals(1, admin.getJson("/metrics").get("requestsByMti").get("0200").asLong());

        assertEquals(200, admin.post("/scenario/reload").statusCode(), "without the query or body it acts");
        assertEquals(16, admin.getJson("/health").get("rules").asInt(), "the test amounts of the new file");
    }

    /**
     * A reload of a file with a card number where a value belongs: Jackson quotes the token ("Unrecognized token
     * 'x4761739001010119'") and the 422 must not carry it whole. The same for a card number sent in a query.
     */
    @Test
    void errorsNeverCarryAFullPan() throws Exception {
        Path file = dir.resolve("lab.json");
        Files.writeString(file, "{\"rules\": []}");
        sim.close();
        start(config().withScenarioFile(file));
        admin = new AdminClient(sim.adminUri());
        String pan = VISA.pan();

        Files.writeString(file, "{\"rules\": [{\"match\": {\"pan\": x" + pan + "}, \"action\": {\"respond\": \"05\"}}]}");
        var reload = admin.post("/scenario/reload");
        assertEquals(422, reload.statusCode(), reload.body());
        String error = admin.json(reload).get("error").asText();
        assertTrue(error.contains("not valid JSON"), error);
        assertTrue(error.contains("x476173******0119"), "the token is quoted, masked: " + error);
        assertFalse(reload.body().contains(pan), "full PAN in the reload error: " + reload.body());

        for (String path : List.of("/transactions?stan=" + pan, "/transactions?" + pan + "=1", "/transactions?pan=" + pan,
                "/cards?" + pan, "/statement?date=" + pan, "/no-such-" + pan)) {
            var r = admin.get(path);
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, path + " -> " + r.statusCode());
            assertFalse(r.body().contains(pan), "full PAN in the error for " + path + ": " + r.body());
        }
        // the same card number typed with its groups joined by commas or colons
        String grouped = pan.substring(0, 4) + "," + pan.substring(4, 8) + ":" + pan.substring(8, 12) + "," + pan.substring(12);
        for (String path : List.of("/transactions?" + grouped + "=1", "/statement?date=" + grouped, "/cards?" + grouped)) {
            var r = admin.get(path);
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, path + " -> " + r.statusCode());
            assertFalse(r.body().contains(pan.substring(6, 8) + ":" + pan.substring(8, 12)),
                    "the card number's middle digits in the error for " + path + ": " + r.body());
        }
    }
}
