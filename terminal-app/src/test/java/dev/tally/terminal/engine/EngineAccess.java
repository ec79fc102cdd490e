package dev.tally.terminal.engine;

import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.journal.Journal;
import java.nio.file.Path;
import java.time.Duration;

/** Lets tests in other packages hold an engine open against a real host (see {@link TestTerminal}). */
public final class EngineAccess implements AutoCloseable {

    private final TestTerminal t;

    private EngineAccess(TestTerminal t) {
        this.t = t;
    }

    public static EngineAccess open(Path journal, int port, Duration timeout) {
        return new EngineAccess(new TestTerminal(journal, port, timeout,
                new ReversalPolicy(3, Duration.ZERO, 2.0, Duration.ZERO)));
    }

    public PaymentEngine engine() {
        return t.engine;
    }

    public Journal journal() {
        return t.journal;
    }

    public HostLink link() {
        return t.link;
    }

    @Override
    public void close() {
        t.close();
    }
}
