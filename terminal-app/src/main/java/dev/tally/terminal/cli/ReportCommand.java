package dev.tally.terminal.cli;

import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.Journal;
import dev.tally.terminal.support.ProblemReport;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tally report}: the problem report of an order (or a STAN, or a time window), from the journal
 * and the message log (docs/support.md "report"). Reads only: it changes nothing and contacts no host; it
 * reads the journal while {@code tally serve} runs on it, and without the journal's data key (it shows no PAN).
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The problem report support asks for: time, place, operator, description, message timeline,"
            + " environment, impact, actions taken, system response and follow-up. Markdown, or --json.",
            "Place and operator come from the config file keys location, address and operator (or --operator)."},
        footer = {"", "Exit codes: 0 report written, 64 bad input or nothing in the journal matches, 1 the journal cannot be read",
            "Reads the journal while another tally (serve) uses it, and without its data key: no PAN is shown."})
public final class ReportCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--order", paramLabel = "ID", description = "the order (invoice) the report is about")
    String order;

    // text, read in call() once --json is known, as PlainNumbers reads every number option
    @Option(names = "--stan", paramLabel = "N", description = "the sale or reversal STAN (of --terminal-id)")
    String stanText;

    private Integer stan;

    @Option(names = "--since", paramLabel = "TIME", description = "attempts created at or after, ISO time (2026-11-22T10:00, ...Z, or a date)")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "attempts created before, ISO time")
    String until;

    @Option(names = "--operator", paramLabel = "NAME", description = "who operated the till (default: config key operator)")
    String operator;

    @Option(names = "--json", description = "print the report as one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (json) {
            g.json = true;
        }
        stan = stanText == null ? null : stan(stanText);
        int chosen = (order != null ? 1 : 0) + (stan != null ? 1 : 0) + (since != null || until != null ? 1 : 0);
        if (chosen != 1) {
            throw new IllegalArgumentException("give one of --order ID, --stan N, or --since/--until TIME");
        }
        if (order != null) {
            OrderReference.require(order);
        }
        Instant from = since == null ? Instant.MIN : time(since, "--since");
        Instant to = until == null ? Instant.MAX : time(until, "--until");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("--since " + since + " is not before --until " + until
                    + ": no payment can be in that window (--until is not included: for the whole day D give --since D"
                    + " --until D+1)");
        }
        if (!Files.exists(g.journal)) {
            throw new IllegalArgumentException("no journal at " + g.journal + " (give --journal FILE)");
        }
        Properties config = config();
        List<MessageLog.Entry> log = readLog();
        List<ProblemReport.Case> cases = new ArrayList<>();
        String subject;
        if (order != null) {
            subject = "order " + order;
        } else if (stan != null) {
            subject = "STAN " + String.format("%06d", stan) + " of terminal " + g.terminalId;
        } else {
            subject = "payments " + (since == null ? "" : "since " + since) + (until == null ? "" : " until " + until);
        }
        List<String> terminals = new ArrayList<>();
        try (Journal journal = Journal.openReadOnly(g.journal, g.clock)) {
            // attempts and events as of one commit: serve may be writing this order's next step meanwhile
            journal.snapshot(() -> {
                List<Attempt> attempts;
                if (order != null) {
                    attempts = journal.attempts(order);
                } else if (stan != null) {
                    attempts = journal.byStan(g.terminalId, stan).map(List::of).orElse(List.of());
                    if (attempts.isEmpty()) {
                        // a STAN is per terminal: another terminal's journal (or --terminal-id left out) is said as such
                        journal.attempts(null).stream().map(Attempt::terminalId).distinct().sorted()
                                .forEach(terminals::add);
                    }
                } else {
                    attempts = journal.attempts(null).stream()
                            .filter(a -> !a.createdAt().isBefore(from) && a.createdAt().isBefore(to)).toList();
                }
                Map<String, List<Attempt>> orders = new LinkedHashMap<>();
                for (Attempt a : attempts) {
                    // by message id, terminal, order, STAN and field 7: a new journal reuses the message ids; the
                    // order's other attempts say whether a later one paid it
                    cases.add(ProblemReport.Case.of(a, journal.events(a.id()), log,
                            orders.computeIfAbsent(a.orderRef(), journal::attempts)));
                }
                return null;
            });
        }
        if (cases.isEmpty()) {
            List<String> others = terminals.stream().filter(t -> !t.equals(g.terminalId)).toList();
            return g.fail(ExitCodes.BAD_INPUT, "nothing in the journal " + g.journal + " matches " + subject.strip()
                    + (others.isEmpty() ? "" : "; the journal holds attempts of terminal " + String.join(", ", terminals)
                    + ": give --terminal-id " + others.getFirst() + " for its STANs"
                    + (terminals.contains(g.terminalId) ? "" : ", or the journal of terminal " + g.terminalId
                    + " (--journal)")));
        }
        String version = TallyCli.class.getAnnotation(Command.class).version()[0];
        ProblemReport.Context ctx = new ProblemReport.Context(g.merchantId, g.terminalId, config.getProperty("location"),
                config.getProperty("address"), operator != null ? operator : config.getProperty("operator"), version,
                g.host + ":" + g.port, g.journal.toString(), g.messageLog == null || !logFound ? null
                        : g.messageLog.toString(),
                g.clock.instant(), g.clock.getZone());
        ProblemReport report = new ProblemReport(ctx, subject, cases);
        if (g.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("status", "OK");
            o.putAll(report.toMap());
            g.output.json(o);
        } else {
            g.output.line(report.markdown().stripTrailing());
        }
        return ExitCodes.OK;
    }

    /** A STAN as people write it: 123 or 000123. */
    static int stan(String text) {
        int stan = PlainNumbers.whole(text, "--stan");
        if (stan < 1 || stan > 999_999) {
            throw new IllegalArgumentException("--stan must be 1 to 999999, a STAN (e.g. 123 or 000123; a STAN is never"
                    + " 0), got '" + text + "'");
        }
        return stan;
    }

    private Instant time(String text, String option) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).atZone(g.clock.getZone()).toInstant();
            } catch (DateTimeParseException e2) {
                try {
                    return LocalDate.parse(text).atStartOfDay(g.clock.getZone()).toInstant();
                } catch (DateTimeParseException e3) {
                    throw new IllegalArgumentException(option + " must be an ISO date or time such as 2026-11-22T10:41"
                            + " or 2026-11-22T10:41:00Z, got " + text);
                }
            }
        }
    }

    private Properties config() throws IOException {
        Properties p = new Properties();
        if (g.config != null && Files.isReadable(g.config)) {
            try (Reader r = Files.newBufferedReader(g.config, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        return p;
    }

    /** Whether the --message-log (or one of its rotated files) was there to read. */
    private boolean logFound;

    /**
     * The message log with its rotated files, oldest first; none when no --message-log is set. A log that is not
     * there is said on standard error, and the report is from the journal alone (it does not claim the log).
     */
    private List<MessageLog.Entry> readLog() throws IOException {
        List<MessageLog.Entry> out = new ArrayList<>();
        if (g.messageLog == null) {
            return out;
        }
        for (int i = Math.max(1, g.messageLogKeep); i >= 1; i--) {
            Path rotated = Path.of(g.messageLog + "." + i);
            if (Files.exists(rotated)) {
                requireLogFile(rotated);
                out.addAll(MessageLog.read(rotated, g::warn)); // a last line cut short: left out, said
                logFound = true;
            }
        }
        if (Files.exists(g.messageLog)) {
            requireLogFile(g.messageLog);
            out.addAll(MessageLog.read(g.messageLog, g::warn)); // the live file, copied while written
            logFound = true;
        }
        if (!logFound) {
            g.warn("the message log " + g.messageLog + " is not there (nor rotated files of it):"
                    + " the report is from the journal alone");
        }
        return out;
    }

    /**
     * Refuses, as decode and replay do, a log path that is a directory or cannot be read (it was an internal error,
     * "Is a directory"), and the journal given as the log.
     */
    private void requireLogFile(Path log) throws IOException {
        dev.tally.spec.format.Utf8File.requireReadableFile(log);
        dev.tally.spec.format.Utf8File.refuseDatabase(log, "--message-log takes the message log (JSON Lines);"
                + " the journal goes to --journal");
    }
}
