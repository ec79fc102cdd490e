package dev.tally.terminal.host;

import dev.tally.spec.format.Masking;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * Why the connection to the host broke while its answers were read, as the message log's {@code note}, the journal's
 * audit trail and {@code tally report} show it: the socket's own words ("Connection reset"), never a Java exception's
 * name ("java.net.SocketException: Connection reset" was written before).
 */
final class LinkLost {

    static final String PREFIX = "connection to the host lost: ";

    private LinkLost() {
    }

    static String because(Throwable e) {
        String why;
        if (e instanceof EOFException) {
            why = "the host closed it";
        } else if (e instanceof SocketTimeoutException) {
            why = "nothing came in time";
        } else if (e instanceof IOException && e.getMessage() != null && !e.getMessage().isBlank()) {
            why = e.getMessage();
        } else {
            why = "the terminal failed reading the answer (" + e.getClass().getSimpleName() + ", see the terminal's log)";
        }
        return PREFIX + Masking.scrub(why);
    }
}
