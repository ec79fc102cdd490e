package dev.tally.simulator.scenario;

/** A scenario file that cannot be used; the message names the rule and the key to fix. */
public class ScenarioException extends RuntimeException {
    public ScenarioException(String message) {
        super(message);
    }

    public ScenarioException(String message, Throwable cause) {
        super(message, cause);
    }
}
