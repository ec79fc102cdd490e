package dev.tally.terminal.load;

import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.engine.ReversalPolicy;
import dev.tally.terminal.engine.TerminalProfile;
import dev.tally.terminal.journal.Journal;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/** Entry points of {@code tally load}: the pure load generator, the load through the engine, recovery. */
public final class LoadGenerator {

    /**
     * Where the load goes and as whom: terminal ids are {@code prefix} + a zero-padded number filling the
     * 8 characters of field 41 (LOAD0001, LOAD0002, …).
     */
    public record Target(String host, int port, String terminalPrefix, String merchantId, String currency, byte[] tmk,
                         Duration timeout, CardReader reader) {

        public Target {
            if (terminalPrefix == null || !terminalPrefix.matches("[A-Za-z0-9]{1,7}")) {
                throw new IllegalArgumentException("--terminal-prefix must be 1 to 7 letters or digits, got '"
                        + terminalPrefix + "'");
            }
        }

        String terminalId(int index, int count) {
            int digits = 8 - terminalPrefix.length();
            if (String.valueOf(count).length() > digits) {
                throw new IllegalArgumentException("--terminal-prefix '" + terminalPrefix + "' leaves " + digits
                        + " digits, too few for " + count + " terminals");
            }
            return terminalPrefix + String.format(Locale.ROOT, "%0" + digits + "d", index + 1);
        }

        TerminalProfile profile(int index, int count) {
            return new TerminalProfile(terminalId(index, count), merchantId, currency, timeout);
        }
    }

    private LoadGenerator() {
    }

    /** {@code --no-journal}: the host's load, no journal; {@code bareHost} for a bare echo server. */
    public static LoadReport withoutJournal(Target t, LoadPlan plan, boolean bareHost, Clock clock, PrintStream progress,
                                            AtomicBoolean stop) throws InterruptedException {
        LoadRun run = new LoadRun(plan, (i, stats) -> new WireTerminal(t.host(), t.port(), t.profile(i, plan.terminals()),
                t.tmk(), t.reader(), clock, bareHost, stats), t.timeout(), progress, stop);
        return run.run(bareHost ? "no-journal, bare host" : "no-journal");
    }

    /** Every sale through the engine, all terminals on {@code journal}. */
    public static LoadReport withJournal(Target t, LoadPlan plan, Journal journal, ReversalPolicy policy, Clock clock,
                                         PrintStream progress, AtomicBoolean stop) throws InterruptedException {
        journal.recoverInFlight(dev.tally.spec.codes.ReversalReason.NO_RESPONSE.code(),
                "recovery: the process that sent it ended before the answer");
        LoadRun run = new LoadRun(plan, (i, stats) -> new JournalTerminal(t.host(), t.port(), t.profile(i, plan.terminals()), t.tmk(),
                t.reader(), journal, policy, clock), t.timeout(), progress, stop);
        return run.run("journal");
    }

    /** After a crash: every uncertain attempt of the journal reversed, each terminal as itself. */
    public static PendingResolver.Result resolvePending(Target t, Journal journal, ReversalPolicy policy, Duration deadline,
                                                        Clock clock) throws InterruptedException {
        return PendingResolver.resolve(journal, t.host(), t.port(), t.tmk(), policy, t.timeout(), deadline, clock);
    }
}
