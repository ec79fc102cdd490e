package dev.tally.spec.jdbc;

/**
 * sqlite-jdbc's native library, as the two command lines load it.
 *
 * <p>Each JVM extracts the library into the temp folder ({@code sqlite-<version>-<uuid>-libsqlitejdbc.so} beside a
 * {@code .lck} file, both deleted when it exits) and, before that, deletes the copies it finds whose {@code .lck} is
 * gone. When one {@code tally} command starts while another exits (a till running {@code report} beside
 * {@code serve}, or one-shot commands in a row), both delete the same copy: the loser logs
 * "ERROR org.sqlite.SQLiteJDBCLoader - Failed to delete old native lib" with a 40-line stack trace on the cashier's
 * terminal, for a copy that is gone as it should be. That logger is turned off unless the command line sets it: a
 * library that really cannot be loaded still fails the journal's or ledger's open with the driver's own message.
 */
public final class SqliteNativeLibrary {

    /** slf4j-simple's level property for sqlite-jdbc's loader. */
    static final String LOADER_LEVEL = "org.slf4j.simpleLogger.log.org.sqlite.SQLiteJDBCLoader";

    private SqliteNativeLibrary() {
    }

    /** Turns the loader's clean-up errors off, unless {@code -D} set its level; call before the first logger. */
    public static void quietStaleCopyCleanup() {
        System.setProperty(LOADER_LEVEL, System.getProperty(LOADER_LEVEL, "off"));
    }
}
