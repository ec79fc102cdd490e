package dev.tally.terminal.host;

import dev.tally.spec.format.GarbledMessageException;
import dev.tally.spec.format.Masking;
import dev.tally.spec.format.WireMsg;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * Why a link broke on bytes from the host that are no usable answer, as the message log's {@code note}, the journal's
 * audit trail and {@code tally report} show it: what came (its size, MTI and the first field that does not read),
 * then what the terminal did. Never a byte or a field's value, never a Java exception's name or the JVM's words. It
 * starts "garbled message from the host" (the message log's GARBAGE event, the replay's "garbled answer", go by it).
 */
final class GarbledAnswer {

    static final String PREFIX = "garbled message from the host: ";

    private GarbledAnswer() {
    }

    /** A frame the channel could not unpack ({@code receive} threw); {@code done}: what the link did about it. */
    static String unpackFailed(ISOException e, String done) {
        String what = e instanceof GarbledMessageException g ? g.description()
                // the channel's own refusals of a frame (WireChannel: a length shorter than the TPDU) are its words
                : Masking.scrub(String.valueOf(e.getMessage()));
        return PREFIX + what + "; " + done;
    }

    /**
     * A frame that unpacked but whose matching fields (41, 11, MTI) do not read (jPOS takes any BCD nibble: a STAN
     * of 000A23); {@code done}: what the link did about it.
     */
    static String unmatchable(ISOMsg msg, String done) {
        byte[] body = msg instanceof WireMsg w ? w.image() : null;
        String what;
        if (body != null) {
            what = GarbledMessageException.describeUnmatchable(body);
        } else {
            String mti = msg.getString(0);
            what = "a message" + (mti != null && mti.matches("\\d{4}") ? " with MTI " + mti : "")
                    + " whose terminal id, STAN or MTI cannot be read";
        }
        return PREFIX + what + "; " + done;
    }

    /** What the one-shot link (HostLink) does: its request waiting for an answer has none. */
    static final String ONE_LINK = "the terminal dropped the connection";

    /** What serve's shared link does: every request waiting on the connection has no answer, not only one. */
    static final String SHARED_LINK = "the terminal dropped the shared connection and every request waiting on it";
}
