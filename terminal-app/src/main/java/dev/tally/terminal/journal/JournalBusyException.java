package dev.tally.terminal.journal;

/** Another tally process holds the journal (a running {@code tally serve}, say): nothing was read or written. */
public final class JournalBusyException extends JournalException {
    public JournalBusyException(String message) {
        super(message);
    }
}
