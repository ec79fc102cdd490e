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

    public AcquirerStatements(String adminUrl) {
        try {
            URI u = URI.create(adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("x");
            }
            this.admin = u;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--from-host must be the acquirer's admin URL such as http://127.0.0.1:8584, got '"
                    + adminUrl + "'");
        }
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
