package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SalesUnderWayTest {

    /**
     * Sale A's group commit failed after its attempt got id 42; sale B's attempt then got 42 again (SQLite hands a
     * rolled-back id out again). A leaving must not unprotect B, still waiting for its answer: the sweep would
     * reverse it.
     */
    @Test
    void aSaleLeavingDoesNotUnprotectAnotherSaleThatGotTheSameAttemptId() {
        SalesUnderWay s = new SalesUnderWay();
        SalesUnderWay.Entry a = s.enter(42);
        SalesUnderWay.Entry b = s.enter(42);
        s.leave(a);
        assertTrue(s.contains(42), "B is still under way");
        s.leave(b);
        assertFalse(s.contains(42));
        s.leave(null); // a sale whose attempt was never made
        assertFalse(s.contains(7));
    }
}
