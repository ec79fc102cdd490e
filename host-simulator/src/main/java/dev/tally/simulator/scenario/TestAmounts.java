package dev.tally.simulator.scenario;

import dev.tally.simulator.ledger.CreditPolicy;
import dev.tally.simulator.ledger.ReversalPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The test amounts of DESIGN.md §5 as rules on sales (0200) by the cents of the amount, so a lab can
 * drive every case by amount alone. They are the scenario when no scenario file is given.
 *
 * <p>.73 (garbage), .98 and .99 apply the debit before misbehaving, so that the terminal's reversal is
 * what puts the books right (docs/simulator.md "Test amounts").
 */
public final class TestAmounts {

    private TestAmounts() {
    }

    public static List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        for (String code : List.of("05", "51", "54", "55", "91", "96")) {
            rules.add(rule(code, "respond " + code, Action.respond(code)));
        }
        rules.add(rule("68", "drop the request", new Action(null, null, false, true, false, false, false, false, null, null)));
        rules.add(rule("69", "apply, drop the response", new Action(null, null, false, false, true, false, false, false, null, null)));
        rules.add(rule("70", "approve, answer late", new Action(null, null, true, false, false, false, false, false, null, null)));
        rules.add(rule("71", "apply, close the connection", new Action(null, null, false, false, false, true, false, false, null, null)));
        rules.add(rule("72", "approve, answer twice", new Action(null, null, false, false, false, false, true, false, null, null)));
        rules.add(rule("73", "apply, answer garbage", new Action(null, null, false, false, false, false, false, true, null, null)));
        rules.add(rule("77", "approve, never credit", new Action(null, null, false, false, false, false, false, false,
                CreditPolicy.NEVER, null)));
        rules.add(rule("78", "approve, credit at the next cut-over", new Action(null, null, false, false, false, false, false,
                false, CreditPolicy.NEXT_CUTOVER, null)));
        rules.add(rule("98", "apply, no answer; drop the first two reversals", new Action(null, null, false, false, true, false,
                false, false, null, ReversalPolicy.dropFirst(2))));
        rules.add(rule("99", "apply, no answer; never answer its reversals", new Action(null, null, false, false, true, false,
                false, false, null, ReversalPolicy.NEVER_ANSWER)));
        return List.copyOf(rules);
    }

    public static Scenario scenario() {
        return new Scenario("test amounts", rules(), 0);
    }

    private static Rule rule(String cents, String what, Action action) {
        Match m = new Match(Set.of("0200"), "000000", null, null, null, null, null, null, Integer.parseInt(cents), null,
                null, null);
        return new Rule("test amount ." + cents + ": " + what, m, action);
    }
}
