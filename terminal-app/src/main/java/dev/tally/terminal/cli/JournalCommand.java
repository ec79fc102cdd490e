package dev.tally.terminal.cli;

import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.Journal;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tally journal}: the attempts and their audit trail, as the journal holds them. An inspection: it reads only,
 * as {@code tally report} does ({@link Journal#openReadOnly}) — no journal is made where there is none, nothing is
 * migrated, recovered or reversed, no host is contacted, it needs no data key (it shows masked card numbers only) and
 * it does not wait for a running {@code tally serve}.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = {"The attempts and their state changes (PANs masked). Reads only: changes nothing, contacts no host,"
            + " needs no data key, and reads while tally serve runs."},
        footer = {"", "Exit codes: 0 shown, 64 bad input or no journal at the path, 1 the journal cannot be read"})
final class JournalCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--order", paramLabel = "ID", description = "only this order")
    String order;

    private record Shown(Attempt attempt, List<AttemptEvent> events) {
    }

    @Override
    public Integer call() {
        if (order != null) {
            OrderReference.require(order);
        }
        if (!Files.exists(g.journal)) {
            throw new IllegalArgumentException("no journal at " + g.journal + " (give --journal FILE)");
        }
        if (Files.isDirectory(g.journal)) {
            throw new IllegalArgumentException("the journal " + g.journal.toAbsolutePath() + " is a directory: give the"
                    + " journal's file (e.g. " + g.journal.toAbsolutePath().resolve("journal.db") + ")");
        }
        List<Shown> shown;
        try (Journal journal = Journal.openReadOnly(g.journal, g.clock)) {
            // attempts and events as of one commit: serve may be writing meanwhile
            shown = journal.snapshot(() -> journal.attempts(order).stream()
                    .map(a -> new Shown(a, journal.events(a.id()))).toList());
        }
        if (g.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("status", "OK");
            o.put("count", shown.size());
            o.put("attempts", shown.stream().map(s -> {
                Map<String, Object> m = g.output.attempt(s.attempt());
                m.put("events", s.events().stream().map(g.output::event).toList());
                return m;
            }).toList());
            g.output.json(o);
        } else {
            if (shown.isEmpty()) {
                g.output.line(order == null ? "the journal is empty" : "no attempts for order " + order);
            }
            for (Shown s : shown) {
                g.output.line(g.output.attemptLine(s.attempt()));
                s.events().forEach(e -> g.output.line(g.output.eventLine(e)));
            }
        }
        return ExitCodes.OK;
    }
}
