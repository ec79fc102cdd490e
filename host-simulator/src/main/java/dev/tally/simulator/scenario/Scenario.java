package dev.tally.simulator.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordered list of rules; the first rule that matches a request decides (DESIGN.md §5). Occurrence
 * counters and the seeded random sequences live here and start afresh when a scenario is (re)loaded:
 * they steer a test run, they are not books the host must keep.
 */
public final class Scenario {

    private final String source;
    private final List<Rule> rules;
    private final AtomicLong[] seen;
    private final Random[] chance;

    public Scenario(String source, List<Rule> rules, long seed) {
        this.source = source;
        this.rules = List.copyOf(rules);
        this.seen = new AtomicLong[this.rules.size()];
        this.chance = new Random[this.rules.size()];
        for (int i = 0; i < this.rules.size(); i++) {
            seen[i] = new AtomicLong();
            chance[i] = new Random(seed + i);
        }
    }

    /** Where the rules came from: a file name, or "test amounts". */
    public String source() {
        return source;
    }

    public List<Rule> rules() {
        return rules;
    }

    /**
     * Whether a rule could decide this request: one whose conditions that depend on the request alone hold. Counts
     * nothing and draws nothing; a request none could decide gets {@link Decision#NORMAL} from {@link #decide}.
     */
    public boolean mayDecide(ScenarioRequest request) {
        for (Rule rule : rules) {
            if (rule.match().staticallyMatches(request)) {
                return true;
            }
        }
        return false;
    }

    public Decision decide(ScenarioRequest request) {
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            Match m = rule.match();
            if (!m.staticallyMatches(request)) {
                continue;
            }
            long n = seen[i].incrementAndGet();
            if (m.occurrence() != null && n != m.occurrence()) {
                continue;
            }
            if (m.probability() != null) {
                double draw;
                synchronized (chance[i]) {
                    draw = chance[i].nextDouble();
                }
                if (draw >= m.probability()) {
                    continue;
                }
            }
            return new Decision(rule.name(), rule.action());
        }
        return Decision.NORMAL;
    }

    /** This scenario's rules followed by another's (used to append the test amounts to a file's rules). */
    public static List<Rule> concat(List<Rule> a, List<Rule> b) {
        List<Rule> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
