package dev.tally.terminal.card;

/** The lab reader has no card by that id or PAN; nothing was sent or written. */
public class UnknownCardException extends IllegalArgumentException {
    public UnknownCardException(String message) {
        super(message);
    }
}
