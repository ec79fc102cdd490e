package dev.tally.simulator.cli;

import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.spec.crypto.KeyWrap;
import dev.tally.spec.crypto.SecretFile;
import dev.tally.spec.format.DurationText;
import dev.tally.spec.format.Masking;
import dev.tally.spec.format.OutOfMemoryExit;
import dev.tally.spec.format.ScrubbingStream;
import dev.tally.spec.format.Utf8File;
import dev.tally.spec.jdbc.SqliteNativeLibrary;
import dev.tally.simulator.scenario.ScenarioException;
import dev.tally.simulator.scenario.ScenarioFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally-sim}: runs the acquirer-host simulator until SIGTERM / Ctrl-C. Prints one line starting
 * with {@code listening} when both ports are ready. Exit codes: 0 clean stop, 64 bad options (a --ledger or
 * --message-log path no file can be written at included, a --message-log that is another file of the start or a
 * file that is no message log, and a --tmk-file that cannot be read or holds no TMK), 78 unusable scenario or cards file, 1 could not start
 * (port in use, a ledger file that is no ledger).
 */
@Command(name = "tally-sim", mixinStandardHelpOptions = true, version = "tally-sim 0.1.0",
        exitCodeOnInvalidInput = SimulatorCli.EXIT_USAGE,
        description = "Tally acquirer-host simulator: ISO 8583 (iso87, NAC framing) with a SQLite ledger, "
                + "scenario rules and an admin HTTP API. See docs/simulator.md.")
public final class SimulatorCli implements Callable<Integer> {

    static final int EXIT_USAGE = 64;
    static final int EXIT_CONFIG = 78;
    static final int EXIT_START = 1;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--port", defaultValue = "8583", description = "ISO 8583 port, 0 = any free port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--admin-port", defaultValue = "8584", description = "admin HTTP port, 0 = any free port (default: ${DEFAULT-VALUE})")
    int adminPort;

    @Option(names = "--ledger", defaultValue = "tally-ledger.db", description = "SQLite ledger file (default: ${DEFAULT-VALUE})")
    Path ledger;

    @Option(names = "--scenario", description = "scenario rules (JSON); without it the test amounts apply")
    Path scenario;

    @Option(names = "--cards", description = "test-cards file (CSV); without it the bundled test cards")
    Path cards;

    @Option(names = "--late-delay", defaultValue = "5s", description = "how late a late answer comes, e.g. 5s, 500ms (default: ${DEFAULT-VALUE})")
    String lateDelay;

    @Option(names = "--mac", defaultValue = "on", description = "verify request MACs: on or off (default: ${DEFAULT-VALUE})")
    String mac;

    @Option(names = "--message-log", description = "write every message in and out to this file (masked JSON Lines)")
    Path messageLog;

    @Option(names = "--tmk", paramLabel = "HEX", description = "terminal master key, 32 hex digits (default: the lab TMK,"
            + " KCV 08D7B4); other users see a command line: prefer --tmk-file")
    String tmk;

    @Option(names = "--tmk-file", paramLabel = "FILE", description = "read the terminal master key (32 hex digits) from"
            + " FILE, a file only you can read; instead of --tmk")
    Path tmkFile;

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** What {@link #main} sets before the first logger: slf4j-simple's format, and System.err behind {@link ScrubbingStream}. */
    static void configureProcess() {
        // an OutOfMemoryError in any thread ends the process (exit code 70) instead of leaving it half alive; the
        // ledger commits one transaction per request, so it is left as after kill -9
        OutOfMemoryExit.install("tally-sim", "Give it more heap, e.g. TALLY_SIM_JAVA_OPTS=-Xmx2g scripts/tally-sim ...");
        // slf4j-simple writes to System.err: a stack trace there passes Masking.scrub like every other line
        ScrubbingStream.install();
        // slf4j-simple reads these once, on the first logger; the command line (-D...) wins
        SqliteNativeLibrary.quietStaleCopyCleanup();
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "info"));
        System.setProperty("org.slf4j.simpleLogger.showDateTime", System.getProperty("org.slf4j.simpleLogger.showDateTime", "true"));
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat",
                System.getProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX"));
        System.setProperty("org.slf4j.simpleLogger.showThreadName", System.getProperty("org.slf4j.simpleLogger.showThreadName", "false"));
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", System.getProperty("org.slf4j.simpleLogger.showShortLogName", "true"));
        // one copy of the driver's native library per user, not one left in /tmp by every JVM that did not exit normally.
        // Last: sqlite-jdbc's classes make a logger, and slf4j-simple reads the properties above once, at the first logger
        SqliteNativeLibrary.useSharedCopy();
    }

    public static void main(String[] args) {
        configureProcess();
        int code = commandLine().execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The command line, with picocli's own option errors and this command's (which quote the value given) going
     * through {@link Masking#scrubCommandLine} like every other message of this command: a card number masked, and a
     * key among the arguments (a misspelt {@code --tmk}, a key pasted into the wrong option, one digit short) withheld.
     */
    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new SimulatorCli());
        // picocli's own int converter says "'abc' is not an int": words for a programmer, not a lab operator
        cmd.registerConverter(int.class, s -> {
            if (!s.strip().matches("[+-]?\\d+")) {
                throw new CommandLine.TypeConversionException("'" + s + "' is not a whole number (digits only, e.g. 8583)");
            }
            try {
                return Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + s + "' is too large");
            }
        });
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(forOperator(ex.getMessage()));
            c.usage(c.getErr());
            return EXIT_USAGE;
        });
        return cmd;
    }

    /**
     * A message on standard error. Scrubbed as a second line of defence: the messages of the cards file, the
     * scenario file and the start-up are written never to hold a PAN, but one slipping through must not be printed;
     * they quote file names and addresses as typed, where a key pasted into the wrong option would be.
     */
    private static void error(PrintWriter err, String message) {
        err.println("tally-sim: " + forOperator(message));
        err.flush();
    }

    /** An error or warning of this command as it may be printed: no card number, no key, no run of bytes as hex. */
    static String forOperator(String message) {
        return Masking.scrubCommandLine(message, java.util.Set.of());
    }

    @Override
    public Integer call() throws Exception {
        SimulatorConfig config = config();
        PrintWriter err = spec.commandLine().getErr();
        Simulator sim;
        try {
            sim = Simulator.start(config, messageLog);
        } catch (ScenarioException | IllegalArgumentException e) {
            error(err, e.getMessage());
            return EXIT_CONFIG;
        } catch (java.net.BindException e) {
            // the message names the port and its option (Simulator.portInUse); nothing of this start is left behind
            error(err, e.getMessage() + "; choose another port, or 0 for any free one");
            return EXIT_START;
        } catch (Exception e) {
            error(err, "cannot start: " + e.getMessage());
            return EXIT_START;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "tally-sim-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("listening iso8583=" + sim.isoAddress() + " admin=" + sim.adminUri());
        out.flush();
        stopped.await();
        return 0;
    }

    /**
     * An empty path (a shell variable left unset) is the current directory to {@link Path}: said to be empty, rather
     * than "the ledger  is a directory" or "cannot read the scenario file : is a directory".
     */
    private void refuseEmpty(String option, Path value, String example) {
        if (value != null && value.toString().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": the value is empty; give a file, e.g. "
                    + example);
        }
    }

    /** The start's configuration from the options (package-private for tests). */
    SimulatorConfig config() {
        Duration late;
        try {
            late = DurationText.parse(lateDelay);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--late-delay: " + e.getMessage());
        }
        if (late.compareTo(ScenarioFile.MAX_DELAY) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--late-delay must be at most "
                    + ScenarioFile.MAX_DELAY.toHours() + "h, got " + lateDelay);
        }
        boolean macOn = switch (mac.toLowerCase(java.util.Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--mac must be on or off, got '" + mac + "'");
        };
        for (var option : java.util.Map.of("--port", port, "--admin-port", adminPort).entrySet()) {
            if (option.getValue() < 0 || option.getValue() > 65535) {
                throw new CommandLine.ParameterException(spec.commandLine(), option.getKey() + " must be a port from 0 to"
                        + " 65535 (0 = any free port), got " + option.getValue());
            }
        }
        if (port != 0 && port == adminPort) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port and --admin-port are both " + port
                    + "; give two different ports (or 0 for any free one)");
        }
        refuseEmpty("--ledger", ledger, "tally-ledger.db");
        refuseEmpty("--scenario", scenario, "lab.json");
        refuseEmpty("--cards", cards, "test-cards.csv");
        refuseEmpty("--message-log", messageLog, "messages.jsonl");
        refuseEmpty("--tmk-file", tmkFile, "tmk.hex");
        // checked before anything is made: a start that fails on them would have made a new ledger
        try {
            Simulator.listenAddress(bind);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bind: " + e.getMessage());
        }
        try {
            Simulator.checkLedger(ledger);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ledger: " + e.getMessage());
        }
        SimulatorConfig c = SimulatorConfig.defaults(ledger).withBind(bind).withPort(port).withAdminPort(adminPort)
                .withScenarioFile(scenario).withCardsFile(cards).withLateDelay(late).withMacRequired(macOn);
        if (tmk != null && tmkFile != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tmk and --tmk-file both give the TMK; give"
                    + " one of them (--tmk-file, a file only you can read: other users see a command line)");
        }
        if (tmk != null) {
            if (!tmk.matches("[0-9A-Fa-f]{32}")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--tmk must be a double-length 3DES key: 32 hex digits (the key itself is never printed)");
            }
            c = c.withTmk(notWeak("--tmk is refused: ", HexFormat.of().parseHex(tmk)));
            org.slf4j.LoggerFactory.getLogger(SimulatorCli.class).warn("--tmk: the TMK is on the command line, which"
                    + " other users of this machine can see (ps, /proc/PID/cmdline); prefer --tmk-file FILE, a file only"
                    + " you can read (chmod 600 FILE)");
        }
        if (tmkFile != null) {
            c = c.withTmk(notWeak("--tmk-file is refused: the key in " + tmkFile + " is ", readTmkFile(tmkFile)));
            try {
                SecretFile.warnIfOthersCanRead(org.slf4j.LoggerFactory.getLogger(SimulatorCli.class), "the TMK file",
                        tmkFile, "whoever reads it can decrypt every session key this simulator sends the terminals"
                                + " or keeps in its ledger");
            } catch (java.io.IOException e) {
                // its permissions cannot be read (a file system without them): nothing to say
            }
        }
        if (messageLog != null) {
            try {
                Simulator.checkMessageLog(messageLog, c, tmkFile);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--message-log: " + e.getMessage());
            }
        }
        return c;
    }

    /** {@code key}, refused with {@code refusal} and why when it is weak ({@link KeyWrap#weakness}). */
    private byte[] notWeak(String refusal, byte[] key) {
        String weakness = KeyWrap.weakness(key);
        if (weakness != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), refusal + weakness
                    + "; give the TMK the terminals are loaded with (the key itself is never printed)");
        }
        return key;
    }

    /** More than a key, a newline and some spaces: no TMK file (and not read on, e.g. from a device). */
    private static final int TMK_FILE_MAX_BYTES = 1024;

    /**
     * The TMK that {@code file} holds: 32 hex digits, with spaces and newlines around them. Read once (a pipe, {@code
     * --tmk-file <(pass show lab/tmk)}, reads once), at most {@link #TMK_FILE_MAX_BYTES}; anything else is a bad option
     * (64) that says what is wrong and never prints what the file holds.
     */
    private byte[] readTmkFile(Path file) {
        byte[] bytes;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            bytes = in.readNBytes(TMK_FILE_MAX_BYTES + 1);
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tmk-file: cannot read the TMK file " + file
                    + ": " + Utf8File.reason(file, e) + " (check the path given to --tmk-file)");
        }
        String rule = "it must hold the TMK alone, 32 hex digits (spaces and a newline around them allowed; the key"
                + " itself is never printed)";
        try {
            Utf8File.refuseGzip(bytes, file);
        } catch (IllegalArgumentException gzip) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tmk-file: the TMK file " + gzip.getMessage());
        }
        if (bytes.length > TMK_FILE_MAX_BYTES) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tmk-file: the TMK file " + file
                    + " holds more than " + TMK_FILE_MAX_BYTES + " bytes, so no TMK file; " + rule);
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).strip();
        if (text.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tmk-file: the TMK file " + file + " is empty"
                    + (bytes.length == 0 ? "" : " (blank)") + "; " + rule);
        }
        if (!text.matches("[0-9A-Fa-f]{32}")) {
            String found = text.matches("[0-9A-Fa-f]+") ? "it holds " + text.length() + " hex digits"
                    : "it holds characters that are no hex digits" + (text.contains("=")
                    ? " (a line such as tmk=...: give the key alone)" : "");
            throw new CommandLine.ParameterException(spec.commandLine(), "--tmk-file: the TMK file " + file
                    + " holds no TMK: " + found + "; " + rule);
        }
        return HexFormat.of().parseHex(text);
    }
}
