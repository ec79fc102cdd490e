package dev.tally.terminal.reconcile;

import dev.tally.terminal.host.HostUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;

/**
 * Fetches the merchant's statement for a business date from the acquirer's admin API
 * ({@code GET ADMIN_URL/statement?merchant=M&date=D}, docs/simulator.md §5).
 */
public final class AcquirerStatements {

    private final URI admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

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
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HostUnavailableException("cannot fetch the statement from " + admin + ": " + e
                    + " (is the acquirer's admin API running? check --from-host)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostUnavailableException("interrupted while fetching the statement from " + admin, e);
        }
        if (r.statusCode() != 200) {
            throw new HostUnavailableException("the acquirer's admin API " + admin + " answered HTTP " + r.statusCode()
                    + " to the statement request: " + r.body().strip(), null);
        }
        return Statement.parse(uri.toString(), r.body(), merchantId);
    }
}
