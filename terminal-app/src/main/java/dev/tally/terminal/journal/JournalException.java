package dev.tally.terminal.journal;

/** The journal could not be read or written; nothing of the failed change was kept. */
public class JournalException extends RuntimeException {
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }

    public JournalException(String message) {
        super(message);
    }

    /**
     * The storage's own words for why a journal change failed ("[SQLITE_FULL] ... (database or disk is full)"): the
     * first SQLException's message among the causes, else the exception's own message.
     */
    public static String storageReason(Throwable why) {
        for (Throwable t = why; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getMessage() != null) {
                return sql.getMessage();
            }
        }
        return String.valueOf(why.getMessage());
    }
}
