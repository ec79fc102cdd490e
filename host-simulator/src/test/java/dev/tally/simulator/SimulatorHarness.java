package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Starts a simulator per test on free loopback ports with a fresh ledger file and a short late delay. */
abstract class SimulatorHarness {

    static final Duration LATE = Duration.ofMillis(300);
    /**
     * The late delay of a test whose late answer must find its terminal's connection gone: long enough that the host
     * has surely seen the hang-up first, even on a loaded machine (with 300 ms the answer could still go out, into a
     * socket whose peer had closed, and count as sent).
     */
    static final Duration LATE_AFTER_HANG_UP = Duration.ofSeconds(3);
    /**
     * How long a test waits for the host to finish what it was sent when no answer will tell (a withheld answer, a
     * dropped reversal): far beyond what it takes, so a slow or loaded machine does not fail the test.
     */
    static final Duration PROCESSED = Duration.ofSeconds(20);
    static final TestCards CARDS = TestCards.bundled();
    static final TestCard VISA = CARDS.find("visa-1").orElseThrow();
    static final TestCard LOW = CARDS.find("low-1").orElseThrow();
    static final TestCard EXPIRED = CARDS.find("expired-1").orElseThrow();

    @TempDir
    Path dir;

    Simulator sim;

    Simulator start() throws Exception {
        return start(config());
    }

    SimulatorConfig config() {
        return SimulatorConfig.defaults(dir.resolve("ledger.db")).withLateDelay(LATE);
    }

    Simulator start(SimulatorConfig config) throws Exception {
        sim = Simulator.start(config);
        return sim;
    }

    /**
     * Starts on {@code port}, the port of a simulator just closed (a restart on the same port). The port is free once
     * that one closed, but it is an ephemeral port: another process's connection may take it meanwhile, so a start
     * refused for the port is tried again until a deadline (a few seconds) before the test fails.
     */
    Simulator startAgainOn(int port, SimulatorConfig config) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return start(config.withPort(port));
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // retry interval, not a wait for an outcome
            }
        }
    }

    @AfterEach
    void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    Ledger ledger() {
        return sim.ledger();
    }

    TestTerminal terminal(String id) throws Exception {
        return new TestTerminal(sim.isoPort(), id);
    }

    TestTerminal signedOn(String id) throws Exception {
        TestTerminal t = terminal(id);
        t.signOn();
        return t;
    }

    List<LedgerTransaction> txns(String terminal, String order) {
        return ledger().transactions(Ledger.Filter.all().terminal(terminal).order(order));
    }

    LedgerTransaction onlyTxn(String terminal, String order) {
        List<LedgerTransaction> l = txns(terminal, order);
        if (l.size() != 1) {
            fail("expected exactly one ledger transaction for order " + order + ", found " + l.size());
        }
        return l.get(0);
    }

    /** The reversals the ledger counted against the terminal's sale of {@code order}; -1 while it holds no such sale. */
    int reversalCount(String terminal, String order) {
        List<LedgerTransaction> l = txns(terminal, order);
        return l.size() == 1 ? l.get(0).reversalCount() : -1;
    }

    /** Polls until the condition holds or the deadline passes (no sleeping to wait for a fixed time). */
    static void await(String what, Duration deadline, BooleanSupplier condition) {
        Instant end = Instant.now().plus(deadline);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(10); // poll interval, not a wait for the outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
