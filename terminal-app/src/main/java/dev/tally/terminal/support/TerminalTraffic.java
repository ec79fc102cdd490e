package dev.tally.terminal.support;

import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OriginalData;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.Journal;
import java.util.Locale;
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
    private volatile boolean failed;

    public TerminalTraffic(MessageLog log, Journal journal) {
        this.log = log;
        this.journal = journal;
    }

    public MessageLog log() {
        return log;
    }

    @Override
    public void sent(ISOMsg request, String peer) {
        guard(() -> log.message(MessageLog.Direction.OUT, peer, request, messageId(request), MessageLog.Event.REQUEST, null));
    }

    @Override
    public void answered(ISOMsg request, ISOMsg response, String peer, long latencyMs) {
        answered.add(key(response));
        guard(() -> log.message(MessageLog.Direction.IN, peer, response, messageId(request), MessageLog.Event.RESPONSE,
                latencyMs));
    }

    @Override
    public void unanswered(ISOMsg request, String peer, long waitedMs, boolean garbled, boolean disconnected, String why) {
        MessageLog.Event event = garbled ? MessageLog.Event.GARBAGE
                : disconnected ? MessageLog.Event.DISCONNECTED : MessageLog.Event.TIMEOUT;
        guard(() -> log.event(MessageLog.Direction.IN, peer, request.getString(Field.TERMINAL_ID.number()),
                request.getString(Field.ORDER_REFERENCE.number()), request.getString(Field.STAN.number()),
                messageId(request), event, waitedMs, why));
    }

    @Override
    public void stray(ISOMsg message, String peer) {
        MessageLog.Event event = answered.add(key(message)) ? MessageLog.Event.LATE_RESPONSE
                : MessageLog.Event.DUPLICATE_RESPONSE;
        guard(() -> log.message(MessageLog.Direction.IN, peer, message, strayId(message), event, null));
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

    private Optional<Attempt> lookup(String terminalId, int stan) {
        try {
            return journal == null ? Optional.empty() : journal.byStan(terminalId, stan);
        } catch (RuntimeException e) {
            LOG.debug("message id lookup failed: {}", e.toString());
            return Optional.empty();
        }
    }

    private static String key(ISOMsg m) {
        return m.getString(Field.TERMINAL_ID.number()) + "|" + m.getString(Field.STAN.number()) + "|" + m.getString(0);
    }

    private void guard(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            if (!failed) {
                failed = true;
                LOG.warn("cannot write the message log ({}); the terminal carries on without it", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        log.close();
    }
}
