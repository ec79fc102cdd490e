package dev.tally.terminal.cli;

import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.engine.Amounts;
import dev.tally.terminal.engine.PaymentResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "sale", mixinStandardHelpOptions = true, description = {"Pay for an order with the card the lab reader reads.",
    "Refused (exit 3) when the order is paid (ALREADY_PAID) or has an unresolved attempt (LOCKED)."},
        footer = {"", ExitCodes.HELP})
final class SaleCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--order", required = true, paramLabel = "ID", description = "order / invoice id (1-40 of A-Z a-z 0-9 . _ - / :)")
    String order;

    @Option(names = "--amount", required = true, paramLabel = "AMOUNT", description = "amount, e.g. 12.34")
    String amount;

    @Option(names = "--card", paramLabel = "CARD", description = "test card id or PAN for the lab reader (default: its first card)")
    String card;

    @Override
    public Integer call() {
        // every input is checked before the journal is opened: bad input changes nothing
        OrderReference.require(order);
        long minor = Amounts.parse(amount);
        CardReader reader = TerminalSetup.cardReader(g);
        reader.read(card);
        try (TerminalSetup t = TerminalSetup.open(g, reader)) {
            PaymentResult r = t.engine.sale(order, minor, card);
            g.output.printPayment(r);
            return ExitCodes.of(r.status());
        }
    }
}
