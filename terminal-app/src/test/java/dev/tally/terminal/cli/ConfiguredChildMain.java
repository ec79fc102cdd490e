package dev.tally.terminal.cli;

import dev.tally.spec.jdbc.NativeLibraryChild;

/** A child JVM configured as {@code tally} configures itself, which opens a SQLite file and halts (see {@link NativeLibraryChild}). */
public final class ConfiguredChildMain {

    private ConfiguredChildMain() {
    }

    public static void main(String[] args) {
        TallyCli.configureProcess(new String[] {"journal"});
        NativeLibraryChild.openAndHalt(args[0]);
    }
}
