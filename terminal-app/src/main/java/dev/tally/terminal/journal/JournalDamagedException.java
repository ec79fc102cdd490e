package dev.tally.terminal.journal;

import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The journal holds something no tally writes (an attempt's state, kind or a batch's state it cannot read), or SQLite
 * finds its file malformed (SQLITE_CORRUPT): it is damaged, and nothing it says can be trusted (an order it cannot read
 * may have a debit standing at the host). The message names the file and what could not be read, never the bytes read
 * (they may be anything), and what to do.
 */
public final class JournalDamagedException extends JournalException {

    private final transient Path file;
    private final String what;

    private JournalDamagedException(Path file, String what, Throwable cause) {
        super(message(file, what), cause);
        this.file = file;
        this.what = what;
    }

    /** {@code what} could not be read in the journal at {@code file}. */
    public JournalDamagedException(Path file, String what) {
        this(file, what, null);
    }

    /** What a row mapper finds (it does not know the file): named by the journal that read it ({@link #in}). */
    static JournalDamagedException unreadable(String what) {
        return new JournalDamagedException(null, what, null);
    }

    /** SQLite's SQLITE_CORRUPT ({@code cause}) reading or writing the journal at {@code file}. */
    static JournalDamagedException malformed(Path file, Throwable cause) {
        return new JournalDamagedException(file, "SQLite finds the file malformed (SQLITE_CORRUPT)", cause);
    }

    /**
     * {@code e} as the damage of the journal at {@code file} when it is one (this exception, or SQLITE_CORRUPT among its
     * causes), named by that file; null when it is another failure.
     */
    static JournalDamagedException of(Path file, Throwable e) {
        if (e instanceof JournalDamagedException d) {
            return d.in(file);
        }
        return isCorrupt(e) ? malformed(file, e) : null;
    }

    /** This damage, named by the journal's file. */
    JournalDamagedException in(Path journal) {
        return file != null || journal == null ? this : new JournalDamagedException(journal, what, this.getCause());
    }

    /** The journal's file, or null when not known yet. */
    public Path file() {
        return file;
    }

    private static String message(Path file, String what) {
        String f = file == null ? "the journal" : "the journal " + file;
        String shown = file == null ? "FILE" : file.toString();
        return f + " is damaged: " + what + ". Stop using it and keep the file as it is (with its -wal and .key"
                + " beside it); restore the journal and its key from a backup. sqlite3 " + shown
                + " 'PRAGMA integrity_check' shows the damage";
    }

    /**
     * Whether {@code e} or one of its causes is SQLite's SQLITE_CORRUPT ("database disk image is malformed").
     */
    static boolean isCorrupt(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                int primary = s.getErrorCode() & 0xff;
                String m = String.valueOf(s.getMessage());
                if (primary == 11 || m.contains("SQLITE_CORRUPT") || m.contains("disk image is malformed")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
