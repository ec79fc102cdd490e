package dev.tally.terminal.reconcile;

import dev.tally.terminal.host.HostUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;

/**
 * Fetches the merchant's statement for a business date from the acquirer's admin API
 * ({@code GET ADMIN_URL/statement?merchant=M&date=D}, docs/simulator.md §5).
 */
public final class AcquirerStatements {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private final URI admin;

    /**
     * @param adminUrl the admin API's base URL, {@code http://host:port} (a trailing '/' is taken): this class adds the
     *                 path and query, so a URL with its own (a statement URL pasted whole) is refused, not glued onto
     */
    public AcquirerStatements(String adminUrl) {
        URI u;
        try {
            u = URI.create(adminUrl);
        } catch (IllegalArgumentException e) {
            u = null;
        }
        if (u == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw new IllegalArgumentException("--from-host must be the acquirer's admin URL such as http://127.0.0.1:8584, got '"
                    + adminUrl + "'");
        }
        boolean bare = (u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
                && u.getRawQuery() == null && u.getRawFragment() == null;
        if (!bare) {
            throw new IllegalArgumentException("--from-host must be the admin API's base URL, http://host:port such as"
                    + " http://127.0.0.1:8584, with no path, query or fragment (tally asks it for /statement?merchant=&date="
                    + " itself), got '" + adminUrl + "': give " + u.getScheme() + "://" + u.getRawAuthority());
        }
        this.admin = URI.create(u.getScheme() + "://" + u.getRawAuthority());
    }

    public Statement fetch(String merchantId, LocalDate date) {
        URI uri = URI.create(admin + "/statement?merchant=" + URLEncoder.encode(merchantId, StandardCharsets.UTF_8)
                + "&date=" + date);
        HttpResponse<String> r;
        // a client per fetch, closed when it ends: a client left open keeps its selector thread until the GC finds it,
        // one more per GET /v1/reconciliation in a long-running serve (and per check of the URL's form, which made one)
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build()) {
            r = http.send(HttpRequest.newBuilder(uri).timeout(ANSWER_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HostUnavailableException("cannot fetch the statement from " + uri + ": " + reason(e, admin)
                    + "; is the acquirer's admin API running there? Check --from-host", e, went(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostUnavailableException("interrupted while fetching the statement from " + uri, e);
        }
        if (r.statusCode() != 200) {
            String body = r.body().strip().replaceAll("\\s+", " ");
            throw new HostUnavailableException("the acquirer's admin API answered HTTP " + r.statusCode()
                    + " to GET " + uri + (body.isEmpty() ? " (no body)" : ": " + (body.length() > 300
                    ? body.substring(0, 300) + "..." : body)) + "; is " + admin + " the acquirer's admin API? Check --from-host",
                    null, true);
        }
        return Statement.parse(uri.toString(), r.body(), merchantId);
    }

    /**
     * Whether the GET went before {@code e}: connected, but no answer in time (a connect that timed out is a subclass of
     * that timeout, and did not); every other failure here is the connection's.
     */
    static boolean went(IOException e) {
        return e instanceof java.net.http.HttpTimeoutException && !(e instanceof java.net.http.HttpConnectTimeoutException);
    }

    /**
     * Why a request to the admin API failed, in words: the JDK's HTTP client says only {@code java.net.ConnectException}
     * for a refused connection and for a host name that does not resolve alike (the cause tells them apart).
     */
    static String reason(IOException e, URI admin) {
        String where = admin.getHost() + (admin.getPort() < 0 ? "" : ":" + admin.getPort());
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s to " + where;
        }
        if (e instanceof HttpTimeoutException) {
            return "connected, but no answer within " + ANSWER_TIMEOUT.toSeconds() + " s";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host " + admin.getHost() + " (the name does not resolve)";
            }
        }
        if (e instanceof ConnectException) {
            return "connection refused by " + where + " (nothing listens there, or it cannot be reached)";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "the TLS handshake with " + where + " failed (" + e.getMessage() + ")";
        }
        return "the connection to " + where + " failed (" + (e.getMessage() == null ? "closed before an answer"
                : e.getMessage()) + ")";
    }
}
