package dev.tally.simulator.scenario;

/** The scenario's verdict for one request: the action of the first matching rule, or the normal one. */
public record Decision(String ruleName, Action action) {

    public static final Decision NORMAL = new Decision(null, Action.NORMAL);

    public boolean matched() {
        return ruleName != null;
    }
}
