package dev.tally.terminal.reconcile;

/** The statement cannot be read; the message names the source, the line and what is wrong. Nothing was reconciled. */
public class StatementFormatException extends IllegalArgumentException {
    public StatementFormatException(String message) {
        super(message);
    }
}
