package dev.tally.terminal.cli;

import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.PaymentStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "reverse", mixinStandardHelpOptions = true, description = {"Cancel at the till: reverse the order's approved or uncertain attempt.",
    "Exit 0 when it is REVERSED, 4 when the reversal is still pending or failed, 3 when there is nothing to reverse,"
        + " 64 when the order is not in the journal."})
final class ReverseCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--order", required = true, paramLabel = "ID", description = "order / invoice id")
    String order;

    @Override
    public Integer call() {
        OrderReference.require(order);
        TerminalSetup.requireExistingJournal(g, order);
        try (TerminalSetup t = TerminalSetup.open(g)) {
            if (t.journal.lastAttempt(order).isEmpty()) { // as status says it (and the API's 404): nothing was done
                return g.fail(ExitCodes.BAD_INPUT, "order " + order + " is not in the journal " + t.journal.file()
                        + "; nothing was done");
            }
            PaymentResult r = t.engine.reverse(order);
            g.output.printPayment(r);
            return r.status() == PaymentStatus.REVERSED ? ExitCodes.OK : ExitCodes.of(r.status());
        }
    }
}
