package dev.tally.spec.format;

import org.slf4j.Logger;

/**
 * Writes to a message log that never stop a payment: a write that fails is warned about once per outage (the log
 * tries again at its next line) and its end is said, through the caller's logger.
 */
public final class LogWrites {

    private final Logger warnings;
    private final String who;
    private volatile boolean failed;

    /** @param who what carries on without the log ("the terminal", "the host") */
    public LogWrites(Logger warnings, String who) {
        this.warnings = warnings;
        this.who = who;
    }

    public void run(Runnable write) {
        try {
            write.run();
            if (failed) {
                failed = false;
                warnings.warn("the message log is written again (lines of the requests in between are missing from it)");
            }
        } catch (RuntimeException e) {
            if (!failed) { // once per outage: the log tries again at its next line
                failed = true;
                warnings.warn("cannot write the message log ({}); {} carries on without it and tries again at its"
                        + " next line", e.getMessage(), who);
            }
        }
    }
}
