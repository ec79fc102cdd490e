package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.spec.card.LabKeys;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.journal.AttemptState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host re-keys a terminal id while a long-running terminal holds the old keys (another device, or a one-shot
 * {@code tally} command, signed on as the same id): the host answers A0 under its new keys. The terminal must drop
 * its keys and sign on again; before, {@code tally serve} was refused every payment until it was restarted, as the
 * answer's MAC failed first and the A0's re-sign-on was never reached.
 */
class ReSignOnTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "shared link: {0}")
    @ValueSource(booleans = {true, false})
    void aTerminalWhoseKeysTheHostReplacedSignsOnAgainAndTakesTheNextPayment(boolean shared) throws Exception {
        Duration timeout = Duration.ofSeconds(3);
        ReversalPolicy policy = new ReversalPolicy(3, Duration.ZERO, 2.0, Duration.ZERO);
        try (Simulator sim = Simulator.start(SimulatorConfig.defaults(dir.resolve("ledger.db")));
             TestTerminal t = shared ? TestTerminal.shared(dir.resolve("j.db"), sim.isoPort(), timeout, policy)
                     : new TestTerminal(dir.resolve("j.db"), sim.isoPort(), timeout, policy)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("KEY-1", 200, null).status());

            // another device signs on as TALLY001: the host issues new keys, the terminal's are stale
            AtomicInteger stans = new AtomicInteger(900_000);
            try (HostSession other = new HostSession(new HostLink("127.0.0.1", sim.isoPort(), timeout, m -> { }),
                    "TALLY001", LabKeys.tmk(), stans::incrementAndGet, Clock.systemUTC(), timeout)) {
                other.signOn();
            }

            PaymentResult refused = t.engine.sale("KEY-2", 200, null);
            assertTrue(refused.status() == PaymentStatus.REVERSED || refused.status() == PaymentStatus.DECLINED,
                    "the A0'd sale is not taken, and its reversal goes through under the new keys: " + refused.message());
            PaymentResult next = t.engine.sale("KEY-3", 200, null);
            assertEquals(PaymentStatus.APPROVED, next.status(), next.message());
            PaymentResult again = t.engine.sale("KEY-2", 200, null);
            assertEquals(PaymentStatus.APPROVED, again.status(), "the refused order can be paid now: " + again.message());
            assertEquals(AttemptState.APPROVED, t.journal.lastAttempt("KEY-3").orElseThrow().state());
        }
    }
}
