package dev.tally.terminal.cli;

import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.crypto.KeyCheckValue;
import dev.tally.spec.crypto.KeyWrap;
import dev.tally.spec.format.MessageLogTarget;
import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.card.LabCardReader;
import dev.tally.terminal.engine.LateAnswers;
import dev.tally.terminal.engine.PaymentEngine;
import dev.tally.terminal.engine.ReversalPolicy;
import dev.tally.terminal.engine.TerminalProfile;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Wires one command's terminal from the global settings: card reader, journal (recovered), host link
 * and session, engine. Inputs are checked before the journal is opened, so bad input changes nothing.
 */
final class TerminalSetup implements AutoCloseable {

    final TerminalProfile profile;
    final Journal journal;
    final HostSession session;
    final PaymentEngine engine;
    final List<Attempt> recovered;
    /** the message log's writer ({@code --message-log}), or null */
    private dev.tally.terminal.support.TerminalTraffic traffic;

    private TerminalSetup(TerminalProfile profile, Journal journal, HostSession session, PaymentEngine engine,
                          List<Attempt> recovered) {
        this.profile = profile;
        this.journal = journal;
        this.session = session;
        this.engine = engine;
        this.recovered = recovered;
    }

    /** The lab card reader of the settings (bundled cards unless --cards). */
    static CardReader cardReader(TallyCli g) {
        return new LabCardReader(TestCards.loadOrBundled(g.cards));
    }

    static TerminalProfile profile(TallyCli g) {
        return new TerminalProfile(g.terminalId, g.merchantId, g.currency, g.timeout());
    }

    /** The TMK for the global --host. */
    static byte[] tmk(TallyCli g) {
        return tmk(g, g.host);
    }

    /**
     * The TMK of the settings ({@code --tmk} or {@code tmk=} in the config file, else the lab TMK) for a command
     * that talks to {@code host}. The lab TMK is published (iso8583-spec LabKeys): against a host that is not this
     * machine it is said once, as is a key typed on the command line, which other users see in ps.
     */
    static byte[] tmk(TallyCli g, String host) {
        if (g.tmkHex == null) {
            byte[] lab = LabKeys.tmk();
            if (!isLoopback(host)) {
                g.warnOnce("using the public lab TMK (KCV " + KeyCheckValue.hex(lab) + ") with the host " + host
                        + ": any session key it wraps can be read by anyone; give the acquirer's TMK with --tmk or"
                        + " tmk= in the config file");
            }
            return lab;
        }
        // named as the operator gave it: a key from the config file is no --tmk they typed
        String setting = g.givenOnCommandLine("--tmk") ? "--tmk" : "tmk= (in the config file)";
        if (!g.tmkHex.matches("[0-9A-Fa-f]{32}")) {
            throw new IllegalArgumentException(setting + " must be 32 hex digits (a double-length 3DES key)");
        }
        byte[] key = HexFormat.of().parseHex(g.tmkHex);
        String weakness = KeyWrap.weakness(key);
        if (weakness != null) {
            throw new IllegalArgumentException(setting + " is refused: " + weakness + "; give the acquirer's TMK for"
                    + " this terminal (the key itself is never printed)");
        }
        if (g.givenOnCommandLine("--tmk")) {
            g.warnOnce("the TMK given with --tmk can be read by other users of this machine (ps, /proc) and stays in"
                    + " the shell's history; put tmk= in a config file only you can read (chmod 600 FILE) and give"
                    + " --config FILE instead");
        }
        return key;
    }

    /**
     * Whether every address {@code host} names is this machine's loopback (127.0.0.1, ::1, localhost); a name that
     * does not resolve is not (the lab TMK warning errs on the side of saying it).
     */
    static boolean isLoopback(String host) {
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The terminal wired with the lab card reader of the global options. */
    static TerminalSetup open(TallyCli g) {
        return open(g, cardReader(g));
    }

    static TerminalSetup open(TallyCli g, CardReader reader) {
        TerminalProfile profile = profile(g);
        ReversalPolicy policy = ReversalPolicy.of(g.reversalAttempts, g.reversalInterval());
        byte[] tmk = tmk(g);
        checkMessageLogOptions(g); // bad input before the journal is opened, or made
        int port = g.hostPort(null);
        Journal journal = Journal.open(g.journal, g.clock);
        dev.tally.terminal.support.TerminalTraffic traffic = null;
        try {
            HostLink link = new HostLink(g.host, port, profile.timeout(), new LateAnswers(journal));
            dev.tally.spec.format.MessageLog log = messageLogOrNone(g);
            if (log != null) {
                traffic = new dev.tally.terminal.support.TerminalTraffic(log, journal);
                link.tap(traffic);
            }
            HostSession session = new HostSession(link, profile.terminalId(), tmk,
                    () -> journal.nextStan(profile.terminalId()), g.clock, profile.timeout());
            PaymentEngine engine = new PaymentEngine(journal, session, reader, profile, policy, g.clock);
            engine.notesTo(note -> g.stderr("tally: " + note));
            List<Attempt> recovered = engine.recover();
            TerminalSetup t = new TerminalSetup(profile, journal, session, engine, recovered);
            t.traffic = traffic;
            return t;
        } catch (RuntimeException e) {
            if (traffic != null) {
                traffic.close();
            }
            journal.close();
            throw e;
        }
    }

    /**
     * The --message-log, or null when none is asked for or it cannot be opened (a folder, no permission): then a
     * warning says so and the command runs without it. A support log never stops a payment (docs/support.md §1).
     */
    static dev.tally.spec.format.MessageLog messageLogOrNone(TallyCli g) {
        if (g.messageLog == null) {
            return null;
        }
        try {
            return messageLog(g);
        } catch (java.io.UncheckedIOException e) {
            g.warn(e.getMessage() + "; this command runs without its message log (check the path given to --message-log)");
            return null;
        }
    }

    /**
     * Refuses a command that works on the day's journal ({@code settle}, {@code pending}, {@code reconcile}) where
     * there is none: made there, an empty journal would answer "nothing to settle", "nothing pending" or "the acquirer
     * holds sales this terminal has no record of" for what is a wrong folder or a typo in --journal.
     */
    static void requireJournal(TallyCli g, String command) {
        if (!java.nio.file.Files.exists(g.journal)) {
            throw new IllegalArgumentException("there is no journal at " + g.journal.toAbsolutePath() + " (check --journal,"
                    + " or run tally in the till's folder): '" + command + "' works on the journal the till's payments"
                    + " are in, and makes none; nothing was done");
        }
    }

    /**
     * For a command about an order already paid (status, reverse): a journal path where there is none is a mistake
     * (a typo, another folder), refused as bad input before a new, empty journal is made there.
     */
    static void requireExistingJournal(TallyCli g, String order) {
        if (!java.nio.file.Files.exists(g.journal)) {
            throw new IllegalArgumentException("order " + order + " is not in the journal " + g.journal.toAbsolutePath()
                    + ": there is no journal there (check --journal); nothing was done");
        }
    }

    /** {@link #checkMessageLogOptions(TallyCli, Map)} for a command with no files beyond its options and journal. */
    static void checkMessageLogOptions(TallyCli g) {
        checkMessageLogOptions(g, Map.of());
    }

    /**
     * Refuses message-log sizes that are no size, and a --message-log that would damage another file (bad input, exit
     * 64, before the journal is opened): a file of this command ({@link #filesOf}, and {@code more}, with what each is)
     * or an existing file that is no message log ({@link MessageLogTarget}). Appended to, the journal's data key was
     * "damaged" for the next command, and the journal itself took JSON lines.
     */
    static void checkMessageLogOptions(TallyCli g, Map<Path, String> more) {
        checkMessageLogSizes(g);
        if (g.messageLog != null) {
            Map<Path, String> others = new LinkedHashMap<>(more);
            filesOf(g).forEach(others::putIfAbsent);
            MessageLogTarget.check(g.messageLog, g.messageLogKeep, others);
        }
    }

    private static void checkMessageLogSizes(TallyCli g) {
        if (g.messageLogSizeMb < 1 || g.messageLogKeep < 1) {
            throw new IllegalArgumentException("--message-log-size and --message-log-keep must be at least 1");
        }
    }

    /**
     * The files this command line names besides the message log, with what each is: the journal and the files SQLite
     * and Tally keep beside it (beside its real path too: through a link, they are there), and the file of every option
     * and parameter that takes a path (--config, --cards, a command's own), as given or from the config file.
     */
    static Map<Path, String> filesOf(TallyCli g) {
        Map<Path, String> files = new LinkedHashMap<>();
        Path abs = g.journal.toAbsolutePath();
        Path real = abs;
        try {
            real = Files.exists(abs) ? abs.toRealPath() : abs;
        } catch (IOException e) {
            // compared by the path as given; the journal's open says what is wrong with it
        }
        for (Path j : List.of(abs, real)) {
            MessageLogTarget.putDatabase(files, j, "the journal (--journal)", "the journal");
            files.putIfAbsent(sibling(j, ".key"), "the journal's data key");
            files.putIfAbsent(sibling(j, ".key.new"), "the journal's data key as it is being replaced");
            files.putIfAbsent(sibling(j, ".lock"), "the journal's lock file");
        }
        for (CommandLine.ParseResult p = g.spec == null ? null : g.spec.commandLine().getParseResult(); p != null;
                p = p.subcommand()) {
            for (CommandLine.Model.ArgSpec a : p.commandSpec().args()) {
                if (a.getValue() instanceof Path f && !(a.isOption()
                        && ((CommandLine.Model.OptionSpec) a).longestName().equals("--message-log"))) {
                    files.putIfAbsent(f, a.isOption() ? "the file given to " + ((CommandLine.Model.OptionSpec) a).longestName()
                            : "the " + a.paramLabel() + " given to " + p.commandSpec().name());
                }
            }
        }
        return files;
    }

    private static Path sibling(Path f, String suffix) {
        return f.resolveSibling(f.getFileName() + suffix);
    }

    /** The message log of the settings ({@code --message-log}), rotated by size; the caller closes it. */
    static dev.tally.spec.format.MessageLog messageLog(TallyCli g) {
        checkMessageLogSizes(g);
        return new dev.tally.spec.format.MessageLog(g.messageLog, g.messageLogSizeMb * 1024L * 1024L, g.messageLogKeep,
                g.clock);
    }

    /**
     * Offline commands still work off due reversals first (after a crash "any command" finishes the
     * job), but a host that cannot be reached only earns a warning.
     */
    void reversalsIfReachable(TallyCli g) {
        try {
            engine.runDueReversals();
        } catch (dev.tally.terminal.host.HostUnavailableException e) {
            g.warn("due reversals not sent now: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            try {
                if (traffic != null) {
                    traffic.close();
                }
            } finally {
                journal.close();
            }
        }
    }
}
