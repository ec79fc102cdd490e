package dev.tally.terminal.journal;

/** What an attempt asks the host for. Only sales today; refunds would be another kind. */
public enum AttemptKind {
    SALE
}
