package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.format.MessageLog;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.journal.Journal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 "How it will be checked": one run over every test amount with the message log on, then the log
 * replayed against a fresh simulator (no difference) and against one with a changed scenario (exactly
 * the changed answer), a tampered line, problem reports, and a scan of everything produced for card data.
 *
 * <p>The recording's commands and the replays have {@link #TIMEOUT}: the answers the host gives must come within it on
 * a loaded machine too (the two commands where it answers only the sign-on have 1 s). Each of the recording's dozen unanswered requests costs a replay the whole timeout, one
 * after another, so the replays of the recording all start together once it is made, each against a simulator of its
 * own, and each test awaits its own; the replay of the journal while another tally holds it runs first, beside them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SupportToolsTest {

    /** Sale amounts: a normal approval, every test amount of docs/simulator.md §3, and 12.34 (changed later). */
    static final List<String> AMOUNTS = List.of("10.00", "10.05", "10.51", "10.54", "10.55", "10.91", "10.96", "10.68",
            "10.69", "10.70", "10.71", "10.72", "10.73", "10.77", "10.78", "10.98", "10.99");
    /** The terminal's and the replays' timeout, in seconds. */
    static final String TIMEOUT = "3";
    /** The .70's answer comes this long after its sale: 5 s after the timeout, whatever the load. */
    static final Duration LATE = Duration.ofSeconds(8);
    /** How long a test waits for the replay it checks: a dozen unanswered requests of 3 s, and room to spare. */
    static final Duration REPLAY_LIMIT = Duration.ofSeconds(120);

    Path dir;
    Lab lab;
    Path messageLog;
    /** every stdout/stderr the commands printed, for the card-data scan */
    final List<String> printed = Collections.synchronizedList(new ArrayList<>());
    /** the replays of the recording, started once it is made */
    final ExecutorService replays = Executors.newFixedThreadPool(4);
    final List<Future<Lab.Run>> started = new ArrayList<>();
    Future<Lab.Run> logReplay;
    Future<Lab.Run> changedReplay;
    Future<Lab.Run> changedTextReplay;
    Future<Lab.Run> copyReplay;
    Path copy;

    @BeforeAll
    void recordARunOverEveryTestAmount(@TempDir Path tmp) throws Exception {
        dir = tmp;
        lab = new Lab(dir, LATE);
        lab.timeout = TIMEOUT;
        messageLog = dir.resolve("tally-messages.jsonl");
        for (String amount : AMOUNTS) {
            // the host answers the .98's and .99's commands only their sign-on (their sales, and the reversals sent with
            // them, go unanswered): 1 s, as each unanswered exchange waits the whole timeout
            lab.timeout = amount.equals("10.98") || amount.equals("10.99") ? "1" : TIMEOUT;
            Lab.Run r = tally("sale", "--order", "INV-" + amount.replace('.', '-'), "--amount", amount);
            assertTrue(r.exit() != 1 && r.exit() != 64, r.toString());
        }
        lab.timeout = TIMEOUT;
        tally("inquiry");
        tally("status", "--order", "INV-10-77");
        // after the inquiry, so that changing its answer changes no balance the log shows
        tally("sale", "--order", "INV-12-34", "--amount", "12.34");
        // work off the reversals still pending (.98 is acknowledged on its third try, .99 never)
        for (int i = 0; i < 3; i++) {
            tally("pending", "--resolve");
        }
        assertEquals("REVERSED", lab.lastState("INV-10-98"));
        assertEquals("REVERSAL_FAILED", lab.lastState("INV-10-99"));

        // a copy of the journal as sent to support, without its data key
        copy = Files.createDirectories(dir.resolve("sent-to-support")).resolve("journal.db");
        Files.copy(lab.journal, copy);
        logReplay = replay(SimulatorConfig.defaults(dir.resolve("fresh/ledger.db")).withLateDelay(LATE),
                "--json", "replay", messageLog.toString());
        Path scenario = dir.resolve("changed.json");
        Files.writeString(scenario, """
                {"testAmounts": true, "rules": [
                  {"name": "12.34 declined", "match": {"mti": "0200", "amount": 1234}, "action": {"respond": "05"}}]}
                """);
        changedReplay = replay(SimulatorConfig.defaults(dir.resolve("changed/ledger.db")).withLateDelay(LATE)
                .withScenarioFile(scenario), "--json", "replay", messageLog.toString());
        changedTextReplay = replay(SimulatorConfig.defaults(dir.resolve("changed-text/ledger.db")).withLateDelay(LATE)
                .withScenarioFile(scenario), "replay", messageLog.toString());
        copyReplay = replay(SimulatorConfig.defaults(dir.resolve("fresh-k/ledger.db")).withLateDelay(LATE),
                "--json", "replay", "--journal", copy.toString());
    }

    /** Starts {@code args} against a simulator of its own, made with {@code host} and closed when the replay is done. */
    Future<Lab.Run> replay(SimulatorConfig host, String... args) {
        Future<Lab.Run> f = replays.submit(() -> {
            try (Simulator sim = Simulator.start(host)) {
                return cli(replayArgs(sim, args));
            }
        });
        started.add(f);
        return f;
    }

    /** {@code args}, then this simulator's address, at max speed with {@link #TIMEOUT}. */
    static String[] replayArgs(Simulator sim, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(sim.isoPort()), "--speed", "max", "--timeout",
                TIMEOUT));
        return all.toArray(String[]::new);
    }

    /** The replay's run, once it is done. */
    static Lab.Run replayed(Future<Lab.Run> replay) throws Exception {
        try {
            return replay.get(REPLAY_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the replay failed", e.getCause());
        }
    }

    @AfterAll
    void stop() throws Exception {
        try {
            replays.shutdown(); // the replays a test left unread (run alone) end before their files go
            replays.awaitTermination(REPLAY_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            replays.shutdownNow();
            lab.close();
        }
    }

    Lab.Run tally(String... args) {
        List<String> all = new ArrayList<>(List.of("--message-log", messageLog.toString()));
        all.addAll(List.of(args));
        Lab.Run r = lab.tally(all.toArray(String[]::new));
        printed.add(r.out());
        printed.add(r.err());
        return r;
    }

    Lab.Run cli(String... args) {
        Lab.Run r = Lab.raw(args);
        printed.add(r.out());
        printed.add(r.err());
        return r;
    }

    @Test
    void theMessageLogLinksEachAttemptsRequestTimeoutAndReversals() throws IOException {
        List<MessageLog.Entry> entries = MessageLog.read(messageLog);
        List<MessageLog.Entry> of99 = entries.stream().filter(e -> "INV-10-99".equals(e.orderRef())).toList();
        String id = of99.getFirst().messageId();
        assertTrue(id.startsWith("attempt-"), id);
        assertTrue(of99.stream().allMatch(e -> id.equals(e.messageId())), of99.toString());
        assertEquals("0200", of99.getFirst().mti());
        assertEquals(MessageLog.Event.REQUEST, of99.getFirst().event());
        assertEquals(MessageLog.Event.TIMEOUT, of99.get(1).event());
        assertTrue(of99.stream().filter(e -> "0400".equals(e.mti()) || "0401".equals(e.mti())).count() >= 3);
        MessageLog.Entry approved = entries.stream().filter(e -> "INV-10-00".equals(e.orderRef())
                && e.event() == MessageLog.Event.RESPONSE).findFirst().orElseThrow();
        assertEquals("00", approved.responseCode());
        assertTrue(approved.latencyMs() != null && approved.latencyMs() >= 0);
        assertTrue(entries.stream().anyMatch(e -> "INV-10-73".equals(e.orderRef()) && e.event() == MessageLog.Event.GARBAGE));
        assertTrue(entries.stream().anyMatch(e -> "INV-10-71".equals(e.orderRef()) && e.event() == MessageLog.Event.DISCONNECTED));
        assertTrue(entries.stream().anyMatch(e -> e.event() == MessageLog.Event.REQUEST && "0800".equals(e.mti())));
    }

    @Test
    void theLogReplaysAgainstAFreshSimulatorWithNoDifference() throws Exception {
        Lab.Run r = replayed(logReplay);
        JsonNode j = r.json();
        assertEquals(0, r.exit(), r.out());
        assertEquals("SAME", j.get("status").asText());
        assertEquals(0, j.get("totals").get("different").asInt());
        assertTrue(j.get("totals").get("same").asInt() >= AMOUNTS.size(), r.out());
    }

    @Test
    void aChangedScenarioShowsExactlyTheChangedAnswer() throws Exception {
        // the log replayed against a simulator whose scenario declines 12.34 (started with the recording)
        Lab.Run r = replayed(changedReplay);
        assertEquals(1, r.exit(), r.out());
        JsonNode j = r.json();
        assertEquals("DIFFERENT", j.get("status").asText());
        assertEquals(1, j.get("totals").get("different").asInt(), r.out());
        JsonNode differing = null;
        for (JsonNode m : j.get("messages")) {
            if (m.get("differences").size() > 0) {
                differing = m;
            }
        }
        assertEquals("INV-12-34", differing.get("orderRef").asText());
        assertEquals("0200", differing.get("mti").asText());
        JsonNode d = differing.get("differences");
        assertEquals(1, d.size(), d.toString());
        assertEquals("RESPONSE_CODE", d.get(0).get("field").asText());
        assertEquals("00", d.get(0).get("recorded").asText());
        assertEquals("05", d.get(0).get("replayed").asText());

        Lab.Run text = replayed(changedTextReplay);
        assertEquals(1, text.exit());
        assertTrue(text.out().contains("DIFFERS") && text.out().contains("RESPONSE_CODE (39)"), text.out());
    }

    @Test
    void aTamperedLineIsAClearErrorNamingTheLine() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(messageLog));
        int target = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"mti\":\"0200\"")) {
                target = i;
                break;
            }
        }
        List<String> broken = new ArrayList<>(lines);
        broken.set(target, broken.get(target).replaceFirst("\"AMOUNT\":\"\\d+\"", "\"AMOUNT\":\"12x4\""));
        Path tampered = dir.resolve("tampered.jsonl");
        Files.write(tampered, broken);
        Lab.Run r = cli("replay", tampered.toString(), "--host", "127.0.0.1", "--port", "1", "--speed", "max");
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("line " + (target + 1)), r.err());

        List<String> cut = new ArrayList<>(lines);
        cut.set(target, cut.get(target).substring(0, cut.get(target).length() / 2));
        Files.write(tampered, cut);
        r = cli("replay", tampered.toString(), "--host", "127.0.0.1", "--port", "1");
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("line " + (target + 1)), r.err());
    }

    /**
     * The journal replays with the same response codes — read as {@code tally report} reads it: while another
     * tally holds it (a running serve), and from a copy sent to support without its data key (the replay takes
     * masked card numbers, as from a log).
     */
    @Test
    @Order(1) // first: while the replays of the recording run beside it
    void theJournalReplaysWithTheSameResponseCodes() throws Exception {
        try (Simulator fresh = Simulator.start(SimulatorConfig.defaults(dir.resolve("fresh-j/ledger.db")).withLateDelay(LATE));
             Journal held = Journal.open(lab.journal, Clock.systemDefaultZone())) {
            // a guard against a hang: a replay that waited for the journal's lock fails (exit 1) when the wait ends
            Lab.Run r = assertTimeoutPreemptively(REPLAY_LIMIT, () -> cli(replayArgs(fresh, "--json", "replay",
                    "--journal", lab.journal.toString())));
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.json().get("totals").get("same").asInt() >= AMOUNTS.size(), r.out());
        }
        // the copy sent to support (made once the recording was done), replayed against a fresh simulator of its own
        Lab.Run r = replayed(copyReplay);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.json().get("totals").get("same").asInt() >= AMOUNTS.size(), r.out());
        assertFalse(Files.exists(copy.resolveSibling("journal.db.key")), "a data key was made for the copy");
    }

    Lab.Run report(String order, boolean json) throws IOException {
        Path config = dir.resolve("terminal.properties");
        Files.writeString(config, "location=Ward 3 admissions desk\naddress=1 Hospital Road, Springfield\noperator=J. Doe\n");
        List<String> args = new ArrayList<>(List.of("--journal", lab.journal.toString(), "--config", config.toString(),
                "--message-log", messageLog.toString()));
        if (json) {
            args.add("--json");
        }
        args.addAll(List.of("report", "--order", order));
        Lab.Run r = cli(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        Files.writeString(dir.resolve("report-" + order + (json ? ".json" : ".md")), r.out());
        return r;
    }

    @Test
    void reportOfAnApprovedOrder() throws IOException {
        String md = report("INV-10-00", false).out();
        for (String section : List.of("## Time", "## Place", "## Operator", "## Description", "## Message timeline",
                "## Environment", "## Impact", "## Actions taken by the terminal", "## System response", "## Follow-up")) {
            assertTrue(md.contains(section), section + " missing:\n" + md);
        }
        assertTrue(md.contains("Ward 3 admissions desk") && md.contains("1 Hospital Road") && md.contains("J. Doe"), md);
        assertTrue(md.contains("HOSPITAL0000001") && md.contains("TALLY001"), md);
        assertTrue(md.contains("the customer was charged 10.00 840"), md);
        assertTrue(md.contains("Do not charge the customer again"), md);
        assertTrue(md.contains("\n- host 127.0.0.1:" + lab.sim.isoPort() + "\n"), "the host from the message log: " + md);
        assertTrue(md.contains("476173******0119"), md);
        assertTrue(md.contains("JDK " + System.getProperty("java.version")), md);
        assertTrue(md.contains("REQUEST 0200") && md.contains("RESPONSE 0210"), md);
    }

    /**
     * Support writes the report while the till keeps working: another tally holds the journal (here this test
     * opens it, as a running {@code tally serve} does). The report used to wait 30 s for it and fail; it reads
     * only, so it neither waits nor needs the other to stop.
     */
    @Test
    void reportWhileAnotherTallyHoldsTheJournal() {
        try (Journal held = Journal.open(lab.journal, Clock.systemDefaultZone())) {
            Lab.Run r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> report("INV-10-00", false));
            assertTrue(r.out().contains("the customer was charged 10.00 840"), r.out());
            assertEquals(AttemptState.APPROVED, held.lastAttempt("INV-10-00").orElseThrow().state());
        }
    }

    @Test
    void reportOfAReversedOrder() throws IOException {
        JsonNode p = report("INV-10-98", true).json().get("payments").get(0);
        assertEquals("REVERSED", p.get("state").asText());
        String d = p.get("description").asText();
        assertTrue(d.matches("sale of 10\\.98 840 for order INV-10-98 \\(STAN \\d{6}\\) sent \\d\\d:\\d\\d:\\d\\d, no answer in 1 s, reversal sent 3 times,"
                + " acknowledged \\d\\d:\\d\\d:\\d\\d; the customer was not charged.*"), d);
        assertEquals("no", p.get("impact").get("charged").asText());
        assertTrue(p.get("followUp").asText().startsWith("Nothing stands: the order may be paid again"), p.toString());
    }

    @Test
    void reportOfAReversalFailedOrder() throws IOException {
        JsonNode p = report("INV-10-99", true).json().get("payments").get(0);
        assertEquals("REVERSAL_FAILED", p.get("state").asText());
        String d = p.get("description").asText();
        // whether the customer was charged is uncertain, unless a status inquiry (pending --resolve asks) found it
        boolean asked = d.contains("a status inquiry found the sale standing at the host");
        assertTrue(asked ? d.contains("the customer was charged 10.99 840") && d.endsWith("the reversal was never acknowledged")
                : d.contains("never acknowledged; the customer MAY have been charged 10.99"), d);
        assertEquals(asked ? "yes" : "unknown", p.get("impact").get("charged").asText());
        assertTrue(p.get("followUp").asText().startsWith("Escalate to the acquirer"), p.toString());
        assertTrue(p.get("followUp").asText().contains("tally pending --resolve"), p.toString());
    }

    @Test
    void reportOfANotCreditedOrder() throws IOException {
        String md = report("INV-10-77", false).out();
        assertTrue(md.contains("the host reports the merchant was NOT credited"), md);
        assertTrue(md.contains("Raise a not-credited case with the acquirer"), md);
        assertTrue(md.contains("merchant credit NOT_CREDITED"), md);
    }

    @Test
    void reportOfADeclinedOrderAndBadInput() throws IOException {
        JsonNode p = report("INV-10-51", true).json().get("payments").get(0);
        assertEquals("DECLINED", p.get("state").asText());
        assertTrue(p.get("outcome").asText().startsWith("the customer was not charged"), p.toString());
        Lab.Run none = cli("--journal", lab.journal.toString(), "report", "--order", "NO-SUCH");
        assertEquals(64, none.exit());
        Lab.Run both = cli("--journal", lab.journal.toString(), "report", "--order", "INV-10-51", "--stan", "3");
        assertEquals(64, both.exit());
    }

    @Test
    void reportReadsRotatedMessageLogs() throws IOException {
        Path rotated = dir.resolve("rotated/m.jsonl");
        Files.createDirectories(rotated.getParent());
        Files.copy(messageLog, Path.of(rotated + ".1"));
        Files.writeString(rotated, "");
        Lab.Run r = cli("--journal", lab.journal.toString(), "--message-log", rotated.toString(), "report", "--order",
                "INV-10-00");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("REQUEST 0200") && r.out().contains("RESPONSE 0210"), r.out());
    }

    /** A --message-log that is not there: said on stderr, and the report does not claim to be from it. */
    @Test
    void reportWithAMessageLogThatIsNotThereSaysSo() {
        Path missing = dir.resolve("no-such-log.jsonl");
        Lab.Run r = cli("--journal", lab.journal.toString(), "--message-log", missing.toString(), "report", "--order",
                "INV-10-00");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("warning: the message log " + missing + " is not there"), r.err());
        assertTrue(r.out().contains("from the journal.") && !r.out().contains("and the message log"), r.out());
        assertFalse(r.out().contains(missing.toString()), "the report names a log it did not read: " + r.out());
        assertTrue(r.out().contains("(this command's --host/--port: the journal does not record the host"),
                "a host from the options is not passed off as the one the payments went to: " + r.out());
    }

    @Test
    void reportByTimeWindowAndByStan() {
        Lab.Run all = cli("--journal", lab.journal.toString(), "--json", "report", "--since", "2000-01-01",
                "--until", "2999-01-01T00:00:00Z");
        assertEquals(0, all.exit(), all.toString());
        assertEquals(AMOUNTS.size() + 1, all.json().get("payments").size());
        Lab.Run none = cli("--journal", lab.journal.toString(), "report", "--until", "2000-01-01");
        assertEquals(64, none.exit());
        Lab.Run badTime = cli("--journal", lab.journal.toString(), "report", "--since", "yesterday");
        assertEquals(64, badTime.exit());
        assertTrue(badTime.err().contains("--since"), badTime.err());
        Lab.Run reversed = cli("--journal", lab.journal.toString(), "report", "--since", "2026-11-25", "--until",
                "2026-11-24");
        assertEquals(64, reversed.exit(), reversed.toString());
        assertTrue(reversed.err().contains("--since 2026-11-25 is not before --until 2026-11-24"), reversed.err());
        Lab.Run stanZero = cli("--journal", lab.journal.toString(), "report", "--stan", "0");
        assertEquals(64, stanZero.exit(), stanZero.toString());
        assertTrue(stanZero.err().contains("--stan must be 1 to 999999"), stanZero.err());

        String stan = all.json().get("payments").get(0).get("stan").asText();
        Lab.Run byStan = cli("--journal", lab.journal.toString(), "--json", "report", "--stan", stan);
        assertEquals(0, byStan.exit(), byStan.toString());
        assertEquals("INV-10-00", byStan.json().get("payments").get(0).get("orderId").asText());
        // another terminal id's STAN (a journal of TALLY001 read as TALLY002's): the ids the journal holds are named
        // with the option to give; it said only "nothing in the journal ... matches STAN ... of terminal TALLY002"
        Lab.Run otherTerminal = cli("--journal", lab.journal.toString(), "--terminal-id", "TALLY002", "report", "--stan",
                stan);
        assertEquals(64, otherTerminal.exit(), otherTerminal.toString());
        assertTrue(otherTerminal.err().contains("matches STAN " + stan + " of terminal TALLY002; the journal holds"
                + " attempts of terminal TALLY001: give --terminal-id TALLY001 for its STANs, or the journal of terminal"
                + " TALLY002 (--journal)"), otherTerminal.err());
        Lab.Run noSuchStan = cli("--journal", lab.journal.toString(), "report", "--stan", "999999");
        assertEquals(64, noSuchStan.exit(), noSuchStan.toString());
        assertFalse(noSuchStan.err().contains("--terminal-id"), noSuchStan.err());
    }

    @Test
    void decodeReadsTheMessageLogAndNothingPrintedOrWrittenHoldsCardData() throws Exception {
        for (Future<Lab.Run> replay : started) {
            replayed(replay); // what every replay printed is scanned too, and no simulator writes in the folder meanwhile
        }
        Lab.Run d = cli("decode", "--file", messageLog.toString());
        assertEquals(0, d.exit(), d.err());
        assertTrue(d.out().contains("476173******0119"));
        Lab.Run dj = cli("--json", "decode", "--file", messageLog.toString());
        assertEquals(0, dj.exit());

        List<String> secrets = new ArrayList<>();
        for (TestCard c : TestCards.bundled().all()) {
            secrets.add(c.pan());
        }
        StringBuilder everything = new StringBuilder();
        printed.forEach(everything::append);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".jsonl") || name.contains(".jsonl.") || name.endsWith(".md") || name.endsWith(".json")) {
                    everything.append(Files.readString(p, StandardCharsets.ISO_8859_1));
                }
            }
        }
        String all = everything.toString();
        for (String pan : secrets) {
            assertFalse(all.contains(pan), "full PAN " + pan.substring(0, 6) + "... found");
        }
        for (String secretField : List.of("\"PIN_BLOCK\":", "\"EXPIRY\":", "\"TRACK2\":", "\"KEY_BLOCKS\":")) {
            int at = all.indexOf(secretField);
            assertTrue(at < 0, "a secret field was logged: " + (at < 0 ? "" : all.substring(Math.max(0, at - 300), at + 50)));
        }
        // the PIN block of the default card under no key would be this clear block: never printed either
        assertFalse(all.toUpperCase().contains(HexFormat.of().withUpperCase().formatHex(
                dev.tally.spec.crypto.PinBlock.format0("1234", Lab.PAN))));
    }
}
