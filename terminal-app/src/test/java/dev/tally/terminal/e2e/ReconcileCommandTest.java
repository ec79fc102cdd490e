package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally reconcile} against the lab simulator: which merchant's statement, and from where. */
class ReconcileCommandTest {

    @TempDir
    Path dir;

    /** The lab with one approved sale, G-1; returns the admin API's base URL. */
    private static String oneSale(Lab lab) {
        assertEquals(0, lab.tally("sale", "--order", "G-1", "--amount", "12.00").exit());
        return lab.sim.adminUri().toString().replaceAll("/$", "");
    }

    /** The day's statement of every merchant, with a line of another merchant's sale added. */
    private Path groupStatement(Lab lab, String admin) throws Exception {
        String day = lab.sim.ledger().businessDate().toString();
        String csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(admin + "/statement?date=" + day))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Path file = dir.resolve("group.csv");
        Files.writeString(file, csv + day + ",CLINIC000000002,TALLY001,C-7,000007,632600000777,007919,9.00,840,"
                + "476173******0119,APPROVED,CREDITED," + day + "\n");
        return file;
    }

    /**
     * A statement file of a merchant group: the other merchant's line is left out and counted; it was reported
     * NOT_APPROVED_IN_JOURNAL, a debit this terminal has no record of.
     */
    @Test
    void anotherMerchantsLineIsLeftOutAndCounted() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            Path file = groupStatement(lab, oneSale(lab));
            Lab.Run group = lab.tally("reconcile", "--statement", file.toString());
            assertEquals(0, group.exit(), group.toString());
            JsonNode report = group.json();
            assertEquals("MATCHED", report.get("status").asText(), group.out());
            List<String> orders = new ArrayList<>();
            report.get("items").forEach(i -> orders.add(i.get("orderId").asText()));
            assertEquals(List.of("G-1"), orders, group.out());
            assertEquals(1, report.get("otherMerchantLines").asInt(), group.out());
        }
    }

    /**
     * With a wrong --merchant-id, for whom the terminal made none of the day's sales, reconcile refuses naming both ids
     * (exit 64, nothing changed), from a file or from the acquirer; it reported every sale NOT_CREDITED "not on the
     * acquirer's statement", exit 0.
     */
    @Test
    void aWrongMerchantIdIsRefusedNamingBoth() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            for (Lab.Run wrong : refusedFromFileAndHost(lab, "--merchant-id", "WRONGMERCHANT01")) {
                assertTrue(wrong.err().contains("were made for merchant HOSPITAL0000001, not for merchant WRONGMERCHANT01"
                        + " being reconciled (--merchant-id): reconcile with --merchant-id HOSPITAL0000001"), wrong.err());
            }
        }
    }

    /**
     * With a wrong --terminal-id (or another terminal's journal), of which the journal holds no attempt, reconcile refuses
     * naming the terminal id the journal holds (exit 64, nothing changed), from a file or from the acquirer; it reported
     * every line of the statement NOT_APPROVED_IN_JOURNAL, "a debit stands ... this terminal has no record of", exit 0.
     */
    @Test
    void aTerminalIdTheJournalHoldsNoAttemptOfIsRefused() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            for (Lab.Run wrong : refusedFromFileAndHost(lab, "--terminal-id", "TALLY002")) {
                assertTrue(wrong.err().contains("the journal holds no attempt of terminal TALLY002 being reconciled"
                        + " (--terminal-id), only 1 of terminal TALLY001: reconcile with --terminal-id TALLY001, or give"
                        + " terminal TALLY002's journal (--journal)"), wrong.err());
                assertFalse(wrong.out().contains("NOT_APPROVED_IN_JOURNAL"), wrong.out());
            }
        }
    }

    /**
     * After one sale, reconcile with {@code option value} given, from a statement file and from the acquirer: each run
     * refused, exit 64, and the journal unchanged; the runs, for the caller to read what they said.
     */
    private List<Lab.Run> refusedFromFileAndHost(Lab lab, String option, String value) throws Exception {
        String admin = oneSale(lab);
        Path file = groupStatement(lab, admin);
        String before = lab.journalDump();
        List<Lab.Run> runs = new ArrayList<>();
        for (List<String> source : List.of(List.of("--statement", file.toString()), List.of("--from-host", admin))) {
            List<String> args = new ArrayList<>(List.of(option, value, "reconcile"));
            args.addAll(source);
            Lab.Run wrong = lab.tally(args.toArray(String[]::new));
            assertEquals(64, wrong.exit(), wrong.toString());
            runs.add(wrong);
        }
        assertEquals(before, lab.journalDump(), "nothing changed");
        return runs;
    }

    /**
     * A gzip'd statement is named as one, with what to do (exit 64, nothing changed); it read "cannot read the statement
     * ...: Input length = 1".
     */
    @Test
    void aGzippedStatementIsNamedAsOne() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            Path file = groupStatement(lab, oneSale(lab));
            Path gz = dir.resolve("group.csv.gz");
            try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
                out.write(Files.readAllBytes(file));
            }
            String before = lab.journalDump();
            Lab.Run run = lab.tally("reconcile", "--statement", gz.toString());
            assertEquals(64, run.exit(), run.toString());
            assertTrue(run.err().contains(gz + " is gzip-compressed, not text: gunzip it first"), run.err());
            assertEquals(before, lab.journalDump(), "nothing changed");
        }
    }

    /**
     * A statement URL pasted whole as --from-host is refused saying to give the admin API's base URL (exit 64); tally's
     * own path and query were glued onto it and every sale reported NOT_CREDITED.
     */
    @Test
    void aFromHostUrlWithAPathOrQueryIsRefused() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            String admin = oneSale(lab);
            Lab.Run pasted = lab.tally("reconcile", "--from-host", admin + "/statement?merchant=HOSPITAL0000001");
            assertEquals(64, pasted.exit(), pasted.toString());
            assertTrue(pasted.err().contains("with no path, query or fragment") && pasted.err().contains("give " + admin),
                    pasted.err());
            assertFalse(pasted.out().contains("NOT_CREDITED"), pasted.out());
        }
    }
}
