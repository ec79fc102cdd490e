package dev.tally.simulator.cli;

import dev.tally.spec.jdbc.NativeLibraryChild;

/** A child JVM configured as {@code tally-sim} configures itself, which opens a SQLite file and halts (see {@link NativeLibraryChild}). */
public final class ConfiguredChildMain {

    private ConfiguredChildMain() {
    }

    public static void main(String[] args) {
        SimulatorCli.configureProcess();
        // a line in the format the command line set (its time first): the configuration came before the first logger
        org.slf4j.LoggerFactory.getLogger(ConfiguredChildMain.class).warn("configured");
        NativeLibraryChild.openAndHalt(args[0]);
    }
}
