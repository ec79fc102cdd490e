package dev.tally.terminal.journal;

/** The journal could not be read or written; nothing of the failed change was kept. */
public class JournalException extends RuntimeException {
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }

    public JournalException(String message) {
        super(message);
    }
}
