package dev.tally.terminal.cli;

import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.engine.OperatorClose;
import dev.tally.terminal.engine.StatusReport;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "pending", mixinStandardHelpOptions = true, description = {"List uncertain attempts, pending and failed reversals.",
    "Exit 0 when none is left, 4 when some are.",
    "With --close ORDER: close the order's failed reversal (REVERSAL_FAILED) with what the acquirer confirmed;"
            + " the host is asked first and a close it contradicts is refused. Exit 0 closed, 3 refused (nothing"
            + " changed), 64 bad input or an order not in the journal."})
final class PendingCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--resolve", description = "run the reversal loop now for every pending or failed reversal")
    boolean resolve;

    @Option(names = "--close", paramLabel = "ORDER", description = "close this order's failed reversal (REVERSAL_FAILED) with"
            + " what the acquirer confirmed out of band: needs --outcome and --reference")
    String close;

    @Option(names = "--outcome", paramLabel = "not-charged|charged", description = "with --close: not-charged (nothing"
            + " stands: the order may be paid again) or charged (the charge stands: the order is paid)")
    String outcome;

    @Option(names = "--reference", paramLabel = "TEXT", description = "with --close: who at the acquirer confirmed it and"
            + " their case number; goes on the audit trail")
    String reference;

    @Option(names = "--rrn", paramLabel = "RRN", description = "with --outcome charged: the acquirer's retrieval reference"
            + " number (12 letters or digits); taken from the host's answer when it gives one (and must match it),"
            + " required when the host cannot be asked")
    String rrn;

    @Option(names = "--auth-code", paramLabel = "CODE", description = "with --outcome charged: the acquirer's auth code, when"
            + " known")
    String authCode;

    @Option(names = "--without-host", description = "with --close: close it on the acquirer's word alone when the host"
            + " cannot be asked and has never answered a status inquiry about the sale (said so on the audit trail)")
    boolean withoutHost;

    @Override
    public Integer call() {
        if (close != null) {
            return close();
        }
        if (outcome != null || reference != null || rrn != null || authCode != null || withoutHost) {
            throw new IllegalArgumentException("--outcome, --reference, --rrn, --auth-code and --without-host go with"
                    + " --close ORDER; nothing was done");
        }
        TerminalSetup.requireJournal(g, "pending");
        try (TerminalSetup t = TerminalSetup.open(g)) {
            List<Attempt> before = t.engine.pending();
            List<Attempt> left;
            if (resolve) {
                left = t.engine.resolvePending();
            } else {
                t.reversalsIfReachable(g);
                left = t.engine.pending();
            }
            List<Attempt> resolved = before.stream()
                    .filter(b -> left.stream().noneMatch(l -> l.id() == b.id()))
                    .map(b -> t.journal.find(b.id()).orElseThrow())
                    .toList();
            // reconciliation (DESIGN.md §6): a failed reversal is listed with the host's view beside it
            Map<Long, StatusReport> hostViews = new LinkedHashMap<>();
            for (Attempt a : left) {
                if (a.state() == AttemptState.REVERSAL_FAILED) {
                    hostViews.put(a.id(), t.engine.hostView(a));
                }
            }
            if (g.json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("status", left.isEmpty() ? "OK" : "PENDING");
                o.put("count", left.size());
                o.put("pending", left.stream().map(a -> {
                    Map<String, Object> m = g.output.attempt(a);
                    t.journal.lastEvent(a.id()).ifPresent(e -> m.put("lastEvent", g.output.event(e)));
                    StatusReport h = hostViews.get(a.id());
                    if (h != null) {
                        m.put("host", g.output.hostView(h));
                    }
                    return m;
                }).toList());
                o.put("resolved", g.output.attempts(resolved));
                g.output.json(o);
            } else {
                for (Attempt a : resolved) {
                    g.output.line("resolved  " + g.output.attemptLine(a));
                }
                if (left.isEmpty()) {
                    g.output.line("nothing pending");
                }
                for (Attempt a : left) {
                    g.output.line(g.output.attemptLine(a));
                    t.journal.lastEvent(a.id()).ifPresent(e -> g.output.line(g.output.eventLine(e))); // why it is still here
                    StatusReport h = hostViews.get(a.id());
                    if (h != null) {
                        g.output.line("    host: " + g.output.hostViewLine(h));
                    }
                }
            }
            return left.isEmpty() ? ExitCodes.OK : ExitCodes.UNCERTAIN;
        }
    }

    /** {@code --close ORDER}: the operator's close of a failed reversal (PaymentEngine#closeFailedReversal). */
    private int close() {
        if (resolve) {
            throw new IllegalArgumentException("--close and --resolve do not go together: --resolve tries the reversals"
                    + " again, --close records what the acquirer confirmed; nothing was done");
        }
        OrderReference.require(close);
        if (outcome == null) {
            throw new IllegalArgumentException("--close needs --outcome not-charged or --outcome charged, as the acquirer"
                    + " confirmed it; nothing was done");
        }
        OperatorClose what = new OperatorClose(OperatorClose.Outcome.parse(outcome), reference, rrn, authCode,
                withoutHost);
        TerminalSetup.requireExistingJournal(g, close);
        try (TerminalSetup t = TerminalSetup.open(g)) {
            if (t.journal.lastAttempt(close).isEmpty()) {
                return g.fail(ExitCodes.BAD_INPUT, "order " + close + " is not in the journal " + t.journal.file()
                        + "; nothing was done");
            }
            OperatorClose.Result r = t.engine.closeFailedReversal(close, what);
            if (g.json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("status", r.closed() ? "CLOSED" : "REFUSED");
                o.put("message", r.message());
                if (r.attempt() != null) {
                    o.put("attempt", g.output.attempt(r.attempt()));
                }
                if (r.host() != null) {
                    o.put("host", g.output.hostView(r.host()));
                }
                g.output.json(o);
            } else {
                g.output.line((r.closed() ? "closed  " : "refused  ") + r.message());
                if (r.attempt() != null) {
                    g.output.line(g.output.attemptLine(r.attempt()));
                }
            }
            return r.closed() ? ExitCodes.OK : ExitCodes.REFUSED;
        }
    }
}
