package dev.tally.terminal.cli;

import dev.tally.terminal.api.ApiJson;
import dev.tally.terminal.engine.Amounts;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.settlement.Settlement;
import dev.tally.terminal.settlement.SettlementResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "settle", mixinStandardHelpOptions = true, description = {
    "End of day: due reversals first, then settle the open batch with the host (0500).",
    "On 95 (totals differ) every approved sale is uploaded (0320) and the trailer closes the batch.",
    "A settlement that was interrupted (crash, no answer) resumes where it stopped.",
    "Attempts whose reversal is pending or failed are not in the totals; they are listed (see 'reconcile').",
    "Exit 0 batch closed; 4 not finished (no answer, or one it cannot read: run settle again); 2 the host refused;"
    + " 69 host unreachable."})
final class SettleCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @picocli.CommandLine.Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() {
        g.json |= json;
        TerminalSetup.requireJournal(g, "settle");
        try (TerminalSetup t = TerminalSetup.open(g)) {
            SettlementResult r = new Settlement(t.journal, t.session, t.engine, t.profile, g.clock).settle();
            int next = t.journal.batches().openBatch(t.profile.terminalId());
            if (g.json) {
                g.output.json(ApiJson.settlement(r, next));
            } else {
                print(g.output, r, next);
            }
            return r.closed() ? ExitCodes.OK : r.failureCode() != null ? ExitCodes.DECLINED : ExitCodes.UNCERTAIN;
        }
    }

    private static void print(Output out, SettlementResult r, int nextBatch) {
        for (Attempt a : r.reversalsRun()) {
            out.line("reversal  " + out.attemptLine(a));
        }
        out.line((r.closed() ? "CLOSED" : "INCOMPLETE") + "  batch " + r.batch().batchText()
                + (r.resumed() ? " (resumed)" : "") + (r.settlementResponseCode() == null ? "" : "  (0500 answered "
                + r.settlementResponseCode() + ")"));
        out.line(r.message());
        out.line("terminal totals: " + r.terminalTotals().debitCount() + " sale(s), "
                + Amounts.format(r.terminalTotals().debitAmount()));
        if (r.hostTotals() != null) {
            out.line("host totals:     " + r.hostTotals().debitCount() + " sale(s), "
                    + Amounts.format(r.hostTotals().debitAmount()));
        }
        if (r.batch().uploaded() > 0) {
            out.line("uploaded: " + r.batch().uploaded() + " sale(s)");
        }
        for (Attempt a : r.excluded()) {
            out.line("not in the totals (reversal " + (a.state() == AttemptState.REVERSAL_FAILED ? "failed" : "pending")
                    + ", see 'tally reconcile'): " + out.attemptLine(a));
        }
        if (r.closed()) {
            out.line("new sales go into batch " + String.format("%06d", nextBatch));
        }
    }
}
