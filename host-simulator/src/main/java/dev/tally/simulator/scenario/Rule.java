package dev.tally.simulator.scenario;

/** One scenario rule: a name for the logs, what it matches, what it does. */
public record Rule(String name, Match match, Action action) {
}
