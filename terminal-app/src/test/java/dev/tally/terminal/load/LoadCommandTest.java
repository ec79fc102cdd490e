package dev.tally.terminal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.terminal.cli.TallyCli;
import dev.tally.terminal.journal.AttemptKind;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.journal.Journal;
import dev.tally.terminal.journal.NewAttempt;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally load} against the real simulator in-process: counts, results, percentiles and the JSON
 * shape (never speed), with and without a journal, a mix with declines and timeouts, and the recovery
 * of a crashed load's journal.
 */
class LoadCommandTest {

    static final String PAN = "4761739001010119";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Simulator sim;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    @BeforeEach
    void start() throws Exception {
        sim = Simulator.start(SimulatorConfig.defaults(dir.resolve("ledger.db")).withLateDelay(Duration.ofMillis(300)));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    Run tally(String... args) {
        List<String> all = new ArrayList<>(List.of("--reversal-interval", "0"));
        if (!List.of(args).contains("--timeout")) { // every answer comes: room for a loaded machine costs nothing
            all.addAll(List.of("--timeout", "10"));
        }
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = TallyCli.run(all.toArray(String[]::new), o, e, Clock.systemDefaultZone());
        }
        Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(r.out().contains(PAN) || r.err().contains(PAN), "full PAN printed: " + r);
        return r;
    }

    String port() {
        return String.valueOf(sim.isoPort());
    }

    static void assertPercentilesInOrder(JsonNode lat) {
        double p50 = lat.path("p50").asDouble();
        double p90 = lat.path("p90").asDouble();
        double p99 = lat.path("p99").asDouble();
        double p999 = lat.path("p999").asDouble();
        double max = lat.path("max").asDouble();
        assertTrue(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max, lat.toString());
    }

    /**
     * SIGTERM (as Ctrl-C's SIGINT) ends an hour's run early with its report of what it measured: the process exits 143
     * as ever, and the report is there, flagged interrupted. It used to print nothing at all.
     */
    @Test
    void aRunStoppedBySigtermStillReportsWhatItMeasured() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.tally.terminal.cli.TallyCli", "--timeout", "10", "load", "--port", port(), "--terminals", "2",
                "--duration", "1h", "--no-journal", "--json"));
        Path out = dir.resolve("load.out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(dir.resolve("load.err").toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sim.ledger().transactions(Ledger.Filter.all()).size() < 20) {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "the load never got going: "
                        + Files.readString(dir.resolve("load.err")));
                Thread.sleep(50); // polling interval, not a wait for an outcome
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "it stops within the grace");
            assertEquals(143, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
        JsonNode j = JSON.readTree(Files.readString(out));
        assertTrue(j.path("interrupted").asBoolean(), j.toString());
        assertTrue(j.path("requests").asLong() >= 20, j.toString());
        assertEquals(j.path("requests").asLong(), j.path("results").path("APPROVED").asLong(), "every sale out finished: " + j);
    }

    @Test
    void noJournalRunsExactlyTheCappedNumberOfSalesAndReportsThem() throws Exception {
        Run r = tally("load", "--port", port(), "--terminals", "4", "--requests", "40", "--duration", "60s",
                "--no-journal", "--json", "--svg", dir.resolve("plot.svg").toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals("no-journal", j.path("mode").asText());
        assertEquals(4, j.path("terminals").asInt());
        assertEquals(40, j.path("requests").asLong());
        assertEquals(40, j.path("results").path("APPROVED").asLong(), j.toString());
        assertEquals(40, j.path("responseCodes").path("00").asLong());
        assertEquals(40, j.path("latencyMs").path("answered").asLong());
        assertTrue(j.path("tps").asDouble() > 0);
        assertTrue(j.path("errors").isEmpty());
        assertEquals(0, j.path("reversals").asLong());
        assertPercentilesInOrder(j.path("latencyMs"));
        // the host saw 40 approved sales from 4 distinct terminals LOAD0001..LOAD0004
        List<LedgerTransaction> t = sim.ledger().transactions(Ledger.Filter.all());
        assertEquals(40, t.stream().filter(LedgerTransaction::debitStanding).count());
        String svg = Files.readString(dir.resolve("plot.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("<polyline") && svg.trim().endsWith("</svg>"), svg);
    }

    @Test
    void aMixDrivesApprovalsDeclinesAndTimeoutsWithReversals() throws Exception {
        Path mix = dir.resolve("mix.txt");
        Files.writeString(mix, """
                # weight amount [card]
                1 0.10
                1 0.05        # declined 05
                1 0.68 visa-1 # dropped: no answer, then a reversal (answered 25)
                """);
        // 3 s: each answer the counts expect comes within it on a slow machine; the 4 dropped sales wait it out
        Run r = tally("--timeout", "3", "load", "--port", port(), "--terminals", "2", "--requests", "12",
                "--duration", "60s", "--no-journal", "--mix", mix.toString(), "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals(12, j.path("requests").asLong());
        assertEquals(4, j.path("results").path("APPROVED").asLong(), j.toString());
        assertEquals(4, j.path("results").path("DECLINED").asLong(), j.toString());
        assertEquals(4, j.path("results").path("REVERSED").asLong(), j.toString());
        assertEquals(4, j.path("responseCodes").path("05").asLong());
        assertEquals(4, j.path("errors").path("no_answer").asLong());
        assertEquals(4, j.path("reversals").asLong());
        assertEquals(8, j.path("latencyMs").path("answered").asLong(), "timeouts are counted, not timed");
    }

    /**
     * A 94 (duplicate transmission: a STAN reused or a resend, the load's or the host's problem) and a code the
     * catalogue does not know are no declines: each is reversed, as the engine does, and counted apart among the
     * errors. Both used to be counted DECLINED with no error, a card's refusal in the report.
     */
    @Test
    void aDuplicateAndAnUnknownCodeAreReversedAndCountedApartNotAsDeclines() throws Exception {
        Path scenario = dir.resolve("codes.json");
        Files.writeString(scenario, """
                {"rules": [
                  {"match": {"mti": "0200", "cents": 94}, "action": {"respond": "94"}},
                  {"match": {"mti": "0200", "cents": 8}, "action": {"respond": "08"}}
                ]}
                """);
        sim.close();
        sim = Simulator.start(SimulatorConfig.defaults(dir.resolve("codes.db")).withScenarioFile(scenario));
        Path mix = dir.resolve("mix.txt");
        Files.writeString(mix, """
                1 0.10
                1 0.94   # answered 94: duplicate transmission
                1 1.08   # answered 08: not in the catalogue
                """);
        // each run its own terminal ids: STANs start at 1 in each run, and within the same second the host answers 94
        for (List<String> mode : List.of(List.of("--no-journal", "--terminal-prefix", "WIRE"),
                List.of("--journal", dir.resolve("codes-j.db").toString(), "--terminal-prefix", "JRNL"))) {
            List<String> args = new ArrayList<>(List.of("load", "--port", port(), "--terminals", "1", "--requests", "6",
                    "--duration", "60s", "--mix", mix.toString(), "--json"));
            args.addAll(mode);
            Run r = tally(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.toString());
            JsonNode j = r.json();
            assertEquals(2, j.path("results").path("APPROVED").asLong(), mode + ": " + j);
            assertEquals(4, j.path("results").path("REVERSED").asLong(), mode + ": " + j);
            assertFalse(j.path("results").has("DECLINED"), mode + ": " + j);
            assertEquals(2, j.path("responseCodes").path("94").asLong(), mode + ": " + j);
            assertEquals(2, j.path("responseCodes").path("08").asLong(), mode + ": " + j);
            assertEquals(JSON.readTree("{\"duplicate\": 2, \"unknown_code_08\": 2}"), j.path("errors"), mode + ": " + j);
            assertEquals(4, j.path("reversals").asLong(), mode + ": " + j);
        }
        Run text = tally("load", "--port", port(), "--terminals", "1", "--requests", "3", "--duration", "60s",
                "--mix", mix.toString(), "--no-journal", "--terminal-prefix", "TEXT");
        assertTrue(text.out().contains("errors: duplicate 1, unknown_code_08 1"), text.out());
        assertEquals(0, sim.ledger().transactions(Ledger.Filter.all()).stream()
                .filter(t -> t.debitStanding() && t.amount() != 10).count(), "nothing of a 94 or an 08 stands");
    }

    @Test
    void withAJournalEverySaleGoesThroughTheEngineAndIsJournaled() throws Exception {
        Path journal = dir.resolve("load.db");
        Run r = tally("load", "--port", port(), "--terminals", "3", "--requests", "30", "--duration", "60s",
                "--journal", journal.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("load (journal): 3 terminals"), r.out());
        assertTrue(r.out().contains("results: APPROVED 30"), r.out());
        assertTrue(r.out().contains("latency ms (30 answered): p50 "), r.out());
        try (Journal j = Journal.open(journal, Clock.systemUTC())) {
            var approved = j.inStates(Set.of(AttemptState.APPROVED));
            assertEquals(30, approved.size());
            assertEquals(Set.of("LOAD0001", "LOAD0002", "LOAD0003"),
                    approved.stream().map(a -> a.terminalId()).collect(java.util.stream.Collectors.toSet()));
        }
        assertEquals(30, sim.ledger().transactions(Ledger.Filter.all()).stream()
                .filter(LedgerTransaction::debitStanding).count());
    }

    @Test
    void aWarmUpRunsTheSameLoadFirstAndOnlyWhatFollowsIsCounted() throws Exception {
        Path journal = dir.resolve("warm.db");
        Run r = tally("load", "--port", port(), "--terminals", "2", "--warmup", "600ms", "--requests", "20",
                "--duration", "60s", "--journal", journal.toString(), "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        long warm = j.path("warmupSales").asLong();
        assertTrue(warm > 0, j.toString());
        assertTrue(j.path("warmupSeconds").asDouble() >= 0.6, j.toString());
        assertEquals(20, j.path("requests").asLong(), "the cap counts measured sales only");
        assertEquals(20, j.path("results").path("APPROVED").asLong(), j.toString());
        assertEquals(20, j.path("latencyMs").path("answered").asLong());
        // the warm-up's sales are real: journaled and charged, each order its own
        try (Journal jr = Journal.open(journal, Clock.systemUTC())) {
            var approved = jr.inStates(Set.of(AttemptState.APPROVED));
            assertEquals(warm + 20, approved.size());
            assertEquals(warm + 20, approved.stream().map(a -> a.orderRef()).distinct().count());
        }
        assertEquals(warm + 20, sim.ledger().transactions(Ledger.Filter.all()).stream()
                .filter(LedgerTransaction::debitStanding).count());
        r = tally("load", "--port", port(), "--no-journal", "--terminals", "1", "--requests", "3", "--duration", "60s");
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.out().contains("warm-up"), "no warm-up unless asked: " + r.out());
    }

    @Test
    void resolvePendingReversesWhatACrashedLoadLeftInFlightEachTerminalAsItself() throws Exception {
        Path journal = dir.resolve("crashed.db");
        // what a killed load leaves: attempts SENT (durably) by two terminals, outcome unknown
        try (Journal j = Journal.open(journal, Clock.systemUTC())) {
            for (String tid : List.of("LOAD0001", "LOAD0002")) {
                var a = j.openAttempt(new NewAttempt(tid, "HOSPITAL0000001", "L" + tid + "-X-0", AttemptKind.SALE, 68,
                        "840", LocalDateTime.now(), PAN, "476173******0119"));
                j.markSent(a.id(), "1122080307");
            }
        }
        Run r = tally("load", "--port", port(), "--journal", journal.toString(), "--resolve-pending", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals(2, j.path("recovered").asInt());
        assertEquals(2, j.path("resolved").asInt());
        assertEquals(0, j.path("stillPending").asInt());
        assertEquals(2, j.path("terminals").asInt());
        try (Journal jr = Journal.open(journal, Clock.systemUTC())) {
            assertEquals(2, jr.inStates(Set.of(AttemptState.REVERSED)).size());
        }
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsSent() throws Exception {
        Path mix = dir.resolve("bad.txt");
        Files.writeString(mix, "1 0.10\nten 0.05\n");
        Run r = tally("load", "--port", port(), "--no-journal", "--mix", mix.toString(), "--requests", "1");
        assertEquals(64, r.exit());
        assertTrue(r.err().contains("line 2: weight must be a whole number"), r.err());
        Files.writeString(mix, "1 0.10\n1 0.20 no-such-card\n");
        r = tally("load", "--port", port(), "--no-journal", "--mix", mix.toString(), "--requests", "1");
        assertEquals(64, r.exit());
        // the file name, not the whole path: a temp folder's long random number may pass Luhn, and is masked then
        assertTrue(r.err().contains("the mix file ") && r.err().contains("bad.txt, entry 2 (1 0.20): unknown card"), r.err());
        Files.write(mix, new byte[] {'1', ' ', '0', '.', '1', '0', ' ', (byte) 0xE9, '\n'});
        r = tally("load", "--port", port(), "--no-journal", "--mix", mix.toString(), "--requests", "1");
        assertEquals(64, r.exit());
        assertTrue(r.err().contains("bad.txt is not UTF-8 text (byte 0xE9 at offset 7)"), r.err());
        r = tally("load", "--port", port(), "--no-journal", "--duration", "forever");
        assertEquals(64, r.exit());
        r = tally("load", "--port", port(), "--no-journal", "--journal", dir.resolve("x.db").toString());
        assertEquals(64, r.exit());
        r = tally("load", "--port", port(), "--no-journal", "--warmup", "soon");
        assertEquals(64, r.exit());
        assertTrue(r.err().contains("--warmup must look like"), r.err());
        r = tally("load", "--port", port(), "--no-journal", "--warmup", "2h");
        assertEquals(64, r.exit());
        assertTrue(r.err().contains("--warmup must be 0 (none) to 1h"), r.err());
        // a plot that cannot be written is bad input before the run, not after it (it charged first)
        Path journal = dir.resolve("lj.db");
        r = tally("load", "--port", port(), "--journal", journal.toString(), "--terminals", "1", "--requests", "1",
                "--svg", dir.resolve("nowhere/plot.svg").toString());
        assertEquals(64, r.exit(), r.err());
        assertTrue(r.err().contains("does not exist"), r.err());
        assertFalse(Files.exists(journal), "no journal made");
        r = tally("load", "--port", port(), "--no-journal", "--terminals", "1", "--requests", "1", "--svg", dir.toString());
        assertEquals(64, r.exit(), r.err());
        assertTrue(r.err().contains("is a directory"), r.err());
        // the global --message-log is refused, not ignored: load's links are not tapped; nothing made, nothing sent
        Path log = dir.resolve("load.jsonl");
        r = tally("--message-log", log.toString(), "load", "--port", port(), "--journal", journal.toString(),
                "--terminals", "1", "--requests", "1");
        assertEquals(64, r.exit(), r.err());
        assertTrue(r.err().contains("load does not write a message log") && r.err().contains("tally-sim --message-log"),
                r.err());
        assertFalse(Files.exists(log), "a message log made");
        assertFalse(Files.exists(journal), "no journal made");
        assertTrue(sim.ledger().transactions(Ledger.Filter.all()).isEmpty());
    }
}
