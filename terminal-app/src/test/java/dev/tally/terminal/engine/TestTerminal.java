package dev.tally.terminal.engine;

import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCards;
import dev.tally.terminal.card.LabCardReader;
import dev.tally.terminal.host.HostChannel;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.host.SharedHostLink;
import dev.tally.terminal.journal.Journal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** An engine wired as the CLI wires it, kept open across calls so late answers can reach it. */
final class TestTerminal implements AutoCloseable {

    final Journal journal;
    /** what the session talks over: {@link #link}, or a SharedHostLink as {@code tally serve} wires it */
    final HostChannel channel;
    /** the one-shot link; null over a shared link */
    final HostLink link;
    final HostSession session;
    final PaymentEngine engine;

    TestTerminal(Path journalFile, int port, Duration timeout, ReversalPolicy policy) {
        this(journalFile, port, timeout, policy, Clock.systemDefaultZone());
    }

    TestTerminal(Path journalFile, int port, Duration timeout, ReversalPolicy policy, Clock clock) {
        this(journalFile, timeout, policy, clock, j -> new HostLink("127.0.0.1", port, timeout, new LateAnswers(j)));
    }

    /** A terminal as {@code tally serve} wires it: one persistent connection shared by every payment. */
    static TestTerminal shared(Path journalFile, int port, Duration timeout, ReversalPolicy policy) {
        return new TestTerminal(journalFile, timeout, policy, Clock.systemDefaultZone(),
                j -> new SharedHostLink("127.0.0.1", port, timeout, new LateAnswers(j)));
    }

    /** {@link #shared} with its link seen through {@code wrap}. */
    static TestTerminal shared(Path journalFile, int port, Duration timeout, ReversalPolicy policy,
                               UnaryOperator<HostChannel> wrap) {
        return new TestTerminal(journalFile, timeout, policy, Clock.systemDefaultZone(),
                j -> wrap.apply(new SharedHostLink("127.0.0.1", port, timeout, new LateAnswers(j))));
    }

    /** A one-shot terminal whose link is seen through {@code wrap} (a test's stand-in for a fault on the wire). */
    static TestTerminal wrapped(Path journalFile, int port, Duration timeout, ReversalPolicy policy, Clock clock,
                                UnaryOperator<HostChannel> wrap) {
        return new TestTerminal(journalFile, timeout, policy, clock,
                j -> wrap.apply(new HostLink("127.0.0.1", port, timeout, new LateAnswers(j))));
    }

    private TestTerminal(Path journalFile, Duration timeout, ReversalPolicy policy, Clock clock,
                         Function<Journal, HostChannel> channelOf) {
        journal = Journal.open(journalFile, clock);
        TerminalProfile profile = new TerminalProfile("TALLY001", "HOSPITAL0000001", "840", timeout);
        channel = channelOf.apply(journal);
        link = channel instanceof HostLink one ? one : null;
        session = new HostSession(channel, profile.terminalId(), LabKeys.tmk(), () -> journal.nextStan("TALLY001"), clock,
                timeout);
        engine = new PaymentEngine(journal, session, new LabCardReader(TestCards.bundled()), profile, policy, clock);
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            journal.close();
        }
    }
}
