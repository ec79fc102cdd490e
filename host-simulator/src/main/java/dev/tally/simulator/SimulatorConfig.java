package dev.tally.simulator;

import dev.tally.spec.card.LabKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a simulator is started. {@link #defaults(Path)} gives a loopback simulator on free ports with the
 * lab TMK; the {@code withXxx} methods return changed copies.
 *
 * @param bind         address both listeners bind to (127.0.0.1 unless a lab says otherwise)
 * @param port         ISO 8583 port; 0 picks a free one
 * @param adminPort    admin HTTP port; 0 picks a free one
 * @param ledgerFile   SQLite ledger file, created and migrated on first start, reused after
 * @param scenarioFile scenario rules (JSON); null = the test amounts of DESIGN.md §5
 * @param cardsFile    test cards; null = the bundled file of iso8583-spec
 * @param lateDelay    how late a "late" answer comes (test amount .70)
 * @param macRequired  whether field 64 of requests is verified
 * @param tmk          terminal master key (16 bytes) the session keys are delivered and stored under
 * @param clock        the simulator's only source of time
 */
public record SimulatorConfig(String bind, int port, int adminPort, Path ledgerFile, Path scenarioFile, Path cardsFile,
                              Duration lateDelay, boolean macRequired, byte[] tmk, Clock clock) {

    public SimulatorConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(ledgerFile, "ledgerFile");
        Objects.requireNonNull(lateDelay, "lateDelay");
        Objects.requireNonNull(tmk, "tmk");
        Objects.requireNonNull(clock, "clock");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the ISO 8583 port must be 0..65535 (0 = pick a free port), got " + port);
        }
        if (adminPort < 0 || adminPort > 65535) {
            throw new IllegalArgumentException("the admin port must be 0..65535 (0 = pick a free port), got " + adminPort);
        }
        if (port != 0 && port == adminPort) {
            throw new IllegalArgumentException("the ISO 8583 port and the admin port are both " + port
                    + "; give two different ports (0 picks a free one)");
        }
        if (lateDelay.isNegative()) {
            throw new IllegalArgumentException("late delay must not be negative");
        }
        if (tmk.length != 16) {
            throw new IllegalArgumentException("TMK must be a double-length 3DES key (16 bytes, 32 hex), got "
                    + tmk.length + " bytes");
        }
        tmk = tmk.clone();
    }

    /** 127.0.0.1, free ports, late delay 5 s, MAC verified, lab TMK, UTC system clock. */
    public static SimulatorConfig defaults(Path ledgerFile) {
        return new SimulatorConfig("127.0.0.1", 0, 0, ledgerFile, null, null, Duration.ofSeconds(5), true,
                LabKeys.tmk(), Clock.systemUTC());
    }

    /** A copy of the TMK (the key itself never leaves this record otherwise). */
    @Override
    public byte[] tmk() {
        return tmk.clone();
    }

    public SimulatorConfig withBind(String bind) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withPort(int port) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withAdminPort(int adminPort) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withLedgerFile(Path ledgerFile) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withScenarioFile(Path scenarioFile) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withCardsFile(Path cardsFile) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withLateDelay(Duration lateDelay) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withMacRequired(boolean macRequired) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withTmk(byte[] tmk) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    public SimulatorConfig withClock(Clock clock) {
        return new SimulatorConfig(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired, tmk, clock);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimulatorConfig c && bind.equals(c.bind) && port == c.port && adminPort == c.adminPort
                && ledgerFile.equals(c.ledgerFile) && Objects.equals(scenarioFile, c.scenarioFile)
                && Objects.equals(cardsFile, c.cardsFile) && lateDelay.equals(c.lateDelay)
                && macRequired == c.macRequired && Arrays.equals(tmk, c.tmk) && clock.equals(c.clock);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bind, port, adminPort, ledgerFile, scenarioFile, cardsFile, lateDelay, macRequired,
                Arrays.hashCode(tmk), clock);
    }

    /** Never prints the TMK. */
    @Override
    public String toString() {
        return "SimulatorConfig[bind=" + bind + ", port=" + port + ", adminPort=" + adminPort + ", ledger=" + ledgerFile
                + ", scenario=" + scenarioFile + ", cards=" + (cardsFile == null ? "bundled" : cardsFile)
                + ", lateDelay=" + lateDelay + ", mac=" + (macRequired ? "on" : "off") + ", tmk=[hidden]]";
    }
}
