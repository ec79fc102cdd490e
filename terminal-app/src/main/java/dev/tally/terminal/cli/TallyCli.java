package dev.tally.terminal.cli;

import dev.tally.spec.format.Masking;
import dev.tally.spec.format.OutOfMemoryExit;
import dev.tally.spec.crypto.SecretFile;
import dev.tally.spec.format.ScrubbingStream;
import dev.tally.spec.format.Utf8File;
import dev.tally.spec.jdbc.SqliteNativeLibrary;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.host.HostWarmup;
import dev.tally.terminal.journal.JournalBusyException;
import dev.tally.terminal.journal.JournalDamagedException;
import dev.tally.terminal.journal.JournalException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tally}: the terminal's one-shot commands. Global settings come from flags, then a properties
 * file ({@code --config}, same names as the flags), then the defaults a lab can use as they are.
 */
@Command(name = "tally", mixinStandardHelpOptions = true, version = "tally 0.1.0",
        description = "Tally POS terminal: takes a payment for an order and never loses one or takes one twice.",
        sortOptions = false,
        footer = {"", ExitCodes.HELP},
        subcommands = {SaleCommand.class, InquiryCommand.class, StatusCommand.class, PendingCommand.class,
            ReverseCommand.class, JournalCommand.class, BackupCommand.class, EchoCommand.class, SettleCommand.class, ReconcileCommand.class, ServeCommand.class,
            DecodeCommand.class, ReplayCommand.class, ReportCommand.class, LoadCommand.class, CommandLine.HelpCommand.class})
public final class TallyCli implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "host (acquirer / simulator) address (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8583", description = "host port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--journal", defaultValue = "tally-journal.db", description = "journal file (default: ${DEFAULT-VALUE}); its data key is FILE.key")
    Path journal;

    @Option(names = "--terminal-id", defaultValue = "TALLY001", description = "terminal id, 8 characters (default: ${DEFAULT-VALUE})")
    String terminalId;

    @Option(names = "--merchant-id", defaultValue = "HOSPITAL0000001", description = "merchant id, 15 characters (default: ${DEFAULT-VALUE})")
    String merchantId;

    @Option(names = "--currency", defaultValue = "840", description = "ISO 4217 numeric currency (default: ${DEFAULT-VALUE})")
    String currency;

    @Option(names = "--tmk", paramLabel = "HEX", description = "terminal master key, 32 hex digits (default: the public lab TMK); other users see a command line: prefer tmk= in a --config file only you can read")
    String tmkHex;

    @Option(names = "--config", paramLabel = "FILE", description = "properties file with any of these settings by name (flags win)")
    Path config;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60", description = "how long to wait for the host's answer (default: ${DEFAULT-VALUE})")
    BigDecimal timeoutSeconds;

    @Option(names = "--reversal-attempts", paramLabel = "N", defaultValue = "3", description = "reversal tries before REVERSAL_FAILED; a try that could not be written (connection already broken) does not count, once in a row (default: ${DEFAULT-VALUE})")
    int reversalAttempts;

    @Option(names = "--reversal-interval", paramLabel = "SECONDS", defaultValue = "10", description = "wait before the first reversal repeat, doubling after (default: ${DEFAULT-VALUE})")
    BigDecimal reversalIntervalSeconds;

    @Option(names = "--cards", paramLabel = "FILE", description = "test cards file for the lab card reader (default: the bundled test cards)")
    Path cards;

    @Option(names = "--message-log", paramLabel = "FILE", description = "write every message in and out, masked, to FILE (JSON Lines; docs/support.md)")
    Path messageLog;

    @Option(names = "--message-log-size", paramLabel = "MB", defaultValue = "16", description = "rotate the message log when it would pass this size (default: ${DEFAULT-VALUE})")
    int messageLogSizeMb;

    @Option(names = "--message-log-keep", paramLabel = "N", defaultValue = "5", description = "rotated message logs kept, FILE.1 .. FILE.N (default: ${DEFAULT-VALUE})")
    int messageLogKeep;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    final PrintStream out;
    final PrintStream err;
    final Clock clock;
    final Output output;
    /** the warnings said in this run: each once, however many times a command resolves what it warns about */
    private final Set<String> warned = new java.util.HashSet<>();

    TallyCli(PrintStream out, PrintStream err, Clock clock) {
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.output = new Output(this);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(err);
        return ExitCodes.BAD_INPUT;
    }

    Duration timeout() {
        return seconds(timeoutSeconds, "--timeout", false);
    }

    /** A warning on standard error ({@code tally: warning: ...}), once per run; standard output is the command's. */
    void warnOnce(String message) {
        if (warned.add(message)) {
            warn(message);
        }
    }

    /** A warning on standard error ({@code tally: warning: ...}); standard output is the command's. */
    void warn(String message) {
        stderr("tally: warning: " + message);
    }

    /**
     * A line on standard error: every error, warning and note of this command goes out here or through {@link #fail}.
     * They quote what the operator typed (an option's value, a file name, a host), where a key pasted into the wrong
     * option would be printed in full: {@link #forOperator} withholds it.
     */
    void stderr(String line) {
        err.println(forOperator(line));
        err.flush();
    }

    /**
     * A message as this command may print it ({@link Masking#scrubCommandLine}): card numbers masked, keys and any
     * other 8 or more bytes as hex withheld, but the order id the command is about ({@code --order}) quoted whole,
     * though it be a 32-hex-digit UUID: the operator needs to see which order a refusal names.
     */
    String forOperator(String message) {
        return Masking.scrubCommandLine(message, orderIds());
    }

    /** The order ids this command line gives ({@code --order} of the command run, however given); none before parsing. */
    private Set<String> orderIds() {
        Set<String> ids = new java.util.HashSet<>();
        for (CommandLine.ParseResult p = spec == null ? null : spec.commandLine().getParseResult(); p != null;
                p = p.subcommand()) {
            CommandLine.Model.OptionSpec order = p.commandSpec().findOption("--order");
            if (order != null && order.getValue() != null) {
                ids.add(order.getValue().toString());
            }
        }
        return ids;
    }

    /** Whether {@code option} was typed on the command line (not taken from the config file or a default). */
    boolean givenOnCommandLine(String option) {
        CommandLine.ParseResult parsed = spec == null ? null : spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
    }

    Duration reversalInterval() {
        return seconds(reversalIntervalSeconds, "--reversal-interval", true);
    }

    static Duration seconds(BigDecimal s, String name, boolean zeroAllowed) {
        if (s == null || s.signum() < 0 || (!zeroAllowed && s.signum() == 0) || s.compareTo(BigDecimal.valueOf(86_400)) > 0) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "0" : "more than 0")
                    + " to 86400 seconds, got " + s);
        }
        if (s.signum() > 0 && s.compareTo(new BigDecimal("0.001")) < 0) {
            // kept in whole milliseconds: less than one would be a 0 ms wait, every answer "not in time"
            throw new IllegalArgumentException(name + " must be at least 0.001 seconds (1 ms), got " + s.toPlainString());
        }
        return Duration.ofMillis(s.movePointRight(3).longValue());
    }

    public static void main(String[] args) {
        configureProcess(args);
        if (talksToHost(args)) {
            // what the first exchange loads (Bouncy Castle's signed jar, jPOS's channel events) loads on the second core
            // while this one parses the command line, opens the journal or reads a log (by hand, a one-shot sale against
            // the simulator 1.10-1.13 -> 1.03-1.07 s; a replay of 64 terminal ids signed on in 118-150 ms, not 245-337)
            HostWarmup.start();
        }
        int code = run(args, System.out, System.err, Clock.systemDefaultZone());
        System.out.flush();
        System.exit(code);
    }

    /** The commands that exchange messages with a host (pending: its reversal loop, which every opening may run). */
    static final Set<String> HOST_COMMANDS = Set.of("sale", "inquiry", "status", "pending",
            "reverse", "echo", "settle", "serve", "replay");

    /**
     * Whether the command line names a command of {@link #HOST_COMMANDS}: its first word that is a subcommand's name,
     * looked for before picocli parses (so the warm-up runs beside the parsing). A guess, and only a guess is needed:
     * a wrong one costs the warm-up's CPU and nothing else.
     */
    static boolean talksToHost(String[] args) {
        String command = commandOf(args);
        return command != null && HOST_COMMANDS.contains(command);
    }

    /** The subcommands' names, read once from the annotation (main asks for the command twice at start). */
    private static final Set<String> COMMAND_NAMES = Stream.of(TallyCli.class.getAnnotation(Command.class).subcommands())
            .map(c -> c.getAnnotation(Command.class).name())
            .collect(Collectors.toUnmodifiableSet());

    /** The command line's first word that is a subcommand's name (null when none is): the command it runs. */
    static String commandOf(String[] args) {
        for (String a : args) {
            if (COMMAND_NAMES.contains(a)) {
                return a;
            }
        }
        return null;
    }

    /**
     * What {@link #main} sets before the first logger: the log level, System.err behind {@link ScrubbingStream}, and
     * an {@link OutOfMemoryError} anywhere ending the process ({@link OutOfMemoryExit}, exit code 70). Log lines carry
     * their time, as the simulator's; {@code tally serve}, which runs for months, logs at INFO (the link connected
     * again, a batch's upload), a one-shot command only warns.
     */
    static void configureProcess(String[] args) {
        OutOfMemoryExit.install("tally", "Anything in flight is settled as after a crash: the next command reverses a"
                + " sale that may have gone out ('tally status --order ID' says where an order stands). For a large log"
                + " or journal give it more heap, e.g. TALLY_JAVA_OPTS=-Xmx2g.");
        // slf4j-simple writes to System.err: a stack trace there passes Masking.scrub like every other line
        ScrubbingStream.install();
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                    "serve".equals(commandOf(args)) ? "info" : "warn");
        }
        // slf4j-simple reads these once, on the first logger; the command line (-D...) wins
        SqliteNativeLibrary.quietStaleCopyCleanup();
        System.setProperty("org.slf4j.simpleLogger.showDateTime", System.getProperty("org.slf4j.simpleLogger.showDateTime", "true"));
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat",
                System.getProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX"));
        // one copy of the driver's native library per user, not one left in /tmp by every JVM that did not exit normally;
        // `tally --help` and `decode` open no SQLite file and do not pay for the check (about 30 ms). Last: sqlite-jdbc's
        // classes make a logger, and slf4j-simple reads the properties above once, at the first logger
        String command = commandOf(args);
        if (command != null && !"decode".equals(command)) {
            SqliteNativeLibrary.useSharedCopy();
        }
    }

    /** Runs one command; returns its exit code (never calls System.exit). */
    public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        TallyCli root = new TallyCli(out, err, clock);
        CommandLine cmd = new CommandLine(root);
        PlainNumbers.register(cmd);
        cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cmd.setParameterExceptionHandler((ex, a) -> {
            // picocli quotes the arguments it could not match, a key among them: fail withholds it, as in every message
            root.fail(ExitCodes.BAD_INPUT, ex.getMessage() + globalOptionHint(ex, cmd) + " (see 'tally --help')");
            return ExitCodes.BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> root.failFor(ex));
        try {
            Properties settings = configFrom(args, cmd);
            if (settings != null) {
                cmd.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(settings));
                warnIfOthersCanReadTheTmk(root, configPath(args), settings);
            }
        } catch (IllegalArgumentException e) {
            root.json = java.util.Arrays.asList(args).contains("--json");
            root.fail(ExitCodes.BAD_INPUT, e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        return cmd.execute(args);
    }

    /**
     * When picocli could not match a global option because it came after the subcommand, say so: picocli
     * only reports it as unknown.
     */
    private static String globalOptionHint(CommandLine.ParameterException ex, CommandLine root) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || ex.getCommandLine() == root) {
            return "";
        }
        for (String arg : u.getUnmatched()) {
            CommandLine.Model.OptionSpec o = root.getCommandSpec().findOption(arg.split("=", 2)[0]);
            if (o != null && arg.startsWith("-")) {
                String usage = o.longestName() + (o.arity().max() > 0 ? " " + o.paramLabel() : "");
                return "; " + o.longestName() + " is a global option: put it before the subcommand, e.g. 'tally "
                        + usage + " " + ex.getCommandLine().getCommandName() + " ...'";
            }
        }
        return "";
    }

    /** Settings whose value is text in which spaces may count (field 41/42 ids, the report's place and operator). */
    private static final java.util.Set<String> TEXT_SETTINGS = java.util.Set.of("merchant-id", "terminal-id", "location",
            "address", "operator");

    /** Keys of a config file that are no option's: the problem report's place and operator (ReportCommand). */
    private static final java.util.Set<String> REPORT_KEYS = java.util.Set.of("location", "address", "operator");

    /**
     * The properties of {@code --config FILE}, read before parsing so the flags can override them. A key that is no
     * option's name ({@code timout=3}) is refused: ignored, the setting would silently keep its default. So is a key
     * given twice (the last would win unseen); the spaces after a value are not part of it, but for text settings.
     */
    private static Properties configFrom(String[] args, CommandLine cmd) {
        Path file = configPath(args);
        if (file == null) {
            return null;
        }
        java.util.Set<String> givenTwice = new java.util.TreeSet<>();
        Properties p = new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) { // Properties.load puts each line's setting
                if (containsKey(key)) {
                    givenTwice.add(String.valueOf(key));
                }
                return super.put(key, value);
            }
        };
        String text;
        try {
            text = Utf8File.read(file, "save the config file as UTF-8");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the config file " + file + ": " + Utf8File.reason(file, e)
                    + " (check the path given to --config)");
        } catch (IllegalArgumentException e) { // not UTF-8: the message starts with the path
            throw new IllegalArgumentException("the config file " + e.getMessage(), e);
        }
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringReader does not fail
        } catch (IllegalArgumentException e) {
            // Properties.load names no line; a Windows path (C:\\users) is the usual cause
            int line = badUnicodeEscapeLine(text);
            throw new IllegalArgumentException("the config file " + file + (line > 0 ? " line " + line : "")
                    + ": a backslash followed by 'u' must start a \\uXXXX escape (4 hex digits); write a backslash as \\\\"
                    + " or use / in paths (journal=C:/till/journal.db); nothing was done");
        }
        if (!givenTwice.isEmpty()) {
            // the last one would win unseen, as a misspelt one would keep its default
            throw new IllegalArgumentException("the config file " + file + " gives " + givenTwice.stream()
                    .map(k -> "'" + Masking.scrubTyped(k) + "'").collect(java.util.stream.Collectors.joining(", "))
                    + " more than once: keep one line for each setting; nothing was done");
        }
        for (String key : p.stringPropertyNames()) {
            // Properties keeps the spaces after a value ("port = 8583 "), which read as part of it ("'8583 ' is not an
            // int"); a text setting keeps them: a merchant id (field 42) is right-padded with spaces to 15 characters
            if (!TEXT_SETTINGS.contains(key.substring(key.lastIndexOf('.') + 1))) {
                p.setProperty(key, p.getProperty(key).strip());
            }
        }
        java.util.Set<String> known = new java.util.TreeSet<>(REPORT_KEYS);
        collectOptionNames(cmd, known);
        for (String key : p.stringPropertyNames()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("the config file " + file + " has an unknown setting '"
                        + Masking.scrubTyped(key) + "': settings are named as the options without '--' (e.g. timeout=30,"
                        + " terminal-id=TALLY001, or tally.report.operator=NAME for one command's; see 'tally --help'),"
                        + " plus location, address and operator for reports; nothing was done");
            }
        }
        return p;
    }

    /** The file of {@code --config FILE} (or {@code --config=FILE}) among the arguments, or null. */
    private static Path configPath(String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[i + 1]);
            } else if (args[i].startsWith("--config=")) {
                file = Path.of(args[i].substring("--config=".length()));
            }
        }
        return file;
    }

    /**
     * A config file holding the TMK ({@code tmk=}, or a command's {@code tally.sale.tmk=}) that its group or other
     * users can read gives them every session key the host sends this terminal: said at start, naming the file and
     * the fix. The file is the operator's and is not changed.
     */
    private static void warnIfOthersCanReadTheTmk(TallyCli root, Path file, Properties settings) {
        if (settings.stringPropertyNames().stream().noneMatch(k -> k.equals("tmk") || k.endsWith(".tmk"))) {
            return;
        }
        try {
            SecretFile.readableByOthers(file).ifPresent(perms -> root.warnOnce("the config file " + file + " holds the"
                    + " TMK and other users can read it (" + perms + "): whoever reads it can read every session key"
                    + " the host sends this terminal; chmod 600 " + file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the permissions of the config file " + file + ": " + e);
        }
    }

    /**
     * The line of the first backslash-u that is not a \\uXXXX escape, as {@link Properties#load} reads it (a comment
     * line is not read; a backslash escapes the next character), or 0 when none is found.
     */
    static int badUnicodeEscapeLine(String text) {
        int line = 1;
        boolean lineStart = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = true;
                continue;
            }
            if (lineStart && (c == ' ' || c == '\t' || c == '\f' || c == '\r')) {
                continue;
            }
            if (lineStart && (c == '#' || c == '!')) {
                int eol = text.indexOf('\n', i);
                if (eol < 0) {
                    return 0;
                }
                i = eol - 1; // the newline is counted next
                continue;
            }
            lineStart = false;
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                if (next == 'u' && !text.substring(i + 2, Math.min(i + 6, text.length())).matches("[0-9A-Fa-f]{4}")) {
                    return line;
                }
                if (next == '\n') {
                    line++; // a continued line
                }
                i++;
            }
        }
        return 0;
    }

    /**
     * The port of the host: the command's own {@code --port} when it has one and it is given, else the global one.
     * Checked before anything is opened (a journal, a connection): it was "port out of range:70000" once a new
     * journal had been made.
     */
    int hostPort(Integer commandPort) {
        int p = commandPort != null ? commandPort : port;
        if (p < 1 || p > 65_535) {
            throw new IllegalArgumentException("--port must be the host's port, 1 to 65535, got " + p);
        }
        return p;
    }

    /**
     * The keys picocli's PropertiesDefaultProvider reads: an option's name without '--', alone or after its command's
     * qualified name ({@code timeout}, {@code tally.timeout}, {@code tally.report.operator}; not {@code report.operator}).
     */
    private static void collectOptionNames(CommandLine c, java.util.Set<String> into) {
        String command = c.getCommandSpec().qualifiedName(".");
        for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
            for (String n : o.names()) {
                if (n.startsWith("--")) {
                    into.add(n.substring(2));
                    into.add(command + "." + n.substring(2));
                }
            }
        }
        for (CommandLine sub : c.getSubcommands().values()) {
            collectOptionNames(sub, into);
        }
    }

    int failFor(Exception ex) {
        if (OutOfMemoryExit.causedByOutOfMemory(ex)) {
            OutOfMemoryExit.halt(); // an error a worker's Future held: the process stops as for any other
        }
        // a damaged journal, however deep in the causes: its one line (what to do), exit 1; never bad input (64)
        for (Throwable t = ex; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof JournalDamagedException d) {
                return fail(ExitCodes.INTERNAL_ERROR, d.getMessage());
            }
        }
        return switch (ex) {
            case IllegalArgumentException e -> fail(ExitCodes.BAD_INPUT, e.getMessage());
            case HostUnavailableException e -> fail(ExitCodes.HOST_UNAVAILABLE, e.getMessage()
                    + (e.sent() ? "" : "; this command's request was not sent"));
            case JournalBusyException e -> fail(ExitCodes.JOURNAL_BUSY, "journal: " + e.getMessage());
            case JournalException e -> fail(ExitCodes.INTERNAL_ERROR, "journal: " + e.getMessage());
            default -> fail(ExitCodes.INTERNAL_ERROR, "internal error: " + ex);
        };
    }

    /** An error on standard error ({@code tally: ...}) and, with {@code --json}, as the output's one object. */
    int fail(int code, String message) {
        String safe = forOperator(message);
        err.println("tally: " + safe);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("status", "ERROR");
            o.put("exitCode", code);
            o.put("message", safe);
            output.json(o);
        }
        return code;
    }
}
