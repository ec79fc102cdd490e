package dev.tally.terminal.support;

import dev.tally.spec.format.LogWrites;
import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OriginalData;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.Journal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal's side of the message log (iso8583-spec {@link MessageLog}): every request out, every
 * answer in, and every request that got none (TIMEOUT, GARBAGE, DISCONNECTED), plus late and duplicate
 * answers. Lines of one journal attempt share the message id {@code attempt-<journal id>}: the sale, its
 * answer or timeout, its reversals and their answers, status inquiries about it. Other messages get
 * {@code <type>-<STAN>} (e.g. {@code sign-on-000001}). A log that cannot be written is reported once and
 * never stops a payment.
 */
public final class TerminalTraffic implements HostLink.WireTap, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TerminalTraffic.class);

    private final MessageLog log;
    private final Journal journal;
    /** terminal + STAN + response MTI of answers already seen: a second copy is a duplicate, else late. */
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    /**
     * Answer key of each request sent whose answer (or its absence) is not logged yet, with the strays that came for
     * it meanwhile. On the shared link of serve the reader thread hands the first answer to the waiting payment and
     * may read the second copy before that payment's thread reports the first: the copy waits here, so the first
     * answer is always the RESPONSE and the copy the DUPLICATE_RESPONSE after it (docs/support.md §1).
     */
    private final Map<String, List<Parked>> awaiting = new HashMap<>();
    private final LogWrites writes = new LogWrites(LOG, "the terminal");

    public TerminalTraffic(MessageLog log, Journal journal) {
        this.log = log;
        this.journal = journal;
    }

    public MessageLog log() {
        return log;
    }

    @Override
    public void sent(ISOMsg request, String peer) {
        String k = answerKey(request);
        String id = idOf(request, this::messageId); // a journal look-up: outside the lock
        synchronized (this) {
            if (k != null) {
                List<Parked> stale = awaiting.put(k, new ArrayList<>());
                if (stale != null) { // an earlier request with this key whose end was never reported
                    stale.forEach(this::strayLine);
                }
            }
            writes.run(() -> log.message(MessageLog.Direction.OUT, peer, request, id, MessageLog.Event.REQUEST, null));
        }
    }

    @Override
    public void answered(ISOMsg request, ISOMsg response, String peer, long latencyMs) {
        String id = idOf(request, this::messageId);
        synchronized (this) {
            answered.add(key(response));
            writes.run(() -> log.message(MessageLog.Direction.IN, peer, response, id, MessageLog.Event.RESPONSE, latencyMs));
            settled(request); // copies the reader saw before this call: DUPLICATE_RESPONSE, after the RESPONSE
        }
    }

    @Override
    public void unanswered(ISOMsg request, String peer, long waitedMs, boolean garbled, boolean disconnected, String why) {
        MessageLog.Event event = garbled ? MessageLog.Event.GARBAGE
                : disconnected ? MessageLog.Event.DISCONNECTED : MessageLog.Event.TIMEOUT;
        String id = idOf(request, this::messageId);
        synchronized (this) {
            writes.run(() -> log.event(MessageLog.Direction.IN, peer, request.getString(Field.TERMINAL_ID.number()),
                    request.getString(Field.ORDER_REFERENCE.number()), request.getString(Field.STAN.number()), id, event,
                    waitedMs, why));
            settled(request); // an answer that came as the deadline rang: LATE_RESPONSE, after the TIMEOUT
        }
    }

    /**
     * A message that matched no request waiting on the link. While the request it answers is still out as far as this
     * log knows (its waiter has been handed the first copy but not yet reported it, or its deadline rang as it
     * came), whether it is a duplicate or a late answer is decided, and it is logged, when that request's end is.
     */
    @Override
    public void stray(ISOMsg message, String peer) {
        Parked p = new Parked(message, peer, idOf(message, this::strayId));
        synchronized (this) {
            List<Parked> waiting = awaiting.get(key(message));
            if (waiting != null) {
                waiting.add(p);
                return;
            }
            strayLine(p);
        }
    }

    /**
     * The end of {@code request}'s exchange is logged (or it threw, {@link LoggedChannel}): answers held back for it
     * are logged now, late or duplicate.
     */
    public synchronized void settled(ISOMsg request) {
        String k = answerKey(request);
        List<Parked> parked = k == null ? null : awaiting.remove(k);
        if (parked != null) {
            parked.forEach(this::strayLine);
        }
    }

    private void strayLine(Parked p) {
        MessageLog.Event event = answered.add(key(p.message())) ? MessageLog.Event.LATE_RESPONSE
                : MessageLog.Event.DUPLICATE_RESPONSE;
        writes.run(() -> log.message(MessageLog.Direction.IN, p.peer(), p.message(), p.messageId(), event, null));
    }

    /** An answer that came while its request's end was not logged yet. */
    private record Parked(ISOMsg message, String peer, String messageId) {
    }

    /** {@code attempt-<id>} for a sale, its reversals and status inquiries; {@code <type>-<STAN>} else. */
    String messageId(ISOMsg request) {
        MessageView v = MessageView.of(request);
        Optional<MessageType> type = v.type();
        String tid = v.terminalId();
        if (type.isPresent() && tid != null) {
            Optional<Attempt> a = switch (type.get()) {
                case SALE -> lookup(tid, v.stan());
                case REVERSAL, REVERSAL_REPEAT, STATUS_INQUIRY ->
                        v.originalData().map(OriginalData::stan).flatMap(s -> lookup(tid, s));
                default -> Optional.empty();
            };
            if (a.isPresent()) {
                return "attempt-" + a.get().id();
            }
        }
        String name = type.map(t -> t.name().toLowerCase(Locale.ROOT).replace('_', '-')).orElse(v.mti());
        return name + "-" + String.format("%06d", v.stan());
    }

    private String strayId(ISOMsg message) {
        MessageView v = MessageView.of(message);
        if (v.terminalId() != null && v.stan() != 0) {
            Optional<Attempt> a = lookup(v.terminalId(), v.stan());
            if (a.isPresent()) {
                return "attempt-" + a.get().id();
            }
        }
        return "stray-" + String.format("%06d", v.stan());
    }

    /** The message id, or for a message whose fields do not read (a STAN of letters) one that says so. */
    private static String idOf(ISOMsg m, java.util.function.Function<ISOMsg, String> id) {
        try {
            return id.apply(m);
        } catch (RuntimeException e) {
            return "unreadable-" + m.getString(Field.STAN.number());
        }
    }

    private Optional<Attempt> lookup(String terminalId, int stan) {
        try {
            return journal == null ? Optional.empty() : journal.byStan(terminalId, stan);
        } catch (RuntimeException e) {
            LOG.debug("message id lookup failed: {}", e.toString());
            return Optional.empty();
        }
    }

    private static String key(ISOMsg m) {
        return key(m.getString(Field.TERMINAL_ID.number()), m.getString(Field.STAN.number()), m.getString(0));
    }

    private static String key(String terminalId, String stan, String mti) {
        // the STAN as a number: a request's field 11 and its answer's may be padded differently
        String digits = stan == null ? "" : stan.strip().replaceFirst("^0+(?=.)", "");
        return terminalId + "|" + digits + "|" + mti;
    }

    /** The key the answer to {@code request} will have (terminal + STAN + response MTI); null for a message of no known type. */
    private static String answerKey(ISOMsg request) {
        try {
            Optional<MessageType> type = MessageView.of(request).type();
            return type.map(t -> key(request.getString(Field.TERMINAL_ID.number()), request.getString(Field.STAN.number()),
                    t.spec().responseMti())).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        synchronized (this) { // answers still held back for a request whose end was never reported: logged, not lost
            awaiting.values().forEach(parked -> parked.forEach(this::strayLine));
            awaiting.clear();
        }
        log.close();
    }
}
