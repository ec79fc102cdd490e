package dev.tally.terminal.cli;

import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.engine.Amounts;
import dev.tally.terminal.engine.InquiryResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "inquiry", mixinStandardHelpOptions = true, description = {"Balance inquiry for the card the reader reads.", "Exit 0 answered 00, 2 declined, 69 no answer."})
final class InquiryCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--card", paramLabel = "CARD", description = "test card id or PAN for the lab reader (default: its first card)")
    String card;

    @Override
    public Integer call() {
        CardReader reader = TerminalSetup.cardReader(g);
        reader.read(card);
        try (TerminalSetup t = TerminalSetup.open(g, reader)) {
            InquiryResult r = t.engine.inquiry(card);
            boolean approved = "00".equals(r.responseCode());
            String status = !r.answered() ? "NO_ANSWER" : approved ? "APPROVED" : "DECLINED";
            if (g.json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("status", status);
                o.put("responseCode", r.responseCode());
                o.put("message", r.message());
                o.put("balance", r.balance() == null ? null : Amounts.format(r.balance()));
                o.put("currency", r.currency());
                o.put("maskedPan", r.maskedPan());
                o.put("stan", r.stan());
                g.output.json(o);
            } else {
                g.output.line(status + "  card " + r.maskedPan() + (r.responseCode() == null ? "" : "  (" + r.responseCode() + ")"));
                g.output.line(r.balance() == null ? r.message() : "available balance " + Amounts.format(r.balance())
                        + " " + r.currency());
            }
            return !r.answered() ? ExitCodes.HOST_UNAVAILABLE : approved ? ExitCodes.OK : ExitCodes.DECLINED;
        }
    }
}
