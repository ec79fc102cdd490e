package dev.tally.terminal.engine;

import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCards;
import dev.tally.terminal.card.LabCardReader;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.journal.Journal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** An engine wired as the CLI wires it, kept open across calls so late answers can reach it. */
final class TestTerminal implements AutoCloseable {

    final Journal journal;
    final HostLink link;
    final HostSession session;
    final PaymentEngine engine;

    TestTerminal(Path journalFile, int port, Duration timeout, ReversalPolicy policy) {
        this(journalFile, port, timeout, policy, Clock.systemDefaultZone());
    }

    TestTerminal(Path journalFile, int port, Duration timeout, ReversalPolicy policy, Clock clock) {
        journal = Journal.open(journalFile, clock);
        TerminalProfile profile = new TerminalProfile("TALLY001", "HOSPITAL0000001", "840", timeout);
        link = new HostLink("127.0.0.1", port, timeout, new LateAnswers(journal));
        session = new HostSession(link, profile.terminalId(), LabKeys.tmk(), () -> journal.nextStan("TALLY001"), clock,
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
