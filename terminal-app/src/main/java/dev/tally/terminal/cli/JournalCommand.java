package dev.tally.terminal.cli;

import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.journal.Attempt;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "journal", mixinStandardHelpOptions = true, description = "The attempts and their state changes (PANs masked).")
final class JournalCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--order", paramLabel = "ID", description = "only this order")
    String order;

    @Override
    public Integer call() {
        if (order != null) {
            OrderReference.require(order);
        }
        try (TerminalSetup t = TerminalSetup.open(g)) {
            t.reversalsIfReachable(g);
            List<Attempt> attempts = t.journal.attempts(order);
            if (g.json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("status", "OK");
                o.put("count", attempts.size());
                o.put("attempts", attempts.stream().map(a -> {
                    Map<String, Object> m = g.output.attempt(a);
                    m.put("events", t.journal.events(a.id()).stream().map(g.output::event).toList());
                    return m;
                }).toList());
                g.output.json(o);
            } else {
                if (attempts.isEmpty()) {
                    g.output.line(order == null ? "the journal is empty" : "no attempts for order " + order);
                }
                for (Attempt a : attempts) {
                    g.output.line(g.output.attemptLine(a));
                    t.journal.events(a.id()).forEach(e -> g.output.line(g.output.eventLine(e)));
                }
            }
            return ExitCodes.OK;
        }
    }
}
