package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.ledger.CreditState;
import dev.tally.simulator.ledger.TxnState;
import dev.tally.simulator.scenario.ScenarioException;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.format.Masking;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.testing.MovableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** A scenario file driving the host, reloaded through the admin API without a restart. */
class ScenarioRulesTest extends SimulatorHarness {

    private Path scenario(String json) throws Exception {
        Path f = dir.resolve("scenario.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void rulesOfTheFileApplyAndAReloadChangesThemWithoutARestart() throws Exception {
        Path file = scenario("""
                {"rules": [
                  {"name": "TALLY002 issuer down", "match": {"terminal": "TALLY002", "mti": "0200"}, "action": {"respond": "91"}},
                  {"name": "second sale of TALLY001 declined", "match": {"terminal": "TALLY001", "mti": "0200", "occurrence": 2},
                   "action": {"respond": "05"}}
                ]}""");
        start(config().withScenarioFile(file));
        AdminClient admin = new AdminClient(sim.adminUri());
        try (TestTerminal t1 = signedOn("TALLY001"); TestTerminal t2 = signedOn("TALLY002")) {
            assertEquals("91", MessageView.of(t2.exchange(t2.saleRequest(VISA, 1000, "B-1").build())).responseCode());
            assertEquals("00", MessageView.of(t1.exchange(t1.saleRequest(VISA, 1000, "A-1").build())).responseCode());
            assertEquals("05", MessageView.of(t1.exchange(t1.saleRequest(VISA, 1000, "A-2").build())).responseCode());
            assertEquals("00", MessageView.of(t1.exchange(t1.saleRequest(VISA, 1005, "A-3").build())).responseCode(),
                    "no test amounts when a file is given without testAmounts");

            Files.writeString(file, """
                    {"testAmounts": true, "rules": [{"match": {"terminal": "TALLY002"}, "action": {"respond": "96"}}]}""");
            var reload = admin.post("/scenario/reload");
            assertEquals(200, reload.statusCode());
            assertEquals(1 + 16, admin.json(reload).get("rules").asInt());
            assertEquals("96", MessageView.of(t2.exchange(t2.saleRequest(VISA, 1000, "B-2").build())).responseCode());
            assertEquals("05", MessageView.of(t1.exchange(t1.saleRequest(VISA, 1005, "A-4").build())).responseCode());

            Files.writeString(file, "{\"rules\": [{\"match\": {\"cents\": 500}, \"action\": {\"respond\": \"05\"}}]}");
            var bad = admin.post("/scenario/reload");
            assertEquals(422, bad.statusCode());
            assertTrue(admin.json(bad).get("error").asText().contains("match.cents"), bad.body());
            assertEquals("96", MessageView.of(t2.exchange(t2.saleRequest(VISA, 1000, "B-3").build())).responseCode(),
                    "a bad file leaves the rules in force");
        }
    }

    /**
     * The scenario comes after the host's own checks (docs/simulator.md §2): a sale refused for its card (14) or its
     * MAC (A0) is answered as such and uses up no rule's occurrence, a rule that drops requests does not swallow a
     * refusal, and a duplicate is answered 94 even under a rule that withholds answers. Before, the rule was asked
     * first: the refusals used up "the 3rd sale", and the drop and the withholding hid the 14 and the 94.
     */
    @Test
    void requestsTheHostRefusesOnItsOwnAreAnsweredAsSuchAndUseUpNoRule() throws Exception {
        Path file = scenario("""
                {"rules": [
                  {"name": "3rd sale of TALLY001 declined", "match": {"terminal": "TALLY001", "mti": "0200", "occurrence": 3},
                   "action": {"respond": "91"}},
                  {"name": "TALLY002 unreachable", "match": {"terminal": "TALLY002"}, "action": {"dropRequest": true}},
                  {"name": "TALLY003 answers lost", "match": {"terminal": "TALLY003", "mti": "0200"},
                   "action": {"dropResponse": true}}
                ]}""");
        start(config().withScenarioFile(file));
        var unknown = new dev.tally.spec.card.TestCard("x", "4111111111111111", VISA.expiry(), "1234", 0, "840", "not on file");
        try (TestTerminal t1 = signedOn("TALLY001"); TestTerminal t2 = new TestTerminal(sim.isoPort(), "TALLY002");
             TestTerminal t3 = signedOn("TALLY003")) {
            assertEquals("00", MessageView.of(t1.exchange(t1.saleRequest(VISA, 1000, "A-1").build())).responseCode());
            assertEquals("14", MessageView.of(t1.exchange(t1.saleRequest(unknown, 1000, "A-X").build())).responseCode());
            ISOMsg badMac = t1.saleRequest(VISA, 1000, "A-Y").build();
            dev.tally.spec.crypto.MessageMac.apply(badMac, new byte[16]);
            t1.sendRaw(badMac);
            assertEquals("A0", MessageView.of(t1.receive()).responseCode());
            assertEquals("00", MessageView.of(t1.exchange(t1.saleRequest(VISA, 1000, "A-2").build())).responseCode(),
                    "the 14 and the A0 were no sales of the scenario's count");
            assertEquals("91", MessageView.of(t1.exchange(t1.saleRequest(VISA, 1000, "A-3").build())).responseCode());

            // TALLY002 never signed on: its sale is refused A1 (sign on first), not dropped
            t2.send(t2.saleRequest(VISA, 1000, "B-1").build());
            assertEquals("A1", t2.receiveWithin(Duration.ofSeconds(5)).map(m -> MessageView.of(m).responseCode())
                    .orElse("no answer"));

            ISOMsg sale = t3.saleRequest(VISA, 1000, "C-1").build();
            t3.send((ISOMsg) sale.clone());
            assertTrue(t3.receiveWithin(Duration.ofMillis(300)).isEmpty(), "the rule withholds the sale's answer");
            t3.connect();
            t3.send(sale);
            assertEquals("94", t3.receiveWithin(Duration.ofSeconds(5)).map(m -> MessageView.of(m).responseCode())
                    .orElse("no answer"), "the repeat is a duplicate, which the host answers before any rule");
        }
    }

    /**
     * A file of two objects (the second would have been ignored: 0 rules loaded, 200) and a key given twice (the last
     * would have won: "05" then "00" approving): refused at start-up and on reload, naming the file and the line and
     * column, and a reload refused keeps the rules in force.
     */
    @Test
    void aFileWithASecondObjectOrAKeyGivenTwiceIsRefusedAtStartAndOnReload() throws Exception {
        String twoObjects = """
                {"rules": []}
                {"rules": [{"match": {"terminal": "TALLY002"}, "action": {"respond": "91"}}]}""";
        String twice = """
                {"rules": [{"match": {"terminal": "TALLY002"}, "action": {"respond": "05", "respond": "00"}}]}""";
        for (String json : new String[] {twoObjects, twice}) {
            Path file = scenario(json);
            ScenarioException e = assertThrows(ScenarioException.class, () -> start(config().withScenarioFile(file)));
            assertTrue(e.getMessage().startsWith("scenario file " + file + ": line "), e.getMessage());
        }

        Path file = scenario("""
                {"rules": [{"match": {"terminal": "TALLY002", "mti": "0200"}, "action": {"respond": "96"}}]}""");
        start(config().withScenarioFile(file));
        AdminClient admin = new AdminClient(sim.adminUri());
        try (TestTerminal t2 = signedOn("TALLY002")) {
            for (String json : new String[] {twoObjects, twice}) {
                Files.writeString(file, json);
                var bad = admin.post("/scenario/reload");
                assertEquals(422, bad.statusCode(), bad.body());
                String error = admin.json(bad).get("error").asText();
                // the API scrubs what it answers: a temp folder's random digits can read as a card number
                assertTrue(error.contains(Masking.scrubTyped(file.toString())) && error.contains("line ")
                        && error.contains("rules in force are unchanged"), error);
                assertTrue(error.contains(json.equals(twice) ? "'respond' is given twice" : "more JSON after the end"), error);
                assertEquals(1, admin.getJson("/health").get("rules").asInt());
                assertEquals("96", MessageView.of(t2.exchange(t2.saleRequest(VISA, 1000, "R-" + json.length()).build()))
                        .responseCode(), "the rules in force are kept");
            }
        }
    }

    /** A reload of a file moved away says so (it said the path twice: "cannot read the scenario file x: x"). */
    @Test
    void aReloadOfAFileNoLongerThereSaysSoAndKeepsTheRules() throws Exception {
        Path file = scenario("""
                {"rules": [{"match": {"terminal": "TALLY002", "mti": "0200"}, "action": {"respond": "96"}}]}""");
        start(config().withScenarioFile(file));
        AdminClient admin = new AdminClient(sim.adminUri());
        Files.delete(file);
        var bad = admin.post("/scenario/reload");
        assertEquals(422, bad.statusCode(), bad.body());
        // the folder is left out: the admin API scrubs its errors, and a temp folder's random number may read as a card
        String error = admin.json(bad).get("error").asText();
        assertTrue(error.startsWith("cannot read the scenario file ") && error.endsWith(file.getFileName()
                + ": no such file (check the path given to --scenario) (the rules in force are unchanged)"), error);
        assertEquals(1, admin.getJson("/health").get("rules").asInt());
    }

    @Test
    void creditAfterADelayIsCreditedOnceTheClockPassesIt() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:00:00Z"));
        start(config().withClock(clock).withScenarioFile(scenario("""
                {"rules": [{"match": {"mti": "0200"}, "action": {"creditAfter": "30m"}}]}""")));
        try (TestTerminal t = signedOn("TALLY001")) {
            assertEquals("00", MessageView.of(t.exchange(t.saleRequest(VISA, 1000, "C-1").build())).responseCode());
        }
        assertEquals(CreditState.PENDING, onlyTxn("TALLY001", "C-1").creditState());
        clock.advance(Duration.ofMinutes(29));
        assertEquals(CreditState.PENDING, onlyTxn("TALLY001", "C-1").creditState());
        clock.advance(Duration.ofMinutes(2));
        var tx = onlyTxn("TALLY001", "C-1");
        assertEquals(CreditState.CREDITED, tx.creditState());
        assertEquals(java.time.LocalDate.parse("2026-11-22"), tx.creditDate());
    }

    @Test
    void droppedReversalsAreCountedInTheLedgerAcrossARestart() throws Exception {
        Path file = scenario("""
                {"rules": [{"match": {"mti": "0200", "amount": 3333}, "action": {"dropResponse": true, "dropReversals": 2}}]}""");
        start(config().withScenarioFile(file));
        int port = sim.isoPort();
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 3333, "D-1").build();
            t.send((ISOMsg) sale.clone());
            assertTrue(t.receiveWithin(Duration.ofMillis(500)).isEmpty());
            // no answer tells when the host is done: the ledger does (a slow machine may take longer than the silence)
            await("the sale in the ledger", PROCESSED, () -> reversalCount("TALLY001", "D-1") == 0);
            int rs = t.nextStan();
            t.connect();
            t.send(t.reversalOf(sale, rs, false, ReversalReason.NO_RESPONSE));
            assertTrue(t.receiveWithin(Duration.ofMillis(500)).isEmpty(), "first reversal dropped");
            await("the first reversal counted before the restart", PROCESSED, () -> reversalCount("TALLY001", "D-1") == 1);

            sim.close();
            startAgainOn(port, config().withScenarioFile(file));
            t.connect();
            t.send(t.reversalOf(sale, rs, true, ReversalReason.NO_RESPONSE));
            assertTrue(t.receiveWithin(Duration.ofMillis(500)).isEmpty(), "second reversal dropped, after the restart");
            await("the second reversal counted", PROCESSED, () -> reversalCount("TALLY001", "D-1") == 2);
            t.connect();
            assertEquals("00", MessageView.of(t.exchange(t.reversalOf(sale, rs, true, ReversalReason.NO_RESPONSE)))
                    .responseCode(), "the third is acknowledged");
        }
        var tx = onlyTxn("TALLY001", "D-1");
        assertEquals(TxnState.REVERSED, tx.state());
        assertEquals(3, tx.reversalCount());
        assertEquals(1_000_000, ledger().balance("visa-1"));
    }

    @Test
    void anInvalidScenarioFileStopsTheStartWithTheRuleAndKey() throws Exception {
        Path file = scenario("{\"rules\": [{\"name\": \"typo\", \"match\": {\"amout\": 5}, \"action\": {\"respond\": \"05\"}}]}");
        ScenarioException e = assertThrows(ScenarioException.class, () -> start(config().withScenarioFile(file)));
        assertTrue(e.getMessage().contains("rule 1 (\"typo\"): match: unknown key 'amout'"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("ledger.db")), "nothing was created");
    }

    /**
     * With a --cards file, a rule matching a PAN that is none of its cards could never match (the host answers an
     * unknown card 14 before the rules): the start is refused naming the rule and the file, the PAN masked; so is a
     * reload that brings such a rule, the rules in force kept. It loaded silently.
     */
    @Test
    void aRulePanNotInTheCardsFileIsRefusedAtStartAndAtReload() throws Exception {
        Path cards = dir.resolve("lab-cards.csv");
        Files.writeString(cards, "# id,pan,expiry_yymm,pin,balance,currency,description\n"
                + "visa-1," + VISA.pan() + ",3012,1234,100.00,840,x\n");
        String mcRule = """
                {"rules": [{"name": "mc declined", "match": {"pan": "5413330089010442"}, "action": {"respond": "05"}}]}""";
        Path file = scenario(mcRule);
        ScenarioException e = assertThrows(ScenarioException.class,
                () -> Simulator.start(config().withCardsFile(cards).withScenarioFile(file)).close());
        assertTrue(e.getMessage().contains("rule 1 (\"mc declined\"): match.pan 541333******0442 is not a card of the cards"
                + " file " + cards + ", so the rule could never match"), e.getMessage());
        assertTrue(!e.getMessage().contains("5413330089010442"), e.getMessage());

        Files.writeString(file, """
                {"rules": [{"match": {"pan": "%s"}, "action": {"respond": "05"}}]}""".formatted(VISA.pan()));
        start(config().withCardsFile(cards).withScenarioFile(file));
        Files.writeString(file, mcRule);
        var reload = new AdminClient(sim.adminUri()).post("/scenario/reload");
        assertEquals(422, reload.statusCode(), reload.body());
        assertTrue(reload.body().contains("is not a card of the cards file"), reload.body());
        assertTrue(!reload.body().contains("5413330089010442"), reload.body());
        assertEquals(1, new AdminClient(sim.adminUri()).getJson("/health").get("rules").asInt(), "the rules in force stay");
    }
}
