package dev.tally.simulator.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tally.simulator.ledger.CreditPolicy;
import dev.tally.simulator.ledger.ReversalPolicy;
import dev.tally.spec.format.DurationText;
import dev.tally.spec.format.JsonProblems;
import dev.tally.spec.format.Masking;
import dev.tally.spec.message.MessageCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates a scenario file (JSON, format in docs/simulator.md). Every error names the rule
 * (number and name) and the key, and says what is allowed; nothing is half-loaded.
 */
public final class ScenarioFile {

    /**
     * The longest answer delay a rule (or {@code --late-delay}) may ask for: longer is no test of a terminal, and past
     * it time arithmetic overflows.
     */
    public static final Duration MAX_DELAY = Duration.ofHours(24);
    /** The longest a rule may hold a merchant credit back. */
    static final Duration MAX_CREDIT_AFTER = Duration.ofDays(366);

    /**
     * Strict: a key given twice in one object is refused (Jackson would keep the last: {@code "respond": "05",
     * "respond": "00"} approving what the author meant to decline), and so is anything after the top-level object
     * (see {@link #parse}).
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Set<String> ROOT_KEYS = Set.of("seed", "testAmounts", "rules");
    private static final Set<String> RULE_KEYS = Set.of("name", "match", "action");
    private static final Set<String> MATCH_KEYS = Set.of("mti", "processingCode", "terminal", "pan", "bin", "amount",
            "amountRange", "cents", "stan", "occurrence", "probability");
    private static final Set<String> ACTION_KEYS = Set.of("respond", "delay", "late", "dropRequest", "dropResponse",
            "closeConnection", "respondTwice", "garbage", "credit", "creditAfter", "dropReversals", "neverAnswerReversals");
    /** The MTIs of a reversal, on which a reversal policy of a rule applies to the request itself. */
    private static final Set<String> REVERSAL_MTIS = Set.of("0400", "0401");

    private ScenarioFile() {
    }

    public static Scenario load(Path file) {
        return load(file, null);
    }

    /**
     * {@link #load(Path)} where a rule matching a PAN that is not among {@code cards} is refused (it could never match);
     * {@code cards} null: no cards file to check against.
     */
    public static Scenario load(Path file, KnownCards cards) {
        String text;
        try {
            text = dev.tally.spec.format.Utf8File.read(file, "save the scenario file as UTF-8 (JSON is UTF-8)");
        } catch (IllegalArgumentException e) {
            throw new ScenarioException("cannot read the scenario file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ScenarioException("cannot read the scenario file " + file + ": "
                    + dev.tally.spec.format.Utf8File.reason(file, e) + " (check the path given to --scenario)", e);
        }
        return parse(text, file.toString(), cards);
    }

    public static Scenario parse(String json, String source) {
        return parse(json, source, null);
    }

    /** {@link #parse(String, String)} with the PANs of {@code match.pan} checked against {@code cards} (null: not). */
    public static Scenario parse(String json, String source, KnownCards cards) {
        if (json == null || json.isBlank()) {
            throw new ScenarioException("scenario file " + source + " is empty: it must hold {\"rules\": [...]}");
        }
        JsonNode root;
        try (JsonParser parser = JSON.createParser(json)) {
            root = JSON.readTree(parser);
            // a second value after the first (two files pasted together, a stray "}"): Jackson would stop reading at the
            // end of the first and load its rules as if the rest were not there
            if (parser.nextToken() != null) {
                JsonLocation at = parser.currentTokenLocation();
                throw new ScenarioException("scenario file " + source + ": line " + at.getLineNr() + ", column "
                        + at.getColumnNr() + ": more JSON after the end of the top-level object; a scenario file holds one"
                        + " object {\"rules\": [...]}: join the rules into its one \"rules\" list and remove the rest");
            }
        } catch (JsonProcessingException e) {
            String message = JsonProblems.describe(e);
            String what = " is not valid JSON";
            if (message.startsWith("Duplicate field")) { // STRICT_DUPLICATE_DETECTION: "Duplicate field 'respond'"
                message = message.replaceFirst("^Duplicate field", "key") + " is given twice in one object; keep the one"
                        + " you mean";
                what = "";
            }
            throw new ScenarioException("scenario file " + source + what + ": line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + message, e);
        } catch (IOException e) {
            throw new ScenarioException("scenario file " + source + ": cannot be read as JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ScenarioException("scenario file " + source + ": the top level must be an object {\"rules\": [...]}");
        }
        String where = "scenario file " + source;
        unknownKeys(root, ROOT_KEYS, where);
        long seed = 0;
        if (root.has("seed")) {
            if (!root.get("seed").canConvertToLong() || !root.get("seed").isIntegralNumber()) {
                throw new ScenarioException(where + ": key 'seed' must be an integer");
            }
            seed = root.get("seed").asLong();
        }
        boolean testAmounts = bool(root, "testAmounts", where);
        JsonNode rulesNode = root.get("rules");
        if (rulesNode == null || !rulesNode.isArray()) {
            throw new ScenarioException(where + ": key 'rules' is required and must be an array of rules");
        }
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode r : rulesNode) {
            i++;
            rules.add(rule(r, i, where, cards));
        }
        if (testAmounts) {
            rules = Scenario.concat(rules, TestAmounts.rules());
        }
        return new Scenario(source, rules, seed);
    }

    private static Rule rule(JsonNode r, int index, String file, KnownCards cards) {
        String where = file + ": rule " + index;
        if (!r.isObject()) {
            throw new ScenarioException(where + ": must be an object with 'match' and 'action'");
        }
        String name = "rule " + index;
        if (r.has("name")) {
            if (!r.get("name").isTextual() || r.get("name").asText().isBlank()) {
                throw new ScenarioException(where + ": key 'name' must be a non-empty string");
            }
            name = r.get("name").asText();
            where = where + " (\"" + name + "\")";
        }
        unknownKeys(r, RULE_KEYS, where);
        Match match = r.has("match") ? match(r.get("match"), where, cards) : Match.ANY;
        if (!r.has("action")) {
            throw new ScenarioException(where + ": key 'action' is required (what the host does when the rule matches)");
        }
        Action action = action(r.get("action"), where);
        if (ReversalPolicy.ACKNOWLEDGE.equals(action.reversals()) && changesNothingElse(action)
                && (match.mtis() == null || !REVERSAL_MTIS.containsAll(match.mtis()))) {
            // {"dropReversals": 0} answers every reversal, overriding the policy its sale was recorded with: that does
            // something on a reversal only. A sale it matched would be decided normally, its policy the default, and the
            // rules after it (and the test amounts: a 1.05 sale approved) would never see it
            throw new ScenarioException(where + ": action.dropReversals 0 drops no reversal: on a reversal (0400/0401) it"
                    + " answers it whatever its sale's policy, but on any other request this rule matches it does nothing"
                    + " and keeps the rules after it (and the test amounts) from that request; restrict the rule to"
                    + " reversals with \"match\": {\"mti\": [\"0400\", \"0401\"]}");
        }
        return new Rule(name, match, action);
    }

    private static Match match(JsonNode m, String where, KnownCards cards) {
        if (!m.isObject()) {
            throw new ScenarioException(where + ": key 'match' must be an object");
        }
        unknownKeys(m, MATCH_KEYS, where + ": match");
        Set<String> mtis = null;
        if (m.has("mti")) {
            JsonNode v = m.get("mti");
            mtis = new LinkedHashSet<>();
            List<JsonNode> items = new ArrayList<>();
            if (v.isArray()) {
                v.forEach(items::add);
            } else {
                items.add(v);
            }
            for (JsonNode item : items) {
                if (!item.isTextual() || !item.asText().matches("\\d{4}")) {
                    throw new ScenarioException(where + ": match.mti must be a 4-digit MTI string such as \"0200\", or a list of them");
                }
                if (MessageCatalogue.isResponseMti(item.asText())) {
                    // the rules see requests only: a rule on an answer's MTI would never apply, silently
                    throw new ScenarioException(where + ": match.mti \"" + item.asText() + "\" is a response MTI; rules"
                            + " match the requests the host receives (e.g. \"0200\" for a sale, \"0400\"/\"0401\" for a"
                            + " reversal)");
                }
                mtis.add(item.asText());
            }
            if (mtis.isEmpty()) {
                throw new ScenarioException(where + ": match.mti must not be an empty list");
            }
        }
        String pc = text(m, "processingCode", "\\d{6}", "6 digits such as \"000000\"", where);
        // field 41 always has 8 characters: a shorter id could never match
        String terminal = text(m, "terminal", ".{8}", "a terminal id of 8 characters (field 41), such as \"TALLY001\"", where);
        String pan = text(m, "pan", "\\d{12,19}", "12 to 19 digits", where);
        if (pan != null && !Masking.luhnValid(pan)) {
            // no card has such a number (the host answers its sales 14): the rule would load and never match
            throw new ScenarioException(where + ": match.pan " + Masking.pan(pan) + " fails the Luhn check (ISO/IEC 7812-1),"
                    + " so it is no card number and the rule could never match; copy the PAN from the cards file");
        }
        if (pan != null && cards != null && !cards.pans().contains(pan)) {
            throw new ScenarioException(where + ": match.pan " + Masking.pan(pan) + " is not a card of " + cards.source()
                    + ", so the rule could never match (the host answers an unknown card 14 before the rules); give a PAN"
                    + " of that file, or add the card to it");
        }
        String bin = text(m, "bin", "\\d{1,11}", "1 to 11 leading digits of the PAN", where);
        Long amount = m.has("amount") ? nonNegative(m, "amount", where) : null;
        Long min = null;
        Long max = null;
        if (m.has("amountRange")) {
            JsonNode ar = m.get("amountRange");
            if (!ar.isObject() || !ar.has("min") || !ar.has("max")) {
                throw new ScenarioException(where + ": match.amountRange must be {\"min\": minor units, \"max\": minor units}");
            }
            unknownKeys(ar, Set.of("min", "max"), where + ": match.amountRange");
            min = nonNegative(ar, "min", where + ": match.amountRange");
            max = nonNegative(ar, "max", where + ": match.amountRange");
            if (min > max) {
                throw new ScenarioException(where + ": match.amountRange.min (" + min + ") is greater than max (" + max + ")");
            }
        }
        Integer cents = m.has("cents") ? (int) range(m, "cents", 0, 99, where) : null;
        Integer stan = m.has("stan") ? (int) range(m, "stan", 1, 999_999, where) : null;
        Integer occurrence = m.has("occurrence") ? (int) range(m, "occurrence", 1, Integer.MAX_VALUE, where) : null;
        Double probability = null;
        if (m.has("probability")) {
            JsonNode p = m.get("probability");
            if (!p.isNumber() || p.asDouble() < 0 || p.asDouble() > 1) {
                throw new ScenarioException(where + ": match.probability must be a number from 0 to 1, e.g. 0.25");
            }
            probability = p.asDouble();
        }
        return new Match(mtis == null ? null : Set.copyOf(mtis), pc, terminal, pan, bin, amount, min, max, cents, stan,
                occurrence, probability);
    }

    private static Action action(JsonNode a, String where) {
        if (!a.isObject() || a.isEmpty()) {
            throw new ScenarioException(where + ": key 'action' must be an object with at least one of " + sorted(ACTION_KEYS));
        }
        unknownKeys(a, ACTION_KEYS, where + ": action");
        String at = where + ": action";
        // any code field 39 can carry (MessageValidator: 2 digits or capital letters), in the catalogue or not: labs test
        // terminals with codes they do not know
        String respond = text(a, "respond", "[0-9A-Z]{2}", "a 2-character response code of digits and capital letters"
                + " (field 39), such as \"05\" or \"A0\"", where, "action.");
        Duration delay = null;
        if (a.has("delay")) {
            if (!a.get("delay").isTextual()) {
                throw new ScenarioException(at + ".delay must be a string such as \"500ms\", \"5s\" or \"PT5S\"");
            }
            try {
                delay = DurationText.parse(a.get("delay").asText());
            } catch (IllegalArgumentException e) {
                throw new ScenarioException(at + ".delay: " + e.getMessage());
            }
            if (delay.compareTo(MAX_DELAY) > 0) {
                throw new ScenarioException(at + ".delay must be at most " + MAX_DELAY.toHours() + "h, got "
                        + a.get("delay").asText() + " (for an answer that never comes use \"dropResponse\": true)");
            }
        }
        boolean late = bool(a, "late", at);
        boolean dropRequest = bool(a, "dropRequest", at);
        boolean dropResponse = bool(a, "dropResponse", at);
        boolean close = bool(a, "closeConnection", at);
        boolean twice = bool(a, "respondTwice", at);
        boolean garbage = bool(a, "garbage", at);
        boolean neverAnswer = bool(a, "neverAnswerReversals", at);
        Integer dropReversals = a.has("dropReversals") ? (int) range(a, "dropReversals", 0, 1_000_000, where, "action.") : null;
        CreditPolicy credit = null;
        if (a.has("credit")) {
            String c = a.get("credit").asText("");
            credit = switch (c) {
                case "never" -> CreditPolicy.NEVER;
                case "next-cutover" -> CreditPolicy.NEXT_CUTOVER;
                case "immediate" -> CreditPolicy.IMMEDIATE;
                default -> throw new ScenarioException(at + ".credit must be \"immediate\", \"never\" or \"next-cutover\""
                        + " (use action.creditAfter for a delay)");
            };
        }
        if (a.has("creditAfter")) {
            if (credit != null) {
                throw new ScenarioException(at + ": use either 'credit' or 'creditAfter', not both");
            }
            Duration after;
            try {
                after = DurationText.parse(a.get("creditAfter").asText(""));
            } catch (IllegalArgumentException e) {
                throw new ScenarioException(at + ".creditAfter: " + e.getMessage());
            }
            if (after.compareTo(MAX_CREDIT_AFTER) > 0) {
                throw new ScenarioException(at + ".creditAfter must be at most " + MAX_CREDIT_AFTER.toDays() + " days, got "
                        + a.get("creditAfter").asText("") + " (for a credit that never comes use \"credit\": \"never\")");
            }
            credit = CreditPolicy.after(after);
        }
        if (dropRequest && a.size() > 1) {
            throw new ScenarioException(at + ".dropRequest ignores the request entirely; it cannot be combined with "
                    + sorted(keysOf(a, "dropRequest")));
        }
        int fates = (dropResponse ? 1 : 0) + (close ? 1 : 0) + (garbage ? 1 : 0);
        if (fates > 1) {
            throw new ScenarioException(at + ": dropResponse, closeConnection and garbage exclude each other; keep one");
        }
        if ((dropResponse || close) && (twice || delay != null || late)) {
            throw new ScenarioException(at + ": respondTwice, delay and late need an answer; they cannot be combined with "
                    + (dropResponse ? "dropResponse" : "closeConnection"));
        }
        if (late && delay != null) {
            throw new ScenarioException(at + ": use either 'late' (the simulator's --late-delay) or 'delay', not both");
        }
        if (neverAnswer && dropReversals != null) {
            throw new ScenarioException(at + ": use either 'dropReversals' or 'neverAnswerReversals', not both");
        }
        ReversalPolicy reversals = neverAnswer ? ReversalPolicy.NEVER_ANSWER
                : dropReversals != null ? ReversalPolicy.dropFirst(dropReversals) : null;
        Action action = new Action(respond, delay, late, dropRequest, dropResponse, close, twice, garbage, credit, reversals);
        if (doesNothing(action)) {
            // {"late": false}: the rule would match, do nothing, and keep every later rule (and the test amounts) from
            // the requests it matches, as an empty action would; "respond": "00" says "decide normally" on purpose
            throw new ScenarioException(where + ": key 'action' must be an object with at least one of "
                    + sorted(ACTION_KEYS) + " (every key given here is false or zero, which does nothing: such a rule"
                    + " would only keep the rules after it from the requests it matches)");
        }
        return action;
    }

    /** Whether an action changes nothing: no code, no delay, no fate, no credit or reversal policy. */
    private static boolean doesNothing(Action a) {
        return changesNothingElse(a) && a.reversals() == null;
    }

    /** Whether an action changes nothing but (perhaps) the reversal policy: no code, no delay, no fate, no credit. */
    private static boolean changesNothingElse(Action a) {
        return a.respond() == null && !a.late() && (a.delay() == null || a.delay().isZero()) && a.answers() && !a.respondTwice()
                && !a.garbage() && a.credit() == null;
    }

    // ---------------------------------------------------------------- checks

    private static void unknownKeys(JsonNode node, Set<String> allowed, String where) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            String key = it.next().getKey();
            if (!allowed.contains(key)) {
                throw new ScenarioException(where + ": unknown key '" + key + "'; allowed keys are " + sorted(allowed));
            }
        }
    }

    private static List<String> keysOf(JsonNode node, String except) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(k -> {
            if (!k.equals(except)) {
                keys.add(k);
            }
        });
        return keys;
    }

    private static List<String> sorted(java.util.Collection<String> keys) {
        return keys.stream().sorted().toList();
    }

    private static boolean bool(JsonNode n, String key, String where) {
        if (!n.has(key)) {
            return false;
        }
        if (!n.get(key).isBoolean()) {
            throw new ScenarioException(where + ": key '" + key + "' must be true or false");
        }
        return n.get(key).asBoolean();
    }

    private static String text(JsonNode n, String key, String regex, String what, String where) {
        return text(n, key, regex, what, where, "match.");
    }

    private static String text(JsonNode n, String key, String regex, String what, String where, String prefix) {
        if (!n.has(key)) {
            return null;
        }
        JsonNode v = n.get(key);
        if (!v.isTextual() || !v.asText().matches(regex)) {
            throw new ScenarioException(where + ": " + prefix + key + " must be " + what);
        }
        return v.asText();
    }

    private static long nonNegative(JsonNode n, String key, String where) {
        return range(n, key, 0, 999_999_999_999L, where);
    }

    private static long range(JsonNode n, String key, long min, long max, String where) {
        return range(n, key, min, max, where, "match.");
    }

    private static long range(JsonNode n, String key, long min, long max, String where, String prefix) {
        JsonNode v = n.get(key);
        // canConvertToLong: an integer past a long's range would otherwise wrap (2^64 + 4444 read as 4444)
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw new ScenarioException(where + ": " + (where.endsWith("amountRange") ? "" : prefix) + key
                    + " must be an integer from " + min + " to " + max
                    + (key.startsWith("amount") || key.equals("min") || key.equals("max") ? " (minor units, e.g. 1234 for 12.34)" : ""));
        }
        return v.asLong();
    }
}
