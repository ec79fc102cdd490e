package dev.tally.terminal.cli;

import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.StatusReport;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", mixinStandardHelpOptions = true, description = {"What the journal and the host know of an order.",
    "Asks the host (status inquiry) when the outcome is uncertain or the credit may be pending.",
    "Exit code as for a sale in that state (0 approved, 2 declined, 4 in progress/reversed/pending/failed); 64 unknown order."})
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--order", required = true, paramLabel = "ID", description = "order / invoice id")
    String order;

    @Override
    public Integer call() {
        OrderReference.require(order);
        TerminalSetup.requireExistingJournal(g, order);
        try (TerminalSetup t = TerminalSetup.open(g)) {
            StatusReport s = t.engine.status(order);
            if (s.attempt() == null) {
                return g.fail(ExitCodes.BAD_INPUT, "order " + order + " is not in the journal " + t.journal.file());
            }
            PaymentResult r = t.engine.result(s.attempt());
            if (g.json) {
                Map<String, Object> o = g.output.payment(r);
                o.put("host", g.output.hostView(s));
                g.output.json(o);
            } else {
                g.output.line(g.output.attemptLine(s.attempt()));
                g.output.line(r.message());
                if (s.hostResponseCode() != null || s.hostProblem() != null) {
                    g.output.line("host: " + g.output.hostViewLine(s));
                }
            }
            return ExitCodes.of(r.status());
        }
    }
}
