package dev.tally.simulator;

import dev.tally.simulator.admin.AdminServer;
import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.scenario.KnownCards;
import dev.tally.simulator.scenario.ScenarioSource;
import dev.tally.simulator.server.HostServer;
import dev.tally.simulator.server.TrafficMetrics;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.format.MessageLog;
import dev.tally.spec.format.MessageLogTarget;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
        ScenarioSource scenario = new ScenarioSource(config.scenarioFile(), new KnownCards(
                cards.stream().map(TestCard::pan).collect(Collectors.toSet()),
                config.cardsFile() == null ? "the bundled test cards" : "the cards file " + config.cardsFile()));
        // what can be checked is checked before anything is made; what fails later removes what this start made
        InetAddress address = listenAddress(config.bind());
        checkPortsFree(address, config);
        checkLedger(config.ledgerFile());
        if (messageLogFile != null) {
            checkMessageLog(messageLogFile, config);
        }
        NewFiles made = new NewFiles();
        Path ledgerFile = config.ledgerFile().toAbsolutePath();
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            made.watch(ledgerFile.resolveSibling(ledgerFile.getFileName() + suffix));
        }
        if (messageLogFile != null) {
            made.watch(messageLogFile);
        }
        Ledger ledger = null;
        HostServer iso = null;
        MessageLog messageLog = null;
        try {
            // the log first: a log that cannot be opened after all must not leave the ledger upgraded or given new cards
            if (messageLogFile != null) {
                messageLog = new MessageLog(messageLogFile, MESSAGE_LOG_BYTES, MESSAGE_LOG_KEEP, config.clock());
            }
            ledger = Ledger.open(config.ledgerFile(), config.clock(), cards);
            try {
                iso = HostServer.start(config.bind(), config.port(), ledger, cards, scenario, config.tmk(),
                        config.macRequired(), config.lateDelay(), config.clock(), messageLog);
            } catch (BindException e) {
                throw portInUse(e, config.bind(), config.port(), "the ISO 8583 port (--port)");
            }
            HostServer server = iso;
            AdminServer admin;
            try {
                admin = AdminServer.start(config.bind(), config.adminPort(), ledger, scenario, server::metrics);
            } catch (BindException e) {
                throw portInUse(e, config.bind(), config.adminPort(), "the admin port (--admin-port)");
            }
            LOG.info("simulator started: {}, {} card(s), scenario {} ({} rules), business date {}", config, cards.size(),
                    scenario.current().source(), scenario.current().rules().size(), ledger.businessDate());
            ledger.cardsFileDifferences().forEach(d -> LOG.warn("ledger {}: {}", config.ledgerFile(), d));
            return new Simulator(ledger, iso, admin, messageLog);
        } catch (Exception | Error e) {
            try {
                if (iso != null) {
                    iso.close();
                }
                if (messageLog != null) {
                    messageLog.close();
                }
                if (ledger != null) {
                    ledger.close();
                }
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            made.remove();
            throw e;
        }
    }

    /**
     * The address {@code bind} names, refused (before anything is made) when it does not resolve or is not an address
     * of this machine: listening on it would fail.
     */
    public static InetAddress listenAddress(String bind) {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the bind address '" + bind + "' does not resolve to an IP address; give"
                    + " an address of this machine, e.g. 127.0.0.1", e);
        }
        try {
            if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()
                    && NetworkInterface.getByInetAddress(address) == null) {
                String resolved = address.getHostAddress().equals(bind) ? "" : " (" + address.getHostAddress() + ")";
                throw new IllegalArgumentException("the bind address '" + bind + "'" + resolved
                        + " is not an address of this machine; give one that is, e.g. 127.0.0.1");
            }
        } catch (SocketException e) {
            LOG.debug("cannot list this machine's addresses to check {}: {}", bind, e.toString()); // binding will tell
        }
        return address;
    }

    /**
     * Refuses a message log that cannot be written (before anything is made): a directory, a file not writable, or
     * one whose directory cannot be made or written to ({@link #checkWritableFile}); and one that would damage a file
     * of {@code config} or someone's file ({@link MessageLogTarget}): given the ledger, its JSON lines went into the
     * SQLite file (and were lost to SQLite's next write); given the scenario file, the next reload and start refused it.
     */
    public static void checkMessageLog(Path file, SimulatorConfig config) {
        checkMessageLog(file, config, null);
    }

    /**
     * As {@link #checkMessageLog(Path, SimulatorConfig)}, also refusing the file the TMK was read from ({@code
     * tmkFile}, null for none): the log's lines appended to it, the next start read no TMK from it.
     */
    public static void checkMessageLog(Path file, SimulatorConfig config, Path tmkFile) {
        checkWritableFile("the message log", file, "tally-sim-messages.jsonl");
        Map<Path, String> others = new LinkedHashMap<>();
        MessageLogTarget.putDatabase(others, config.ledgerFile(), "the ledger (--ledger)", "the ledger");
        if (config.scenarioFile() != null) {
            others.putIfAbsent(config.scenarioFile(), "the scenario file (--scenario)");
        }
        if (config.cardsFile() != null) {
            others.putIfAbsent(config.cardsFile(), "the cards file (--cards)");
        }
        if (tmkFile != null) {
            others.putIfAbsent(tmkFile, "the TMK file (--tmk-file)");
        }
        MessageLogTarget.check(file, MESSAGE_LOG_KEEP, others);
    }

    /**
     * Refuses a ledger path no ledger can be made at or opened on for writing (before anything is made): a directory,
     * a path through a regular file, a file not writable, a directory that takes no new file ({@link
     * #checkWritableFile}). A file that is there but is no SQLite ledger is found when it is opened (exit 1).
     */
    public static void checkLedger(Path file) {
        checkWritableFile("the ledger", file, "tally-ledger.db");
    }

    /**
     * Refuses {@code file} ({@code what}: "the ledger", "the message log") when it cannot be a file this start writes:
     * a directory (the error suggests {@code example} inside it), something other than a regular file, a file not
     * writable, or one that cannot be made. A file not there yet is tried where it would be made, and removed again;
     * so is the first of its missing directories: permission bits do not tell everything (root may "write" to /sys or
     * /proc, where nothing can be made). Nothing else is made, and nothing that was there is touched.
     */
    private static void checkWritableFile(String what, Path file, String example) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException(what + " " + file + " is a directory; give a file, e.g. "
                    + file.resolve(example));
        }
        if (Files.exists(abs)) {
            if (!Files.isRegularFile(abs) || !Files.isWritable(abs)) {
                throw new IllegalArgumentException(what + " " + file + (Files.isRegularFile(abs)
                        ? " cannot be written (permission denied)" : " is not a regular file") + "; give a file you can write");
            }
            return;
        }
        Path dir = abs.getParent();
        Path firstMissing = abs;
        while (dir != null && !Files.exists(dir)) {
            firstMissing = dir;
            dir = dir.getParent();
        }
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(what + " " + file + " cannot be made: " + dir
                    + " is a file, not a directory; give a path in a directory");
        }
        if (dir != null && !Files.isWritable(dir)) {
            throw new IllegalArgumentException(what + " " + file + " cannot be made: the directory " + dir
                    + " is not writable (permission denied); give a file in a directory you can write");
        }
        boolean asDirectory = !firstMissing.equals(abs);
        try {
            if (asDirectory) {
                Files.createDirectory(firstMissing);
            } else {
                Files.newOutputStream(abs, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            }
            Files.delete(firstMissing);
        } catch (FileAlreadyExistsException e) {
            // made meanwhile by someone else: the open will tell
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? dir + " takes no new " + (asDirectory ? "directories" : "files")
                    : e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.toString();
            throw new IllegalArgumentException(what + " " + file + " cannot be made: " + why
                    + "; give a file in a directory you can write");
        }
    }

    /**
     * Refuses a port that is taken (before anything is made, so an existing ledger is neither upgraded nor given the
     * accounts of new cards by a start that cannot listen). Each given port is bound and let go by a socket that does
     * not listen, so nothing can connect to it meanwhile; with SO_REUSEADDR, as the servers bind, so a port whose last
     * connections are closing is free to it as it is to them, and one a server listens on is not. A port 0 is not
     * checked (any free one). A port taken between this check and the listening is still refused there, with what this
     * start made removed ({@link NewFiles}). The same port given twice is refused by {@link SimulatorConfig}.
     */
    private static void checkPortsFree(InetAddress address, SimulatorConfig config) throws BindException {
        probe(address, config.port(), config.bind(), "the ISO 8583 port (--port)");
        probe(address, config.adminPort(), config.bind(), "the admin port (--admin-port)");
    }

    private static void probe(InetAddress address, int port, String bind, String which) throws BindException {
        if (port == 0) {
            return;
        }
        try (SocketChannel s = SocketChannel.open()) {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(new InetSocketAddress(address, port));
        } catch (BindException e) {
            throw portInUse(e, bind, port, which);
        } catch (IOException e) {
            LOG.debug("could not check {} before starting: {}", which, e.toString()); // listening will tell
        }
    }

    /** A port already taken, named with the option that gave it. */
    private static BindException portInUse(BindException e, String bind, int port, String which) {
        BindException named = new BindException("cannot listen on " + bind + " port " + port + ", " + which + ": "
                + e.getMessage());
        named.initCause(e);
        return named;
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
