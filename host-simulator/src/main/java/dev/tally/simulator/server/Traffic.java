package dev.tally.simulator.server;

import dev.tally.spec.format.LogWrites;
import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.Field;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jpos.iso.BaseChannel;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of the message log (iso8583-spec {@link MessageLog}, masked JSON Lines): every request
 * in, every answer out, and what the scenario did instead of answering. Optional: without a file nothing
 * is written. A log that cannot be written is reported once and never stops the host.
 */
final class Traffic {

    private static final Logger LOG = LoggerFactory.getLogger(Traffic.class);

    private final MessageLog log;
    private final RequestIds ids;
    private final LogWrites writes = new LogWrites(LOG, "the host");

    /** @throws UncheckedIOException when the log's earlier request ids cannot be read (they would be given again) */
    Traffic(MessageLog log) {
        this.log = log;
        try {
            this.ids = log == null ? RequestIds.fresh() : RequestIds.after(log.file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the message log " + log.file() + " to carry on after the request"
                    + " ids it holds: " + e.getMessage(), e);
        }
    }

    /** An id tying a request to what the host did with it, unique within the log (a restart carries on after it). */
    String nextId() {
        return ids.next();
    }

    void in(ISOSource source, ISOMsg request, String id) {
        if (log != null) {
            writes.run(() -> log.message(MessageLog.Direction.IN, peer(source), request, id, MessageLog.Event.REQUEST, null));
        }
    }

    void out(ISOSource source, ISOMsg answer, String id, MessageLog.Event event, long latencyMs) {
        if (log != null) {
            writes.run(() -> log.message(MessageLog.Direction.OUT, peer(source), answer, id, event, latencyMs));
        }
    }

    /**
     * Something other than an answer went out (GARBAGE, DISCONNECTED), or nothing did: TIMEOUT, as the
     * terminal will see it, with the note saying why (a scenario withheld the answer, dropped the request).
     */
    void event(ISOSource source, ISOMsg request, String id, MessageLog.Event event, String note) {
        if (log != null) {
            writes.run(() -> log.event(MessageLog.Direction.OUT, peer(source), request.getString(Field.TERMINAL_ID.number()),
                    request.getString(Field.ORDER_REFERENCE.number()), request.getString(Field.STAN.number()), id, event, null, note));
        }
    }

    private static String peer(ISOSource source) {
        if (source instanceof BaseChannel ch && ch.getSocket() != null) {
            return ch.getSocket().getInetAddress().getHostAddress() + ":" + ch.getSocket().getPort();
        }
        return null;
    }
}
