package dev.tally.simulator.scenario;

import dev.tally.spec.format.DurationText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.ledger.CreditPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading and validating scenario files; every error names the rule and the key. */
class ScenarioFileTest {

    private static ScenarioRequest sale(String terminal, long amount, int stan) {
        return new ScenarioRequest("0200", "000000", terminal, "4761739001010119", amount, stan);
    }

    @Test
    void firstMatchingRuleDecides() {
        Scenario s = ScenarioFile.parse("""
                {"rules": [
                  {"name": "issuer down for TALLY002", "match": {"terminal": "TALLY002", "mti": ["0200", "0100"]},
                   "action": {"respond": "91"}},
                  {"name": "big ones late", "match": {"amountRange": {"min": 100000, "max": 200000}}, "action": {"late": true}},
                  {"name": "visa BIN", "match": {"bin": "476173", "cents": 42}, "action": {"delay": "250ms", "respondTwice": true}}
                ]}""", "test");
        assertEquals("issuer down for TALLY002", s.decide(sale("TALLY002", 150000, 1)).ruleName());
        assertEquals("91", s.decide(sale("TALLY002", 1, 2)).action().respond());
        assertEquals("big ones late", s.decide(sale("TALLY001", 150000, 3)).ruleName());
        Decision d = s.decide(sale("TALLY001", 1042, 4));
        assertEquals(Duration.ofMillis(250), d.action().delay());
        assertTrue(d.action().respondTwice());
        assertFalse(s.decide(sale("TALLY001", 1043, 5)).matched());
        assertFalse(s.decide(new ScenarioRequest("0800", null, "TALLY001", null, null, 6)).matched(),
                "amount rules never match a message without an amount");
    }

    @Test
    void occurrenceMatchesOnlyTheNthAndProbabilityIsRepeatableWithASeed() {
        Scenario s = ScenarioFile.parse("""
                {"rules": [{"match": {"mti": "0200", "occurrence": 3}, "action": {"respond": "05"}}]}""", "test");
        assertFalse(s.decide(sale("T", 1, 1)).matched());
        assertFalse(s.decide(sale("T", 1, 2)).matched());
        assertTrue(s.decide(sale("T", 1, 3)).matched());
        assertFalse(s.decide(sale("T", 1, 4)).matched());

        String json = """
                {"seed": 42, "rules": [{"match": {"probability": 0.3}, "action": {"dropRequest": true}}]}""";
        Scenario a = ScenarioFile.parse(json, "a");
        Scenario b = ScenarioFile.parse(json, "b");
        int hits = 0;
        for (int i = 1; i <= 1000; i++) {
            boolean ha = a.decide(sale("T", 1, i)).matched();
            assertEquals(ha, b.decide(sale("T", 1, i)).matched(), "same seed, same draws");
            hits += ha ? 1 : 0;
        }
        assertTrue(hits > 200 && hits < 400, "about 30% of 1000, got " + hits);
    }

    @Test
    void creditAndReversalActionsAndTestAmountsAppended() {
        Scenario s = ScenarioFile.parse("""
                {"testAmounts": true, "rules": [
                  {"match": {"pan": "5413330089010442"}, "action": {"creditAfter": "10m"}},
                  {"match": {"stan": 77}, "action": {"dropResponse": true, "dropReversals": 1}},
                  {"match": {"amount": 4242}, "action": {"neverAnswerReversals": true, "credit": "next-cutover"}}
                ]}""", "test");
        assertEquals(3 + TestAmounts.rules().size(), s.rules().size());
        Action credit = s.decide(new ScenarioRequest("0200", "000000", "T", "5413330089010442", 100L, 1)).action();
        assertEquals(CreditPolicy.after(Duration.ofMinutes(10)), credit.credit());
        Action drop = s.decide(sale("T", 100, 77)).action();
        assertEquals(1, drop.reversals().dropFirst());
        Action never = s.decide(sale("T", 4242, 5)).action();
        assertTrue(never.reversals().neverAnswer());
        assertEquals(CreditPolicy.NEXT_CUTOVER, never.credit());
        assertEquals("05", s.decide(sale("T", 1005, 6)).action().respond(), "test amounts come after the file's rules");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"rules\": [{\"match\": {\"cents\": 123}, \"action\": {\"respond\": \"05\"}}]}|rule 1: match.cents must be an integer from 0 to 99",
            "{\"rules\": [{\"name\": \"x\", \"match\": {\"mti\": \"200\"}, \"action\": {\"respond\": \"05\"}}]}|rule 1 (\"x\"): match.mti must be a 4-digit MTI",
            "{\"rules\": [{\"match\": {}, \"action\": {\"respnd\": \"05\"}}]}|rule 1: action: unknown key 'respnd'",
            "{\"rules\": [{\"match\": {\"termnal\": \"T\"}, \"action\": {\"respond\": \"05\"}}]}|rule 1: match: unknown key 'termnal'",
            "{\"rules\": [{\"match\": {\"terminal\": \"TALLY01\"}, \"action\": {\"respond\": \"05\"}}]}|rule 1: match.terminal must be a terminal id of 8 characters",
            "{\"rules\": [{\"action\": {\"respond\": \"5\"}}]}|rule 1: action.respond must be a 2-character response code",
            "{\"rules\": [{\"action\": {\"respond\": \"z1\"}}]}|rule 1: action.respond must be a 2-character response code of digits and capital letters",
            "{\"rules\": [{\"action\": {\"late\": false}}]}|rule 1: key 'action' must be an object with at least one of [closeConnection, credit, creditAfter, delay, dropRequest, dropResponse, dropReversals, garbage, late, neverAnswerReversals, respond, respondTwice] (every key given here is false or zero",
            "{\"rules\": [{\"action\": {\"garbage\": false, \"respondTwice\": false, \"neverAnswerReversals\": false}}]}|rule 1: key 'action' must be an object with at least one of",
            "{\"rules\": [{\"action\": {\"delay\": \"0s\"}}]}|rule 1: key 'action' must be an object with at least one of",
            "{\"rules\": [{\"action\": {}}]}|rule 1: key 'action' must be an object with at least one of",
            "{\"rules\": [{\"match\": {\"pan\": \"4761739001010118\"}, \"action\": {\"respond\": \"05\"}}]}|rule 1: match.pan 476173******0118 fails the Luhn check (ISO/IEC 7812-1), so it is no card number and the rule could never match; copy the PAN from the cards file",
            "{\"rules\": [{\"action\": {\"delay\": \"soon\"}}]}|rule 1: action.delay: 'soon' is not a duration",
            "{\"rules\": [{\"action\": {\"delay\": \"99999999999999999h\"}}]}|rule 1: action.delay: duration '99999999999999999h' is too long",
            "{\"rules\": [{\"action\": {\"delay\": \"9999999999999h\"}}]}|rule 1: action.delay must be at most 24h, got 9999999999999h",
            "{\"rules\": [{\"action\": {\"delay\": \"25h\"}}]}|rule 1: action.delay must be at most 24h, got 25h",
            "{\"rules\": [{\"action\": {\"creditAfter\": \"P400D\"}}]}|rule 1: action.creditAfter must be at most 366 days",
            "{\"rules\": [{\"match\": {\"amount\": 18446744073709556060}, \"action\": {\"respond\": \"05\"}}]}|match.amount must be an integer from 0",
            "{\"rules\": [{\"match\": {\"cents\": 18446744073709551660}, \"action\": {\"respond\": \"05\"}}]}|match.cents must be an integer from 0 to 99",
            "{\"rules\": [{\"action\": {\"dropRequest\": true, \"respond\": \"05\"}}]}|rule 1: action.dropRequest ignores the request entirely",
            "{\"rules\": [{\"action\": {\"dropResponse\": true, \"garbage\": true}}]}|dropResponse, closeConnection and garbage exclude each other",
            "{\"rules\": [{\"action\": {\"late\": true, \"delay\": \"1s\"}}]}|use either 'late'",
            "{\"rules\": [{\"match\": {\"probability\": 2}, \"action\": {\"respond\": \"05\"}}]}|match.probability must be a number from 0 to 1",
            "{\"rules\": [{\"match\": {\"amountRange\": {\"min\": 5, \"max\": 1}}, \"action\": {\"respond\": \"05\"}}]}|match.amountRange.min (5) is greater than max (1)",
            "{\"rules\": [{\"match\": {\"cents\": 5}}]}|rule 1: key 'action' is required",
            "{\"rules\": [{\"action\": {\"credit\": \"later\"}}]}|action.credit must be",
            "{\"rules\": [{\"action\": {\"dropReversals\": 2, \"neverAnswerReversals\": true}}]}|use either 'dropReversals' or 'neverAnswerReversals'",
            "{\"rulez\": []}|unknown key 'rulez'",
            "{\"rules\": {}}|key 'rules' is required and must be an array",
            "[1, 2]|the top level must be an object",
            "{\"rules\": [ {\"action\": {\"respond\": \"05\"}},, ]}|is not valid JSON: line 1",
            "{\"rules\": []} {\"rules\": [{\"action\": {\"respond\": \"05\"}}]}|: line 1, column 15: more JSON after the end of the top-level object",
            "{\"rules\": []}}|is not valid JSON: line 1, column 14",
            "{\"rules\": [{\"match\": {\"mti\": [\"0200\", \"0210\"]}, \"action\": {\"respond\": \"05\"}}]}|match.mti \"0210\" is a response MTI",
            "{\"rules\": [|expected close marker for Array (start marker at line 1, column 11)",
            "{\"rules\": [{\"action\": {\"respond\": \"05\", \"respond\": \"00\"}}]}|: line 1, column 50: key 'respond' is given twice in one object; keep the one you mean",
            "{\"rules\": [{\"match\": {\"amount\": 100, \"amount\": 200}, \"action\": {\"respond\": \"05\"}}]}|: key 'amount' is given twice",
            "{\"rules\": [], \"rules\": [{\"action\": {\"respond\": \"05\"}}]}|: line 1, column 22: key 'rules' is given twice"
    })
    void invalidFilesAreRefusedNamingTheRuleAndTheKey(String json, String expected) {
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioFile.parse(json, "lab.json"));
        assertTrue(e.getMessage().startsWith("scenario file lab.json"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    /**
     * {@code "dropReversals": 0} does something on a reversal only: it answers it whatever its sale's policy. On a rule
     * that can match anything else it is refused; before, it loaded, and a 1.05 sale it matched was approved instead
     * of 05 (the rule decided the sale normally and hid the rules after it and the test amounts).
     */
    @Test
    void dropReversalsZeroIsRefusedUnlessTheRuleMatchesOnlyReversals() {
        for (String match : new String[] {"", "\"match\": {\"cents\": 5}, ", "\"match\": {\"mti\": [\"0400\", \"0200\"]}, "}) {
            String json = "{\"testAmounts\": true, \"rules\": [{\"name\": \"answer reversals\", " + match
                    + "\"action\": {\"dropReversals\": 0}}]}";
            ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioFile.parse(json, "lab.json"), json);
            assertTrue(e.getMessage().startsWith("scenario file lab.json: rule 1 (\"answer reversals\"): action.dropReversals 0"
                    + " drops no reversal") && e.getMessage().contains("restrict the rule to reversals with \"match\": {\"mti\":"
                    + " [\"0400\", \"0401\"]}"), e.getMessage());
        }
        Scenario s = ScenarioFile.parse("""
                {"testAmounts": true, "rules": [
                  {"name": "answer reversals", "match": {"mti": ["0400", "0401"]}, "action": {"dropReversals": 0}}
                ]}""", "lab.json");
        Decision reversal = s.decide(new ScenarioRequest("0401", "000000", "T", "4761739001010119", 199L, 9));
        assertEquals("answer reversals", reversal.ruleName());
        assertEquals(0, reversal.action().reversals().dropFirst(), "answered, whatever the 1.99 sale's policy");
        assertEquals("05", s.decide(sale("T", 105, 10)).action().respond(), "a sale still gets its test amount");
        assertTrue(ScenarioFile.parse("{\"rules\": [{\"action\": {\"dropReversals\": 0, \"respond\": \"05\"}}]}", "x")
                .decide(sale("T", 100, 11)).matched(), "with another key the action does something: accepted");
    }

    @Test
    void durationsAsPeopleWriteThem() {
        assertEquals(Duration.ofMillis(500), DurationText.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), DurationText.parse("5s"));
        assertEquals(Duration.ofMinutes(2), DurationText.parse("2m"));
        assertEquals(Duration.ofSeconds(5), DurationText.parse("PT5S"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("5 parsecs"));
        assertNull(TestAmounts.scenario().decide(sale("T", 1000, 1)).ruleName());
    }

    /** It was "cannot read the scenario file x.json: x.json": the path twice, and not why. */
    @Test
    void aScenarioFileThatCannotBeReadSaysWhy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path missing = dir.resolve("lab.json");
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioFile.load(missing));
        assertEquals("cannot read the scenario file " + missing + ": no such file (check the path given to --scenario)",
                e.getMessage());
        ScenarioException folder = assertThrows(ScenarioException.class, () -> ScenarioFile.load(dir));
        assertEquals("cannot read the scenario file " + dir + ": is a directory, not a file (check the path given to"
                + " --scenario)", folder.getMessage());
    }

    /** A file saved in another encoding: the message says so and where (was 'Input length = 1'). */
    @Test
    void aScenarioFileThatIsNotUtf8IsNamedAsSuch(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("latin1.json");
        java.nio.file.Files.write(file, "{\"rules\": [{\"name\": \"caf\u00e9\", \"match\": {\"cents\": 5}, \"action\": {\"respond\": \"05\"}}]}"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioFile.load(file));
        assertTrue(e.getMessage().contains("is not UTF-8 text") && e.getMessage().contains("save the scenario file as UTF-8"),
                e.getMessage());
    }

    /**
     * With the cards file known, a rule's PAN that is none of its cards is refused naming the file (it could never
     * match: the host answers an unknown card 14 before asking the rules); the PAN is shown masked. Without one it loads.
     */
    @Test
    void aPanMatchThatIsNotInTheCardsFileIsRefusedWhenTheFileIsKnown() {
        String json = """
                {"rules": [{"name": "mc", "match": {"pan": "5413330089010442"}, "action": {"respond": "05"}}]}""";
        KnownCards cards = new KnownCards(java.util.Set.of("4761739001010119"), "the cards file lab-cards.csv");
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioFile.parse(json, "lab.json", cards));
        assertEquals("scenario file lab.json: rule 1 (\"mc\"): match.pan 541333******0442 is not a card of the cards file"
                + " lab-cards.csv, so the rule could never match (the host answers an unknown card 14 before the rules);"
                + " give a PAN of that file, or add the card to it", e.getMessage());
        assertEquals(1, ScenarioFile.parse(json, "lab.json").rules().size(), "no cards file to check against");
        assertEquals(1, ScenarioFile.parse(json, "lab.json", new KnownCards(java.util.Set.of("5413330089010442"), "x"))
                .rules().size());
    }

    /** A code the catalogue does not have is allowed (labs test terminals with odd codes), and answered as written. */
    @Test
    void aResponseCodeOutsideTheCatalogueIsAllowed() {
        Scenario s = ScenarioFile.parse("""
                {"rules": [{"action": {"respond": "ZZ"}}, {"action": {"respond": "00"}}]}""", "lab.json");
        assertEquals("ZZ", s.decide(sale("T", 1000, 1)).action().respond());
    }

    /** The cards a scenario is checked against are printed by count and source, never by their numbers. */
    @Test
    void knownCardsNeverPrintTheirNumbers() {
        String shown = new KnownCards(java.util.Set.of("4761739001010119"), "cards.json").toString();
        assertFalse(shown.contains("4761739001010119"), shown);
        assertTrue(shown.contains("1 cards from cards.json"), shown);
    }
}
