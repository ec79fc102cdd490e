package dev.tally.terminal.cli;

import dev.tally.terminal.reconcile.Reconciler;
import dev.tally.terminal.reconcile.ReconciliationFormat;
import dev.tally.terminal.reconcile.ReconciliationReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "reconcile", mixinStandardHelpOptions = true, description = {
    "Match the journal against the acquirer's statement, per business date: matched; approved but not credited;"
    + " credit pending; credited late; on the statement but not approved here; REVERSAL_FAILED with the host's view;"
    + " a sale the statement lists more than once.",
    "A table by default, --json, or --csv for a spreadsheet. Read-only: nothing is sent to the host.",
    "Exit 0 report produced (differences or not); 64 unreadable statement (the line is named), a --from-host that is"
    + " not a base URL, a --merchant-id the terminal made none of the date's sales for, or a --terminal-id the journal"
    + " holds no attempt of (it holds another's); 69 acquirer unreachable."})
final class ReconcileCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    static final class Source {
        @Option(names = "--statement", paramLabel = "FILE", description = "the acquirer's statement CSV")
        Path statement;

        @Option(names = "--from-host", paramLabel = "ADMIN_URL", description = "fetch the statement from the acquirer's admin API: its base URL, e.g. http://127.0.0.1:8584")
        String fromHost;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "business date (default: the statement file's dates, or today)")
    String date;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--csv", description = "print CSV (one line per item)")
    boolean csv;

    @Override
    public Integer call() {
        g.json |= json;
        if (g.json && csv) {
            throw new IllegalArgumentException("--json and --csv are exclusive: choose one");
        }
        var d = Reconciler.date(date);
        // the statement's source is checked before the journal is opened (or made): bad input changes nothing
        if (source.statement != null) {
            dev.tally.spec.format.Utf8File.requireReadableFile(source.statement);
        } else {
            new dev.tally.terminal.reconcile.AcquirerStatements(source.fromHost); // the URL's form
        }
        TerminalSetup.requireJournal(g, "reconcile");
        try (TerminalSetup t = TerminalSetup.open(g)) {
            Reconciler rec = new Reconciler(t.journal, t.profile.terminalId(), t.profile.merchantId(), g.clock);
            ReconciliationReport r = source.statement != null ? rec.fromFile(source.statement, d)
                    : rec.fromHost(source.fromHost, d);
            if (g.json) {
                g.output.json(ReconciliationFormat.json(r));
            } else if (csv) {
                g.out.print(ReconciliationFormat.csv(r));
            } else {
                ReconciliationFormat.table(r).forEach(g.output::line);
            }
            return ExitCodes.OK;
        }
    }
}
