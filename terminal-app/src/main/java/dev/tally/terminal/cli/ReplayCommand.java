package dev.tally.terminal.cli;

import dev.tally.spec.card.TestCards;
import dev.tally.terminal.support.CardMap;
import dev.tally.terminal.support.Recording;
import dev.tally.terminal.support.Replayer;
import dev.tally.terminal.support.TerminalTraffic;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tally replay}: sends a recording's requests to a host again and compares every answer with the
 * recorded one (docs/support.md "replay"). The work is {@link Replayer}; this prints the diff report.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay a Tally message log, a jPOS XML log or a journal (--journal) against a lab host and diff every answer.",
            "The host is always replay's own --host and --port, given on the command line: never the global ones, the config"
            + " file's or a default (a replay signs on and sends real sales: to a live till's host it would charge again).",
            "Signs on as its own terminal session; masked PANs become test cards (--card-map); field 7 is fresh, STANs are renumbered from a random start (a reversal keeps naming its sale)."},
        footer = {"", "Exit codes: 0 every answer as recorded, 1 something differs,",
            "  64 bad input (names the line) or no --host/--port of replay's own,",
            "  69 host unreachable or sign-on refused"})
public final class ReplayCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "LOG", description = "Tally message log (JSON Lines) or jPOS XML log")
    Path log;

    @Option(names = "--journal", paramLabel = "FILE", description = "replay a terminal journal instead (compares response codes)")
    Path journal;

    // required, on the command line: the global --host/--port (and the config file's, and their defaults) name the host a
    // till pays through, and a replay sent there signs on as the till's terminal id and takes its sales again (call())
    @Option(names = "--host", paramLabel = "H", description = "the lab host to replay against (required; the global --host"
            + " and the config file's are not used)")
    String host;

    // --port and --timeout are text, read in call() once --json is known, as PlainNumbers reads the global ones
    @Option(names = "--port", paramLabel = "N", description = "its port (required; the global --port and the config"
            + " file's are not used)")
    String portText;

    @Option(names = "--speed", defaultValue = "1", paramLabel = "1|10|max", description = "1 = recorded pace, 10 = ten times faster, max = back to back (default: ${DEFAULT-VALUE})")
    String speed;

    @Option(names = "--card-map", paramLabel = "FILE", description = "lines 'maskedPanOrLast4,cardId' (default: the test card with the same last 4, else the default card)")
    Path cardMap;

    @Option(names = "--ignore", split = ",", paramLabel = "FIELDS", description = "also ignore these fields (numbers or names)")
    List<String> ignore = new ArrayList<>();

    @Option(names = "--compare", split = ",", paramLabel = "FIELDS", description = "compare these fields although ignored by default")
    List<String> compare = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "wait for each answer (default: the global --timeout)")
    String timeoutText;

    @Option(names = "--send-unmatched-reversals", description = "send a reversal whose original is not in the log"
            + " with its field 90 as recorded (it reverses that original if the host holds it); by default it is skipped")
    boolean sendUnmatchedReversals;

    @Option(names = "--json", description = "print the report as one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (json) {
            g.json = true;
        }
        if ((log == null) == (journal == null)) {
            throw new IllegalArgumentException("give a LOG to replay or --journal FILE (one of them)");
        }
        double pace = speed(speed);
        Integer givenPort = portText == null ? null : PlainNumbers.whole(portText, "--port");
        Duration timeout = timeoutText != null
                ? TallyCli.seconds(PlainNumbers.decimal(timeoutText, "--timeout"), "--timeout", false) : g.timeout();
        requireOwnHost();
        TerminalSetup.checkMessageLogOptions(g); // before the log is read: not the LOG itself, nor any other file
        int port = g.hostPort(givenPort); // given: never the global --port
        TestCards cards = TestCards.loadOrBundled(g.cards);
        CardMap map = cardMap == null ? CardMap.defaults(cards) : CardMap.load(cardMap, cards);
        Set<String> ignored = new LinkedHashSet<>();
        Replayer.DEFAULT_IGNORED.stream().sorted().forEach(n -> ignored.add(Replayer.key(n)));
        ignored.removeAll(Replayer.keys(compare));
        ignored.addAll(Replayer.keys(ignore)); // an explicit --ignore wins over --compare
        Recording rec;
        if (journal != null) {
            rec = Recording.fromJournal(journal, g.clock);
        } else {
            rec = Recording.read(log); // a path it cannot read is refused with the reason (Utf8File.requireReadableFile)
        }
        // the TMK is the settings' (--tmk, tmk= in the config file, else the lab TMK), as before: it never came from the
        // host chosen, which only decides whether the lab TMK is warned about (not on this machine)
        Replayer replayer = new Replayer(host, port, TerminalSetup.tmk(g, host), map, g.clock, timeout, pace, ignored);
        replayer.sendUnmatchedReversals(sendUnmatchedReversals); // before the check: it decides which requests go
        // a request it cannot send is refused before the message log is made: nothing written; checked once
        List<String> terminalIds = replayer.check(rec);
        var log = TerminalSetup.messageLogOrNone(g);
        TerminalTraffic traffic = log == null ? null : new TerminalTraffic(log, null);
        Replayer.Report report;
        try {
            replayer.tap(traffic);
            report = replayer.run(rec, terminalIds, progressBar());
        } catch (dev.tally.terminal.host.SignOnException e) {
            return g.fail(ExitCodes.HOST_UNAVAILABLE, e.getMessage());
        } finally {
            if (traffic != null) {
                traffic.close();
            }
        }
        for (String w : report.warnings()) {
            g.warn(w);
        }
        print(report);
        return report.different() == 0 ? ExitCodes.OK : 1;
    }

    /**
     * Refuses a replay whose {@code --host} or {@code --port} was not typed after {@code replay} on the command line.
     * It took the global ones, from the config file or their defaults: a support engineer who gave a till's config
     * file for its report settings replayed against the till's live host, signed on as its terminal id (the till's next
     * payment failed A0) and took a second real payment. Said before any file is read or anything is sent.
     */
    private void requireOwnHost() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed != null && parsed.hasMatchedOption("--host") && parsed.hasMatchedOption("--port")) {
            return;
        }
        String example = journal != null ? "replay --journal FILE --host H --port N" : "replay LOG --host H --port N";
        throw new IllegalArgumentException("replay needs the lab host to send to: give '" + example + "' (the global"
                + " --host/--port and the config file's are not used by replay, so that a replay never goes to a live"
                + " till's host); nothing was sent");
    }

    private static double speed(String s) {
        if (s.equalsIgnoreCase("max")) {
            return 0;
        }
        try {
            double d = Double.parseDouble(s);
            if (d > 0 && d <= 10_000) {
                return d;
            }
        } catch (NumberFormatException e) {
            // the message below says what is allowed
        }
        throw new IllegalArgumentException("--speed must be 1 (recorded pace), a factor such as 10, or max; got " + s);
    }

    /** A bar on standard error, only when it is a terminal (never in a pipe, a file or a test). */
    private BiConsumer<Integer, Integer> progressBar() {
        java.io.Console console = System.console();
        if (g.err != System.err || console == null || !console.isTerminal()) {
            return null;
        }
        return (done, total) -> {
            int width = 30;
            int filled = total == 0 ? width : done * width / total;
            g.err.print("\rreplay [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
            if (done.equals(total)) {
                g.err.println();
            }
            g.err.flush();
        };
    }

    private void print(Replayer.Report r) {
        if (g.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("status", r.different() == 0 ? "SAME" : "DIFFERENT");
            o.put("source", r.source());
            o.put("host", r.host());
            o.put("speed", r.speed());
            o.put("ignoredFields", r.ignored());
            Map<String, Object> totals = new LinkedHashMap<>();
            totals.put("requests", r.results().size());
            totals.put("sent", r.sent());
            totals.put("same", r.same());
            totals.put("different", r.different());
            totals.put("notRecorded", r.notRecorded());
            totals.put("skipped", r.skipped());
            totals.put("strays", r.strays().size());
            totals.put("elapsedMs", r.elapsedMs());
            totals.put("maxInFlight", r.maxInFlight());
            o.put("totals", totals);
            // one message's object at a time, as Jackson writes it: for a large log the whole tree took as much
            // memory as the log itself
            Iterable<Map<String, Object>> msgs = () -> r.results().stream().map(ReplayCommand::json).iterator();
            o.put("messages", msgs);
            o.put("strays", r.strays());
            o.put("warnings", r.warnings());
            g.output.json(o);
            return;
        }
        g.output.line("replay of " + r.source() + " against " + r.host() + " at speed " + r.speed());
        g.output.line("ignored fields: " + String.join(" ", r.ignored()));
        g.output.line("");
        for (Replayer.Result x : r.results()) {
            g.output.line(String.format("#%-4d %-40s %-10s %s", x.recorded().index(), x.recorded().label(),
                    resultWord(x), "(" + x.recorded().where() + (x.replayedStan() == null ? ""
                            : ", replayed as STAN " + x.replayedStan()) + ")"));
            if (x.skipped()) {
                g.output.line("      " + x.skipReason());
            }
            for (Replayer.Difference d : x.differences()) {
                g.output.line(String.format("      %-28s recorded %-20s replay %s",
                        d.field() + (d.number() > 0 && d.number() < 999 ? " (" + d.number() + ")" : ""),
                        shown(d.recorded()), shown(d.replayed())));
            }
        }
        g.output.line("");
        if (!r.strays().isEmpty()) {
            g.output.line("late or duplicate answers seen (not compared): " + String.join(", ", r.strays()));
        }
        g.output.line("totals: " + r.results().size() + " requests, " + r.sent() + " sent, " + r.same() + " same, "
                + r.different() + " different, " + r.notRecorded() + " without a recorded answer, " + r.skipped()
                + " not replayed; " + r.elapsedMs() + " ms");
        String notReplayed = r.skipped() == 0 ? "" : "; " + r.skipped() + " request(s) not replayed, so not compared (above)";
        g.output.line((r.different() == 0 ? "result: every answer as recorded" : "result: " + r.different()
                + " answer(s) differ") + notReplayed);
    }

    /** One message of the JSON report. */
    private static Map<String, Object> json(Replayer.Result x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", x.recorded().index());
        m.put("where", x.recorded().where());
        m.put("messageId", x.recorded().messageId());
        m.put("mti", x.recorded().request().getString(0));
        m.put("stan", String.format("%06d", x.recorded().view().stan()));
        m.put("replayedStan", x.replayedStan());
        m.put("orderRef", x.recorded().view().orderReference().orElse(null));
        m.put("result", resultWord(x));
        m.put("recorded", describe(x.recorded().outcome(), x.recorded().response()));
        m.put("replayed", x.replayedOutcome() == null ? null : describe(x.replayedOutcome(), x.replayedResponse()));
        if (x.skipReason() != null) {
            m.put("skipReason", x.skipReason());
        }
        if (x.problem() != null) {
            m.put("problem", x.problem());
        }
        m.put("latencyMs", x.latencyMs());
        m.put("differences", x.differences().stream().map(d -> {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("field", d.field());
            dm.put("number", d.number());
            dm.put("recorded", d.recorded());
            dm.put("replayed", d.replayed());
            return dm;
        }).toList());
        return m;
    }

    private static String resultWord(Replayer.Result x) {
        if (x.skipped()) {
            return "SKIPPED";
        }
        if (x.differs()) {
            return "DIFFERS";
        }
        return x.recorded().outcome() == Recording.Outcome.NOT_RECORDED ? "SENT" : "SAME";
    }

    private static String describe(Recording.Outcome o, Map<String, String> fields) {
        return switch (o) {
            case ANSWERED -> "answered " + (fields == null ? "?" : fields.getOrDefault("RESPONSE_CODE", "?"));
            case TIMEOUT -> "no answer";
            case GARBAGE -> "garbled answer";
            case DISCONNECTED -> "connection closed, no answer";
            case NOT_RECORDED -> "not recorded";
        };
    }

    /** A field one side does not hold: "(absent)", not "null" (which read as a value the host sent). */
    static final String ABSENT = "(absent)";

    private static String shown(String value) {
        return value == null ? ABSENT : value;
    }
}
