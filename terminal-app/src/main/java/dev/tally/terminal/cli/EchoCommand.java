package dev.tally.terminal.cli;

import dev.tally.spec.message.MessageView;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostSession;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "echo", mixinStandardHelpOptions = true, description = {"Test the link to the host (0800 echo).", "Exit 0 when it answers 00, 69 when it cannot be reached or does not answer."})
final class EchoCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Override
    public Integer call() {
        try (TerminalSetup t = TerminalSetup.open(g)) {
            t.reversalsIfReachable(g);
            long start = System.nanoTime();
            Exchange ex = t.engine.echo();
            long ms = (System.nanoTime() - start) / 1_000_000;
            String rc = ex instanceof Exchange.Answered a ? MessageView.of(a.response()).responseCode() : null;
            boolean ok = "00".equals(rc);
            String message = ok ? "host " + t.session.link().address() + " answered the echo in " + ms + " ms"
                    : "echo to " + t.session.link().address() + " failed: " + HostSession.describe(ex);
            if (g.json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("status", ok ? "OK" : "FAILED");
                o.put("responseCode", rc);
                o.put("message", message);
                o.put("host", t.session.link().address());
                o.put("millis", ms);
                g.output.json(o);
            } else {
                g.output.line((ok ? "OK  " : "FAILED  ") + message);
            }
            return ok ? ExitCodes.OK : ExitCodes.HOST_UNAVAILABLE;
        }
    }
}
