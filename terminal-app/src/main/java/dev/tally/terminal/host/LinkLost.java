package dev.tally.terminal.host;

import dev.tally.spec.format.Masking;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why the connection to the host broke while its answers were read, as the message log's {@code note}, the journal's
 * audit trail and {@code tally report} show it: the socket's own words ("Connection reset"), never a Java exception's
 * name ("java.net.SocketException: Connection reset" was written before).
 */
final class LinkLost {

    private static final Logger log = LoggerFactory.getLogger(LinkLost.class);

    static final String PREFIX = "connection to the host lost: ";

    private LinkLost() {
    }

    /** What jPOS's channel says when it wraps an error that is no {@link IOException} (BaseChannel.receive). */
    private static final String WRAPPED = "unexpected exception";

    static String because(Throwable e) {
        Throwable t = e instanceof IOException && WRAPPED.equals(e.getMessage()) && e.getCause() != null ? e.getCause() : e;
        String why;
        if (t instanceof EOFException) {
            why = "the host closed it";
        } else if (t instanceof SocketTimeoutException) {
            why = "nothing came in time";
        } else if (t instanceof IOException && t.getMessage() != null && !t.getMessage().isBlank()) {
            why = t.getMessage();
        } else {
            log.warn("reading the host's answers failed", t);
            why = "the terminal failed reading the answer (" + t.getClass().getSimpleName() + ", see the terminal's log)";
        }
        return PREFIX + Masking.scrub(why);
    }
}
