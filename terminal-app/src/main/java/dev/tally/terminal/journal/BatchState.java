package dev.tally.terminal.journal;

/**
 * A settlement batch's life (SPEC.md §4.7). The open batch is the terminal's current batch number and has
 * no row yet; when {@code settle} starts, its totals are frozen and it becomes SETTLING (0500 due). A 95
 * makes it UPLOADING (0320 per approved sale, then the trailer); a 00 to the 0500 or to the trailer
 * makes it CLOSED. Every step is one journal transaction, so a crash resumes where it stopped.
 */
public enum BatchState {
    SETTLING,
    UPLOADING,
    CLOSED
}
