package dev.tally.terminal.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tally.terminal.host.HostUnavailableException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** Asking the acquirer's admin API for a statement (docs/simulator.md §5). */
class AcquirerStatementsTest {

    /** The base URL is taken with or without a trailing '/'. */
    @Test
    void theAdminApisBaseUrlIsTaken() {
        new AcquirerStatements("http://127.0.0.1:8584");
        new AcquirerStatements("http://127.0.0.1:8584/");
        new AcquirerStatements("https://acquirer-admin:8584");
    }

    /**
     * A URL with a path, query or fragment of its own (a statement URL pasted whole) is refused, saying to give the base
     * URL; the path and query tally adds used to be glued onto it (…/statement?merchant=X/statement?merchant=…).
     */
    @Test
    void aUrlWithAPathQueryOrFragmentIsRefusedSayingToGiveTheBaseUrl() {
        for (String url : new String[] {"http://127.0.0.1:8584/statement?merchant=X", "http://127.0.0.1:8584/statement",
            "http://127.0.0.1:8584/admin/", "http://127.0.0.1:8584?date=2026-11-22", "http://127.0.0.1:8584/#x",
            "http://127.0.0.1:8584//", "http://127.0.0.1:8584?"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AcquirerStatements(url), url);
            assertTrue(e.getMessage().startsWith("--from-host must be the admin API's base URL, http://host:port such as"
                    + " http://127.0.0.1:8584, with no path, query or fragment"), e.getMessage());
            assertTrue(e.getMessage().endsWith("got '" + url + "': give http://127.0.0.1:8584"), e.getMessage());
        }
        for (String url : new String[] {"127.0.0.1:8584", "ftp://127.0.0.1:8584", "http://", "http://a b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AcquirerStatements(url), url);
            assertTrue(e.getMessage().startsWith("--from-host must be the acquirer's admin URL"), e.getMessage());
        }
    }

    static final LocalDate DAY = LocalDate.of(2026, 11, 22);

    /** The HostUnavailableException (exit 69) of fetching the day's statement from {@code url}. */
    static String failure(String url) {
        HostUnavailableException e = assertThrows(HostUnavailableException.class,
                () -> new AcquirerStatements(url).fetch("HOSPITAL0000001", DAY));
        assertFalse(e.getMessage().contains("java.") || e.getMessage().contains("Exception"), e.getMessage());
        return e.getMessage();
    }

    /**
     * Why the statement could not be fetched is said in words with the URL; the message was the JDK's exception
     * ("java.net.ConnectException" for a refused connection and for an unknown host alike).
     */
    @Test
    void aFailedFetchSaysWhyInWords() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String refused = failure("http://127.0.0.1:" + closed);
        assertFalse(assertThrows(HostUnavailableException.class,
                () -> new AcquirerStatements("http://127.0.0.1:" + closed).fetch("HOSPITAL0000001", DAY)).sent());
        assertTrue(refused.startsWith("cannot fetch the statement from http://127.0.0.1:" + closed
                + "/statement?merchant=HOSPITAL0000001&date=2026-11-22: connection refused by 127.0.0.1:" + closed), refused);
        assertTrue(refused.endsWith("is the acquirer's admin API running there? Check --from-host"), refused);

        // RFC 6761: .invalid never resolves
        assertTrue(failure("http://no-such-acquirer.invalid:8584").contains(": unknown host no-such-acquirer.invalid"
                + " (the name does not resolve)"));

        HttpServer other = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", x -> {
            byte[] body = "<h1>404 Not Found</h1>\nNo context found for request".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(404, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        other.start();
        try {
            String base = "http://127.0.0.1:" + other.getAddress().getPort();
            String notFound = failure(base);
            // it was asked and answered: the CLI does not add "this command's request was not sent" (TallyCli.failFor)
            assertTrue(assertThrows(HostUnavailableException.class,
                    () -> new AcquirerStatements(base).fetch("HOSPITAL0000001", DAY)).sent());
            assertEquals("the acquirer's admin API answered HTTP 404 to GET " + base + "/statement?merchant=HOSPITAL0000001"
                    + "&date=2026-11-22: <h1>404 Not Found</h1> No context found for request; is " + base + " the"
                    + " acquirer's admin API? Check --from-host", notFound);
        } finally {
            other.stop(0);
        }
    }

    /**
     * A fetch leaves no thread of its own behind: its HTTP client is closed when it ends. It used to stay open with
     * its selector thread until the GC found it, one more per {@code GET /v1/reconciliation} of a long-running serve.
     */
    @Test
    void aFetchLeavesNoThreadOfItsOwnBehind() throws Exception {
        HttpServer acquirer = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        acquirer.createContext("/statement", x -> {
            byte[] body = (String.join(",", Statement.COLUMNS) + "\n").getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        acquirer.start();
        try {
            java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
            Statement s = new AcquirerStatements("http://127.0.0.1:" + acquirer.getAddress().getPort())
                    .fetch("HOSPITAL0000001", DAY);
            assertTrue(s.lines().isEmpty());
            java.util.List<Thread> started = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.getName().startsWith("HttpClient")).toList();
            // a closed client's threads end within moments, an open one's only once the GC collects it: each is awaited
            // (join returns once it ends) up to a deadline that leaves room for a slow machine
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            for (Thread t : started) {
                t.join(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            assertEquals(java.util.List.of(), started.stream().filter(Thread::isAlive).map(Thread::getName).toList());
        } finally {
            acquirer.stop(0);
        }
    }

    /** The timeouts, which a test on loopback cannot bring about without waiting them out, are told with their length. */
    @Test
    void aTimeoutIsToldWithItsLength() {
        URI admin = URI.create("http://127.0.0.1:8584");
        assertEquals("no connection within 10 s to 127.0.0.1:8584",
                AcquirerStatements.reason(new HttpConnectTimeoutException("HTTP connect timed out"), admin));
        assertEquals("connected, but no answer within 30 s",
                AcquirerStatements.reason(new HttpTimeoutException("request timed out"), admin));
    }

    /** An answer that did not come in time followed a GET that went: the CLI and the API do not say "not sent" of it. */
    @Test
    void onlyATimeoutAfterConnectingSaysTheRequestWent() {
        assertTrue(AcquirerStatements.went(new HttpTimeoutException("request timed out")));
        assertFalse(AcquirerStatements.went(new java.net.http.HttpConnectTimeoutException("HTTP connect timed out")));
        assertFalse(AcquirerStatements.went(new java.net.ConnectException("Connection refused")));
    }
}
