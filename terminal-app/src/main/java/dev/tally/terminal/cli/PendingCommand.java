package dev.tally.terminal.cli;

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
    "Exit 0 when none is left, 4 when some are."})
final class PendingCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--resolve", description = "run the reversal loop now for every pending or failed reversal")
    boolean resolve;

    @Override
    public Integer call() {
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
}
