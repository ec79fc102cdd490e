package dev.tally.simulator.server;

import dev.tally.simulator.scenario.Action;
import dev.tally.simulator.scenario.Decision;
import dev.tally.simulator.scenario.Scenario;
import dev.tally.simulator.scenario.ScenarioRequest;

/**
 * The scenario's say on one request (docs/simulator.md §2-§4), asked by {@link AcquirerHost} only once the host's own
 * checks have passed: a duplicate (94), a MAC that does not verify (A0/A1) and the card checks (14, 54, 55, 57, 13) come
 * first, and so does a sale whose reversal the host answered 25 before it arrived (12). A request the host refuses on its own is answered as such: it uses up no rule's occurrence or draw, and no
 * rule drops, delays or withholds its answer. Asked at most once; one request's, on one thread.
 */
final class ScenarioGate {

    private final Scenario scenario;
    private final ScenarioRequest request;
    private Decision decision;

    ScenarioGate(Scenario scenario, ScenarioRequest request) {
        this.scenario = scenario;
        this.request = request;
    }

    /** Whether a rule could decide this request at all (nothing counted, nothing drawn). */
    boolean mayDecide() {
        return scenario.mayDecide(request);
    }

    /** The scenario's action for this request, decided on the first call. */
    Action decide() {
        if (decision == null) {
            decision = scenario.decide(request);
        }
        return decision.action();
    }

    /** What was decided; {@link Decision#NORMAL} when the host refused the request before asking. */
    Decision decision() {
        return decision == null ? Decision.NORMAL : decision;
    }

    /** Whether the scenario dropped the request: the host then applied nothing and sends no answer. */
    boolean dropped() {
        return decision != null && decision.action().dropRequest();
    }
}
