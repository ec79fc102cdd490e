package dev.tally.simulator.scenario;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scenario in force: the rules of the scenario file, or the test amounts when there is none.
 * {@link #reload()} re-reads the file without a restart; a file that does not validate leaves the
 * rules in force unchanged.
 */
public final class ScenarioSource {

    private static final Logger LOG = LoggerFactory.getLogger(ScenarioSource.class);

    private final Path file;
    private final KnownCards cards;
    private final AtomicReference<Scenario> current = new AtomicReference<>();

    /** Loads the file (or the test amounts when {@code file} is null); throws {@link ScenarioException}. */
    public ScenarioSource(Path file) {
        this(file, null);
    }

    /**
     * As {@link #ScenarioSource(Path)}, a rule matching a PAN not among {@code cards} refused at every load and reload
     * (null: not checked).
     */
    public ScenarioSource(Path file, KnownCards cards) {
        this.file = file;
        this.cards = cards;
        current.set(read());
    }

    public Scenario current() {
        return current.get();
    }

    /** Re-reads the scenario; returns the new one, or throws {@link ScenarioException} keeping the old. */
    public Scenario reload() {
        Scenario next = read();
        current.set(next);
        LOG.info("scenario reloaded from {}: {} rule(s)", next.source(), next.rules().size());
        return next;
    }

    private Scenario read() {
        return file == null ? TestAmounts.scenario() : ScenarioFile.load(file, cards);
    }
}
