package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay's options and inputs: same host twice (fresh field 7), --compare, --card-map, a jPOS XML log. */
class ReplayOptionsTest {

    @TempDir
    Path dir;
    Lab lab;
    Path log;

    @BeforeEach
    void record() throws Exception {
        lab = new Lab(dir, Duration.ofSeconds(3));
        log = dir.resolve("messages.jsonl");
        assertEquals(0, lab.tally("--message-log", log.toString(), "sale", "--order", "A-1", "--amount", "3.00").exit());
        assertEquals(0, lab.tally("--message-log", log.toString(), "sale", "--order", "A-2", "--amount", "4.00",
                "--card", "mc-1").exit());
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Lab.Run replay(String... extra) {
        List<String> args = new ArrayList<>(List.of("--json", "replay", log.toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(lab.sim.isoPort()), "--speed", "max", "--timeout", "3"));
        args.addAll(List.of(extra));
        return Lab.raw(args.toArray(String[]::new));
    }

    @Test
    void atMaxSpeedSalesOverlapAndStillMatchTheRecording() {
        for (int i = 3; i <= 24; i++) {
            assertEquals(0, lab.tally("--message-log", log.toString(), "sale", "--order", "A-" + i, "--amount",
                    i + ".00").exit());
        }
        Lab.Run max = replay();
        assertEquals(0, max.exit(), max.out());
        JsonNode totals = max.json().get("totals");
        assertEquals(24, totals.get("same").asInt(), max.out());
        assertTrue(totals.get("maxInFlight").asInt() > 1, "pipelined at max speed: " + totals);

        Lab.Run paced = Lab.raw("--json", "replay", log.toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(lab.sim.isoPort()), "--speed", "1000", "--timeout", "3");
        assertEquals(0, paced.exit(), paced.out());
        assertEquals(24, paced.json().get("totals").get("same").asInt());
        assertEquals(1, paced.json().get("totals").get("maxInFlight").asInt(), "one at a time at a recorded pace");
    }

    @Test
    void atMaxSpeedUpToTheWindowOfSalesAwaitTheirAnswersAtOnce() throws Exception {
        // 300 sales of 8 terminals, recorded in the simulator's message log
        Path hostLog = dir.resolve("host-messages.jsonl");
        try (Simulator recorder = Simulator.start(SimulatorConfig.defaults(dir.resolve("recorder.db")), hostLog)) {
            Lab.Run load = Lab.raw("--host", "127.0.0.1", "--port", String.valueOf(recorder.isoPort()), "--timeout", "5",
                    "load", "--no-journal", "--terminals", "8", "--requests", "300", "--duration", "60s", "--json");
            assertEquals(0, load.exit(), load.out() + load.err());
            assertEquals(300, load.json().get("requests").asInt(), load.out());
        }
        // a host that holds every sale's answer 8 s: what is sent meanwhile is all in flight at once (the replay has 8 s to
        // send the first 256, on a loaded machine too; each answer comes well within the 30 s timeout, the last 44 sales
        // sent as the first answers free the window)
        Path slow = dir.resolve("slow.json");
        Files.writeString(slow, "{\"rules\": [{\"match\": {\"mti\": \"0200\"}, \"action\": {\"delay\": \"8s\"}}]}");
        try (Simulator host = Simulator.start(SimulatorConfig.defaults(dir.resolve("slow.db")).withScenarioFile(slow))) {
            Lab.Run r = Lab.raw("--json", "replay", hostLog.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(host.isoPort()), "--speed", "max", "--timeout", "30");
            assertEquals(0, r.exit(), r.out() + r.err());
            JsonNode totals = r.json().get("totals");
            assertEquals(300, totals.get("same").asInt(), r.out());
            // docs/support.md: up to 256 awaiting their answers
            assertEquals(256, totals.get("maxInFlight").asInt(), "the window filled: " + totals);
        }
    }

    @Test
    void atMaxSpeedEveryTerminalSignsOnBeforeTheFirstRequestAndARefusedSignOnSendsNothing() throws Exception {
        // a second till, TALLY002, sells after the first one's two sales: its id comes up last in the log
        Lab.Run second = Lab.raw("--host", "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()), "--journal",
                dir.resolve("till-2.db").toString(), "--terminal-id", "TALLY002", "--timeout", "3", "--json",
                "--message-log", log.toString(), "sale", "--order", "B-1", "--amount", "5.00");
        assertEquals(0, second.exit(), second.out());

        Path replayLog = dir.resolve("replay-traffic.jsonl");
        Lab.Run r = Lab.raw("--message-log", replayLog.toString(), "--json", "replay", log.toString(), "--host",
                "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()), "--speed", "max", "--timeout", "3");
        assertEquals(0, r.exit(), r.out());
        assertEquals(3, r.json().get("totals").get("same").asInt(), r.out());
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(replayLog)) {
            JsonNode j = Lab.JSON.readTree(line);
            if (j.path("dir").asText().equals("OUT") && j.has("mti")) {
                out.add(j.get("mti").asText() + " " + j.get("terminalId").asText());
            }
        }
        assertEquals(List.of("0800 TALLY001", "0800 TALLY002"), out.subList(0, 2).stream().sorted().toList(),
                "both terminals sign on before the first sale: " + out);
        assertEquals(List.of("0200", "0200", "0200"), out.subList(2, 5).stream().map(m -> m.substring(0, 4)).toList(), out.toString());

        Path scenario = dir.resolve("refuse-till-2.json");
        Files.writeString(scenario, """
                {"testAmounts": true, "rules": [
                  {"name": "till 2 may not sign on", "match": {"terminal": "TALLY002", "mti": "0800"}, "action": {"respond": "05"}}]}
                """);
        try (dev.tally.simulator.Simulator refusing = dev.tally.simulator.Simulator.start(
                dev.tally.simulator.SimulatorConfig.defaults(dir.resolve("refusing/ledger.db")).withScenarioFile(scenario))) {
            Lab.Run refused = Lab.raw("--json", "replay", log.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(refusing.isoPort()), "--speed", "max", "--timeout", "3");
            assertEquals(69, refused.exit(), refused.out() + refused.err());
            assertTrue(refused.err().contains("refused the sign-on"), refused.err());
            assertEquals(List.of(), refusing.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all()),
                    "nothing sent: TALLY001's sales come first in the log, but TALLY002 could not sign on");
        }
    }

    /**
     * The host of a replay is its own --host and --port, typed after 'replay': never the global ones, the config file's
     * or the defaults. A support engineer ran 'tally --config till.properties replay one.log --speed max' (the config
     * for the report's location and operator): the replay went to the till's live host (here the lab's simulator, which
     * the config names), signed on as the till's terminal id and took the sales again. Now it is bad input, said in one
     * line before anything is read, sent or written.
     */
    @Test
    void aReplayWithoutItsOwnHostAndPortIsRefusedAndSendsNothing() throws Exception {
        String port = String.valueOf(lab.sim.isoPort());
        Path till = dir.resolve("till.properties");
        Files.writeString(till, "host=127.0.0.1\nport=" + port + "\nlocation=Ward 3 admissions desk\noperator=J. Doe\n");
        Path replaySettings = dir.resolve("replay.properties");
        Files.writeString(replaySettings, "tally.replay.host=127.0.0.1\ntally.replay.port=" + port + "\n");
        Path written = dir.resolve("replay-traffic.jsonl");
        Path journal = dir.resolve("replay-journal.db");
        var before = lab.sim.metrics().requestsByMti();
        List<String> ledger = lab.sim.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all()).stream()
                .map(Object::toString).toList();
        List<String> common = List.of("--message-log", written.toString(), "--journal", journal.toString());
        List<List<String>> cases = List.of(
                List.of("--config", till.toString(), "replay", log.toString(), "--speed", "max"),
                List.of("--host", "127.0.0.1", "--port", port, "replay", log.toString(), "--speed", "max"),
                List.of("--config", replaySettings.toString(), "replay", log.toString(), "--speed", "max"),
                List.of("--config", till.toString(), "replay", log.toString(), "--port", port, "--speed", "max"),
                List.of("--config", till.toString(), "replay", log.toString(), "--host", "127.0.0.1", "--speed", "max"),
                List.of("--config", till.toString(), "--json", "replay", log.toString(), "--speed", "max"),
                List.of("--config", till.toString(), "replay", "--journal", lab.journal.toString(), "--speed", "max"));
        for (List<String> c : cases) {
            List<String> args = new ArrayList<>(common);
            args.addAll(c);
            Lab.Run r = Lab.raw(args.toArray(String[]::new));
            assertEquals(64, r.exit(), c + ": " + r);
            String example = c.contains("--journal") ? "replay --journal FILE --host H --port N" : "replay LOG --host H --port N";
            String said = "replay needs the lab host to send to: give '" + example + "' (the global --host/--port and the"
                    + " config file's are not used by replay, so that a replay never goes to a live till's host)";
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertTrue(r.err().startsWith("tally: " + said), c + ": " + r.err());
            if (c.contains("--json")) {
                assertEquals("ERROR", r.status(), r.out());
                assertTrue(r.json().get("message").asText().startsWith(said), r.out());
            }
            assertEquals(before, lab.sim.metrics().requestsByMti(), c + ": nothing reached the host");
            assertEquals(ledger, lab.sim.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all()).stream()
                    .map(Object::toString).toList(), c + ": the host's ledger is as it was");
            assertTrue(!Files.exists(written) && !Files.exists(journal), c + ": no message log or journal made");
        }
        // given after 'replay', the same host is taken: the refusal is about where the host comes from, nothing else
        Lab.Run r = Lab.raw("--config", till.toString(), "--json", "replay", log.toString(), "--host", "127.0.0.1",
                "--port", port, "--speed", "max", "--timeout", "3");
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    @Test
    void theSameHostTwiceSeesNoDuplicateBecauseField7IsFresh() {
        Lab.Run first = replay();
        assertEquals(0, first.exit(), first.out());
        Lab.Run second = replay();
        assertEquals(0, second.exit(), second.out());
        assertEquals(2, second.json().get("totals").get("same").asInt());
        // the recorded sales and both replays of each stand at the host: 3 debits per order, no 94
        assertEquals(3, lab.standingDebits("A-1"));
        assertEquals(3, lab.standingDebits("A-2"));
    }

    @Test
    void compareBringsBackAnIgnoredFieldAndIgnoreHidesOne() {
        Lab.Run r = replay("--compare", "37");
        assertEquals(1, r.exit(), r.out());
        JsonNode d = r.json().get("messages").get(1).get("differences");
        assertEquals("RRN", d.get(0).get("field").asText());

        Lab.Run hidden = replay("--compare", "RRN,38", "--ignore", "F37");
        assertTrue(hidden.exit() == 0 || hidden.exit() == 1, hidden.out());
        for (JsonNode m : hidden.json().get("messages")) {
            for (JsonNode diff : m.get("differences")) {
                assertEquals("AUTH_CODE", diff.get("field").asText(), "--ignore wins over --compare: " + hidden.out());
            }
        }

        Lab.Run bad = replay("--ignore", "NOT_A_FIELD");
        assertEquals(64, bad.exit());
        assertTrue(bad.err().contains("NOT_A_FIELD"), bad.err());
    }

    @Test
    void aCardMapPutsAnotherTestCardInAndABadLineIsNamed() throws Exception {
        Path map = dir.resolve("cards.map");
        Files.writeString(map, "# masked PAN or last 4, card id\n541333******0442,low-1\n");
        // 4.00 on the 10.00 card low-1 is approved as well: the same answers
        Lab.Run r = replay("--card-map", map.toString());
        assertEquals(0, r.exit(), r.out());
        assertTrue(lab.ledger("A-2").stream().anyMatch(t -> t.cardId().equals("low-1")), lab.ledger("A-2").toString());

        Files.writeString(map, "0442,visa-1\nthis is not a mapping\n");
        Lab.Run bad = replay("--card-map", map.toString());
        assertEquals(64, bad.exit());
        assertTrue(bad.err().contains("line 2"), bad.err());
    }

    /**
     * A jPOS XML log of one sale of visa-1 (masked as jPOS's ProtectedLogListener writes field 2), 5.00 at terminal
     * TALLY009, that the host answered 51; with a track 2 (field 35) when {@code track2} is not null.
     */
    private static String jposSaleAnswered51(String stan, String entryMode, String track2, String order) {
        return """
                <log realm="channel/10.0.0.1:8583" at="2026-11-22T10:41:07.123">
                  <send>
                    <isomsg direction="outgoing">
                      <field id="0" value="0200"/>
                      <field id="2" value="476173______0119"/>
                      <field id="3" value="000000"/>
                      <field id="4" value="000000000500"/>
                      <field id="7" value="1122104107"/>
                      <field id="11" value="STAN"/>
                      <field id="12" value="104107"/>
                      <field id="13" value="1122"/>
                      <field id="22" value="ENTRY"/>
                      <field id="25" value="00"/>
                TRACK2      <field id="41" value="TALLY009"/>
                      <field id="42" value="HOSPITAL0000001"/>
                      <field id="49" value="840"/>
                      <field id="62" value="ORDER"/>
                    </isomsg>
                  </send>
                </log>
                <log realm="channel/10.0.0.1:8583" at="2026-11-22T10:41:07.456">
                  <receive>
                    <isomsg direction="incoming">
                      <field id="0" value="0210"/>
                      <field id="3" value="000000"/>
                      <field id="4" value="000000000500"/>
                      <field id="7" value="1122104107"/>
                      <field id="11" value="STAN"/>
                      <field id="37" value="632600000001"/>
                      <field id="38" value="123456"/>
                      <field id="39" value="51"/>
                      <field id="41" value="TALLY009"/>
                      <field id="62" value="ORDER"/>
                    </isomsg>
                  </receive>
                </log>
                """.replace("STAN", stan).replace("ENTRY", entryMode).replace("ORDER", order)
                .replace("TRACK2      ", track2 == null ? "      " : "      <field id=\"35\" value=\"" + track2 + "\"/>\n      ");
    }

    /** The replayed message's difference in {@code field}, or a missing node when it has none. */
    private static JsonNode difference(JsonNode message, String field) {
        for (JsonNode d : message.get("differences")) {
            if (d.get("field").asText().equals(field)) {
                return d;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    void aJposXmlLogIsReplayedAndCompared() throws Exception {
        Path xml = dir.resolve("jpos.log");
        Files.writeString(xml, jposSaleAnswered51("000777", "011", null, "XML-1"));
        Lab.Run r = Lab.raw("--json", "replay", xml.toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(lab.sim.isoPort()), "--speed", "10", "--timeout", "3");
        assertEquals(1, r.exit(), r.out());
        JsonNode m = r.json().get("messages").get(0);
        assertEquals("XML-1", m.get("orderRef").asText());
        JsonNode rc = difference(m, "RESPONSE_CODE");
        assertTrue(rc.path("recorded").asText().equals("51") && rc.path("replayed").asText().equals("00"), m.toString());
    }

    /**
     * A jPOS log's sale may carry track 2 (35), masked as jPOS's ProtectedLogListener writes it or in clear: the replay
     * puts the test card in for field 2 and leaves the recorded track out (it is the recorded card's), so the sale goes.
     * Before, the line was refused: "field 35 (track 2 data): must be digits only".
     */
    @Test
    void aJposXmlLogSaleWithATrack2IsReplayedWithoutIt() throws Exception {
        String[] tracks = {"476173______0119=_____________", "4761739001010119=30121011234567890"}; // bundled visa-1
        for (int i = 0; i < tracks.length; i++) {
            Path xml = dir.resolve("jpos-t2-" + i + ".log");
            Files.writeString(xml, jposSaleAnswered51("000778", "021", tracks[i], "XML-T2-" + i));
            assertTrue(Files.readString(xml).contains("<field id=\"35\" value=\"" + tracks[i] + "\"/>"), "the log has the track");
            Lab.Run r = Lab.raw("--json", "replay", xml.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(lab.sim.isoPort()), "--speed", "max", "--timeout", "3");
            assertEquals(1, r.exit(), r.out()); // replayed; differs from the recording only in its response code
            JsonNode m = r.json().get("messages").get(0);
            assertTrue(difference(m, "RESPONSE_CODE").path("replayed").asText().equals("00"), m.toString());
            assertTrue(!r.out().contains("4761739001010119") && !r.out().contains("1011234567890"), r.out());
        }
    }
}
