package dev.tally.terminal.cli;

import dev.tally.spec.format.DurationText;
import dev.tally.terminal.engine.ReversalPolicy;
import dev.tally.terminal.journal.Journal;
import dev.tally.terminal.load.LatencyPlot;
import dev.tally.terminal.load.LoadGenerator;
import dev.tally.terminal.load.LoadMix;
import dev.tally.terminal.load.LoadPlan;
import dev.tally.terminal.load.LoadReport;
import dev.tally.terminal.load.PendingResolver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        // one string per paragraph: picocli wraps each at the usage width
        description = {"Load test: N logical terminals (LOAD0001, LOAD0002, ...) sign on, then make sales until the"
            + " duration is over or the request cap is spent; prints requests, sales/s, latency percentiles,"
            + " results, errors by kind (a 94 is 'duplicate', a code the catalogue does not know 'unknown_code_NN', an"
            + " answer whose MAC fails 'mac_failure', one without a MAC 'mac_missing', one without field 39"
            + " 'no_response_code': all reversed, as the engine does, none counted as declined; a reversal's answer"
            + " whose MAC fails 'reversal_mac_failure', a 00 or 25 without a MAC 'reversal_mac_missing': not"
            + " trusted, the sale REVERSAL_PENDING) and reversals. With a"
            + " journal every sale goes through the real engine (durable before send); --no-journal is a pure load"
            + " generator for measuring the host.",
            "The host timeout is the global --timeout (set it low, e.g. --timeout 2, when the mix has timeouts)."},
        footer = {"", "Mix file: one 'WEIGHT AMOUNT [CARD]' a line, '#' comments; the simulator decides by the"
            + " amount's cents (docs/simulator.md §3), e.g. '90 0.10' approve, '5 0.05' decline 05, '5 0.68' no answer"
            + " (each terminal's sales take the entries in turn, spread by weight: a decline and a timeout in every 20).",
            "", ExitCodes.HELP})
final class LoadCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--host", paramLabel = "H", description = "host address (default: the global --host)")
    String host;

    @Option(names = "--port", paramLabel = "N", description = "host port (default: the global --port)")
    Integer port;

    @Option(names = "--terminals", defaultValue = "64", paramLabel = "N", description = "logical terminals (default: ${DEFAULT-VALUE})")
    int terminals;

    @Option(names = "--duration", defaultValue = "30s", paramLabel = "DURATION", description = "how long: 500ms, 30s, 2m (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--warmup", defaultValue = "0s", paramLabel = "DURATION",
            description = "first run the same load this long without counting it (JIT, caches; default: none)")
    String warmup;

    @Option(names = "--requests", defaultValue = "0", paramLabel = "N", description = "stop after N sales in all (default: no cap)")
    long requests;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "R", description = "sales per second in all (default: as fast as the host answers)")
    double rate;

    @Option(names = "--mix", paramLabel = "FILE", description = "amount mix (default: every sale 0.10, approved)")
    Path mix;

    @Option(names = "--journal", paramLabel = "FILE", description = "journal every sale goes through (default: the global --journal)")
    Path journal;

    @Option(names = "--no-journal", description = "pure load generator: no journal, no engine")
    boolean noJournal;

    @Option(names = "--bare-host", description = "with --no-journal: the host is a bare echo server (no key exchange)")
    boolean bareHost;

    @Option(names = "--terminal-prefix", defaultValue = "LOAD", paramLabel = "P", description = "terminal id prefix (default: ${DEFAULT-VALUE})")
    String terminalPrefix;

    @Option(names = "--resolve-pending", description = "no load: resolve the journal's uncertain attempts after a crash,"
            + " each terminal id signing on as itself; prints the seconds it took")
    boolean resolvePending;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--svg", paramLabel = "FILE", description = "write a latency-by-percentile plot (SVG)")
    Path svg;

    @Override
    public Integer call() throws Exception {
        g.json = g.json || json;
        if (g.messageLog != null) {
            // the load's terminals talk on links of their own, untapped: refused rather than ignored (a log read
            // afterwards would look complete and hold nothing); logging them would also slow what is measured
            throw new IllegalArgumentException("load does not write a message log: drop --message-log (for the"
                    + " run's traffic, start the simulator with tally-sim --message-log FILE)");
        }
        LoadPlan plan = new LoadPlan(terminals, parseDuration(duration), rate, requests,
                mix == null ? LoadMix.approvals() : LoadMix.read(mix), parseDuration("--warmup", warmup));
        if (bareHost && !noJournal) {
            throw new IllegalArgumentException("--bare-host needs --no-journal (a bare echo server answers no reversal)");
        }
        if (noJournal && journal != null) {
            throw new IllegalArgumentException("give either --journal FILE or --no-journal, not both");
        }
        LoadGenerator.Target target = new LoadGenerator.Target(host != null ? host : g.host, g.hostPort(port),
                terminalPrefix, g.merchantId, g.currency, TerminalSetup.tmk(g, host != null ? host : g.host), g.timeout(), TerminalSetup.cardReader(g));
        List<LoadMix.Entry> entries = plan.mix().entries();
        for (int i = 0; i < entries.size(); i++) {
            try {
                target.reader().read(entries.get(i).card()); // an unknown card is bad input before anything is sent
            } catch (dev.tally.terminal.card.UnknownCardException e) {
                throw new IllegalArgumentException("the mix file " + mix + ", entry " + (i + 1) + " (" + entries.get(i).weight()
                        + " " + dev.tally.terminal.engine.Amounts.format(entries.get(i).amount()) + "): " + e.getMessage(), e);
            }
        }
        if (svg != null) {
            requireWritable(svg); // bad input before anything is sent, not after the run
        }
        if (resolvePending) {
            return resolve(target);
        }
        PrintStream progress = System.console() != null && System.console().isTerminal() && !g.json ? g.err : null;
        // Ctrl-C or SIGTERM ends the run early: no new sale starts, the ones out finish (their reversals too), and the
        // report of what was measured until then is printed before the process ends (exit 130 / 143 as ever)
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch reported = new CountDownLatch(1);
        Duration grace = g.timeout().multipliedBy(3).plusSeconds(10);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                reported.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tally-load-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runAndReport(target, plan, progress, stop);
        } finally {
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException stopping) {
                // the process is stopping: the hook has run and waits for nothing now
            }
        }
    }

    private int runAndReport(LoadGenerator.Target target, LoadPlan plan, PrintStream progress, AtomicBoolean stop)
            throws InterruptedException {
        LoadReport report;
        if (noJournal) {
            report = LoadGenerator.withoutJournal(target, plan, bareHost, g.clock, progress, stop);
        } else {
            try (Journal j = Journal.open(journal != null ? journal : g.journal, g.clock)) {
                report = LoadGenerator.withJournal(target, plan, j,
                        ReversalPolicy.of(g.reversalAttempts, g.reversalInterval()), g.clock, progress, stop);
            }
        }
        boolean interrupted = stop.get();
        String plotProblem = null;
        if (svg != null) {
            String title = String.format(Locale.ROOT, "tally load (%s): %d terminals, %,.0f sales/s", report.mode(),
                    report.terminals(), report.tps());
            try {
                Files.writeString(svg, LatencyPlot.svg(title, List.of(new LatencyPlot.Series(report.mode() + ", p99 "
                        + String.format(Locale.ROOT, "%.2f ms", report.p99()), report.percentileCurve()))),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                plotProblem = "the run is reported, but its plot could not be written to " + svg + ": " + e;
            }
        }
        if (g.json) {
            Map<String, Object> o = report.json();
            o.put("interrupted", interrupted);
            g.output.json(o);
        } else {
            report.lines().forEach(g.output::line);
            if (interrupted) {
                g.output.line("interrupted (Ctrl-C or SIGTERM): the figures cover the run until then");
            }
        }
        if (plotProblem != null) {
            // after the report, on standard error only: the sales went, so this is not bad input (64)
            g.stderr("tally: " + plotProblem);
            return ExitCodes.INTERNAL_ERROR;
        }
        return ExitCodes.OK;
    }

    /** Refuses a plot file that cannot be written (its folder missing or read-only, a directory, a read-only file). */
    static void requireWritable(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--svg " + file + " is a directory: name a file to write");
        }
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--svg " + file + ": the folder " + dir + " does not exist");
        }
        if (Files.exists(file) ? !Files.isWritable(file) : dir != null && !Files.isWritable(dir)) {
            throw new IllegalArgumentException("--svg " + file + " cannot be written: permission denied");
        }
    }

    private int resolve(LoadGenerator.Target target) throws InterruptedException {
        if (noJournal) {
            throw new IllegalArgumentException("--resolve-pending works on a journal; drop --no-journal");
        }
        long start = System.nanoTime();
        PendingResolver.Result r;
        try (Journal j = Journal.open(journal != null ? journal : g.journal, g.clock)) {
            r = LoadGenerator.resolvePending(target, j, ReversalPolicy.of(g.reversalAttempts, g.reversalInterval()),
                    parseDuration(duration), g.clock);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (g.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("recovered", r.recovered());
            o.put("resolved", r.resolved());
            o.put("stillPending", r.stillPending());
            o.put("terminals", r.terminals());
            o.put("seconds", Math.round(seconds * 1000) / 1000.0);
            g.output.json(o);
        } else {
            g.output.line(String.format(Locale.ROOT, "recovered %d in-flight attempts; %d reversed, %d still pending,"
                    + " %d terminals, %.3f s", r.recovered(), r.resolved(), r.stillPending(), r.terminals(), seconds));
        }
        return r.stillPending() == 0 ? ExitCodes.OK : ExitCodes.UNCERTAIN;
    }

    /** 500ms, 30s, 2m, 1h, or ISO-8601 (PT30S): {@link DurationText}, with the option named in the error. */
    static Duration parseDuration(String text) {
        return parseDuration("--duration", text);
    }

    private static Duration parseDuration(String option, String text) {
        try {
            return DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " must look like 500ms, 30s, 2m, 1h or PT30S, got '" + text + "'");
        }
    }
}
