package dev.tally.terminal.reconcile;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
