package dev.tally.simulator;

import dev.tally.simulator.admin.AdminServer;
import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.scenario.ScenarioSource;
import dev.tally.simulator.server.HostServer;
import dev.tally.simulator.server.TrafficMetrics;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.format.MessageLog;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Tally acquirer-host simulator, embeddable: {@code try (Simulator sim = Simulator.start(config)) {...}}.
 * {@link #start} returns once both the ISO 8583 port and the admin API are listening; {@link #close}
 * stops both and closes the ledger. Everything the host must remember lives in the ledger file, so a
 * simulator started again on the same file carries on where the last one stopped.
 */
public final class Simulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);

    /** Size at which the message log rotates, and how many rotated files are kept. */
    private static final long MESSAGE_LOG_BYTES = 64L * 1024 * 1024;
    private static final int MESSAGE_LOG_KEEP = 5;

    private final Ledger ledger;
    private final HostServer iso;
    private final AdminServer admin;
    private final MessageLog messageLog;
    private volatile boolean closed;

    private Simulator(Ledger ledger, HostServer iso, AdminServer admin, MessageLog messageLog) {
        this.ledger = ledger;
        this.iso = iso;
        this.admin = admin;
        this.messageLog = messageLog;
    }

    public static Simulator start(SimulatorConfig config) throws Exception {
        return start(config, null);
    }

    /**
     * As {@link #start(SimulatorConfig)}, also writing every message in and out to {@code messageLogFile}
     * (masked JSON Lines, iso8583-spec {@code MessageLog}; rotated at 64 MB, 5 kept); null for none.
     */
    public static Simulator start(SimulatorConfig config, Path messageLogFile) throws Exception {
        List<TestCard> cards = TestCards.loadOrBundled(config.cardsFile()).all();
        ScenarioSource scenario = new ScenarioSource(config.scenarioFile());
        Ledger ledger = Ledger.open(config.ledgerFile(), config.clock(), cards);
        HostServer iso = null;
        MessageLog messageLog = null;
        try {
            if (messageLogFile != null) {
                messageLog = new MessageLog(messageLogFile, MESSAGE_LOG_BYTES, MESSAGE_LOG_KEEP, config.clock());
            }
            iso = HostServer.start(config.bind(), config.port(), ledger, cards, scenario, config.tmk(),
                    config.macRequired(), config.lateDelay(), config.clock(), messageLog);
            HostServer server = iso;
            AdminServer admin = AdminServer.start(config.bind(), config.adminPort(), ledger, scenario,
                    server::metrics);
            LOG.info("simulator started: {}, {} card(s), scenario {} ({} rules), business date {}", config, cards.size(),
                    scenario.current().source(), scenario.current().rules().size(), ledger.businessDate());
            return new Simulator(ledger, iso, admin, messageLog);
        } catch (Exception e) {
            if (iso != null) {
                iso.close();
            }
            if (messageLog != null) {
                messageLog.close();
            }
            ledger.close();
            throw e;
        }
    }

    public int isoPort() {
        return iso.port();
    }

    public int adminPort() {
        return admin.port();
    }

    /** http://ADDRESS:PORT of the admin API. */
    public URI adminUri() {
        return admin.uri();
    }

    /** The ISO 8583 listening address as "127.0.0.1:8583". */
    public String isoAddress() {
        String host = iso.address().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + iso.port();
    }

    public Ledger ledger() {
        return ledger;
    }

    public TrafficMetrics.Snapshot metrics() {
        return iso.metrics().snapshot();
    }

    /** Stops accepting, closes connections (answers still held back by a scenario are dropped), closes the ledger. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        admin.close();
        iso.close();
        if (messageLog != null) {
            messageLog.close();
        }
        ledger.close();
        LOG.info("simulator stopped");
    }
}
