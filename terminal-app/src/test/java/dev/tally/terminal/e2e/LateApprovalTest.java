package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.terminal.engine.EngineAccess;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.PaymentStatus;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .70: the host approves only after the terminal gave up; the sale is reversed and the late 0210 flips nothing. */
class LateApprovalTest {

    @TempDir
    Path dir;

    /**
     * The terminal's timeout: the sign-on and the reversal are answered within it on a loaded machine too. The .70's
     * answer comes {@link #LATE} after the sale, well after the terminal gave up and reversed, whatever the load.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(3);
    static final Duration LATE = Duration.ofSeconds(8);

    @Test
    void aLateApprovalIsRecordedButTheSaleStaysReversed() throws Exception {
        try (Simulator sim = Simulator.start(SimulatorConfig.defaults(dir.resolve("ledger.db")).withLateDelay(LATE));
             EngineAccess t = EngineAccess.open(dir.resolve("j.db"), sim.isoPort(), TIMEOUT)) {
            PaymentResult r = t.engine().sale("INV-LATE", 6070, null);
            assertEquals(PaymentStatus.REVERSED, r.status(), r.message());

            Lab.await("the late 0210 to be recorded", LATE.plusSeconds(30), () -> {
                t.link().drainStrays();
                return t.journal().events(r.attempt().id()).stream().anyMatch(e -> e.detail().contains("late"));
            });
            assertEquals(AttemptState.REVERSED, t.journal().find(r.attempt().id()).orElseThrow().state());
            List<AttemptEvent> events = t.journal().events(r.attempt().id());
            AttemptEvent late = events.stream().filter(e -> e.detail().contains("late")).findFirst().orElseThrow();
            assertTrue(late.detail().contains("0210") && late.detail().contains("rc 00"), late.detail());
            assertEquals(late.fromState(), late.toState());

            List<LedgerTransaction> host = sim.ledger().transactions(Ledger.Filter.all().order("INV-LATE"));
            assertEquals(1, host.size());
            assertFalse(host.getFirst().debitStanding(), "reversed at the host too: " + host);
        }
    }

    @Test
    void aResponseSentTwiceIsRecordedOnce() throws Exception {
        try (Simulator sim = Simulator.start(SimulatorConfig.defaults(dir.resolve("ledger.db")));
             EngineAccess t = EngineAccess.open(dir.resolve("j.db"), sim.isoPort(), Duration.ofSeconds(2))) {
            PaymentResult r = t.engine().sale("INV-TWICE", 6072, null);
            assertEquals(PaymentStatus.APPROVED, r.status(), r.message());
            Lab.await("the duplicate 0210 to be recorded", Duration.ofSeconds(10), () -> {
                t.link().drainStrays();
                return t.journal().events(r.attempt().id()).stream().anyMatch(e -> e.detail().contains("duplicate"));
            });
            assertEquals(AttemptState.APPROVED, t.journal().find(r.attempt().id()).orElseThrow().state());
            List<LedgerTransaction> host = sim.ledger().transactions(Ledger.Filter.all().order("INV-TWICE"));
            assertEquals(1, host.size());
            assertTrue(host.getFirst().debitStanding());
        }
    }
}
