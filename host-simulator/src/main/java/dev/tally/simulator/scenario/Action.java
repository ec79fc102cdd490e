package dev.tally.simulator.scenario;

import dev.tally.simulator.ledger.CreditPolicy;
import dev.tally.simulator.ledger.ReversalPolicy;
import java.time.Duration;

/**
 * What the host does when a rule matches. Fields left null / false keep the normal behaviour.
 *
 * @param respond         answer with this response code instead of deciding (nothing applied unless "00")
 * @param delay           answer after this delay (the request is applied at once)
 * @param late            answer after the simulator's late delay
 * @param dropRequest     ignore the request: nothing applied, no answer
 * @param dropResponse    apply the request, send no answer
 * @param closeConnection apply the request, then close the connection without answering
 * @param respondTwice    send the answer twice
 * @param garbage         apply the request, answer with garbled bytes instead of the answer
 * @param credit          for an approved sale: when the merchant is credited
 * @param reversals       for a sale: how its reversals are treated; for a reversal: overrides the sale's
 */
public record Action(String respond, Duration delay, boolean late, boolean dropRequest, boolean dropResponse,
                     boolean closeConnection, boolean respondTwice, boolean garbage, CreditPolicy credit,
                     ReversalPolicy reversals) {

    public static final Action NORMAL = new Action(null, null, false, false, false, false, false, false, null, null);

    public static Action respond(String code) {
        return new Action(code, null, false, false, false, false, false, false, null, null);
    }

    /** The delay before answering, given the simulator's late delay; zero when none. */
    public Duration answerDelay(Duration lateDelay) {
        if (late) {
            return lateDelay;
        }
        return delay == null ? Duration.ZERO : delay;
    }

    /** Whether an answer is sent at all. */
    public boolean answers() {
        return !dropRequest && !dropResponse && !closeConnection;
    }
}
