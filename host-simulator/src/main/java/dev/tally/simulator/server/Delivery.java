package dev.tally.simulator.server;

import dev.tally.simulator.scenario.Action;
import dev.tally.spec.format.MessageLog;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.BaseChannel;
import org.jpos.iso.ISOChannel;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts an answer on the wire the way the scenario says: at once, late, twice, as garbage, not at all, or
 * by closing the connection. A late answer waits on a scheduler, never on the connection's own thread,
 * so the terminal's next requests on that connection (its reversal, say) are served meanwhile.
 *
 * <p>It counts what became of the request in the metrics once that is known: an answer by its response code when
 * the answer went out, else unanswered (withheld, the connection closed, garbage sent, or a send that failed: the
 * connection was gone, at once or by the time a late answer was due). No response code reached the terminal then.
 */
final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    /** A frame that reads as an 0210 whose bitmap promises fields that are not there: unparseable. */
    private static final byte[] GARBLED_BODY = {0x02, 0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x47, 0x41, 0x52, 0x42, 0x4C, 0x45, 0x44};

    /**
     * The garbled body for a request of {@code mti}: {@link #GARBLED_BODY} under the MTI its answer would have (0410 for
     * an 0400 or 0401, 0810 for an 0800), so a terminal that reads what it can says "MTI 0410" for a garbled answer to
     * a reversal, not "MTI 0210" as for every request before; an 0210 for a request whose MTI does not read.
     */
    static byte[] garbledBody(String mti) {
        byte[] body = GARBLED_BODY.clone();
        if (mti != null && mti.matches("\\d\\d[0-8]\\d")) {
            body[0] = (byte) ((mti.charAt(0) - '0') << 4 | (mti.charAt(1) - '0'));
            body[1] = (byte) ((mti.charAt(2) - '0' + 1) << 4);
        }
        return body;
    }

    private final ScheduledExecutorService scheduler;
    private final Duration lateDelay;
    private final Traffic traffic;
    private final TrafficMetrics metrics;
    /**
     * The answers a scenario holds back on the scheduler, until they are due: one the simulator stops before is
     * written off by {@link #stop()} (the message log's TIMEOUT line), whoever takes it out of here first says what
     * became of it.
     */
    private final Set<Held> held = ConcurrentHashMap.newKeySet();

    /** A held answer (identity: two requests' held answers are never the same one). */
    private static final class Held {
        final ISOSource source;
        final ISOMsg request;
        final String code;
        final RequestName what;
        final String id;

        Held(ISOSource source, ISOMsg request, String code, RequestName what, String id) {
            this.source = source;
            this.request = request;
            this.code = code;
            this.what = what;
            this.id = id;
        }
    }

    Delivery(ScheduledExecutorService scheduler, Duration lateDelay, Traffic traffic, TrafficMetrics metrics) {
        this.scheduler = scheduler;
        this.lateDelay = lateDelay;
        this.traffic = traffic;
        this.metrics = metrics;
    }

    /**
     * Sends (or withholds) {@code answer}, at once or on the scheduler, and counts the outcome in the metrics when it
     * is known. A late answer that cannot be scheduled (the simulator is stopping) is written off as {@link #stop()}
     * writes off the answers it still holds.
     *
     * @param id    the request's id in the message log
     * @param start when the request arrived ({@link System#nanoTime()}), for the logged latency
     */
    void deliver(ISOSource source, ISOMsg request, ISOMsg answer, Action action, RequestName what, String id, long start) {
        if (action.closeConnection()) {
            LOG.info("{}: applied, closing the connection without answering (scenario)", what);
            traffic.event(source, request, id, MessageLog.Event.DISCONNECTED, "the host closed the connection without answering (scenario)");
            // closing the socket (not the channel) lets the session's pending read end like any peer hang-up
            if (source instanceof BaseChannel ch && ch.getSocket() != null) {
                try {
                    ch.getSocket().close();
                } catch (IOException e) {
                    LOG.debug("{}: closing the connection: {}", what, e.toString());
                }
            } else if (source instanceof ISOChannel ch) {
                try {
                    ch.disconnect();
                } catch (IOException e) {
                    LOG.debug("{}: closing the connection: {}", what, e.toString());
                }
            }
            metrics.unanswered();
            return;
        }
        if (answer == null) {
            traffic.event(source, request, id, MessageLog.Event.TIMEOUT, "no answer (scenario)");
            metrics.unanswered();
            return;
        }
        if (action.dropResponse()) {
            LOG.info("{}: applied, answer {} withheld (scenario)", what, answer.getString(39));
            traffic.event(source, request, id, MessageLog.Event.TIMEOUT, "applied, answer " + answer.getString(39) + " withheld (scenario)");
            metrics.unanswered();
            return;
        }
        if (request.getHeader() != null) {
            answer.setHeader(request.getHeader().clone()); // the TPDU the terminal sent (SPEC.md §1)
        }
        Duration delay = action.answerDelay(lateDelay);
        MessageLog.Event event = delay.isZero() ? MessageLog.Event.RESPONSE : MessageLog.Event.LATE_RESPONSE;
        Runnable send = action.garbage()
                ? () -> {
                    sendGarbage(source, request, what);
                    traffic.event(source, request, id, MessageLog.Event.GARBAGE, "garbled bytes instead of answer "
                            + answer.getString(39) + " (scenario)");
                    metrics.unanswered(); // garbage gives the terminal no response code
                }
                : () -> send(source, answer, action, what, id, event, start);
        if (delay.isZero()) {
            send.run();
        } else {
            LOG.info("{}: answer {} held back {} ms (scenario)", what, answer.getString(39), delay.toMillis());
            Held h = new Held(source, request, answer.getString(39), what, id);
            held.add(h);
            try {
                scheduler.schedule(() -> {
                    if (held.remove(h)) {
                        Thread.ofVirtual().name("late-answer").start(send);
                    }
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                if (held.remove(h)) {
                    writeOff(h);
                }
            }
        }
    }

    /**
     * The simulator is stopping (its scheduler shut down): every answer still held back will never go out. Each gets
     * the message log's TIMEOUT line (docs/simulator.md §9) and counts as unanswered, as the terminal sees it.
     */
    void stop() {
        for (Held h : held) {
            if (held.remove(h)) {
                writeOff(h);
            }
        }
    }

    private void writeOff(Held h) {
        LOG.info("{}: answer {} held back (scenario) was not sent: the simulator stopped before it was due", h.what, h.code);
        traffic.event(h.source, h.request, h.id, MessageLog.Event.TIMEOUT, "answer " + h.code
                + " held back (scenario) not sent: the simulator stopped before it was due");
        metrics.unanswered();
    }

    private void send(ISOSource source, ISOMsg answer, Action action, RequestName what, String id, MessageLog.Event event,
                      long start) {
        boolean sent = false;
        try {
            source.send(answer);
            sent = true;
            metrics.answer(answer.getString(39));
            traffic.out(source, answer, id, event, (System.nanoTime() - start) / 1_000_000);
            if (action.respondTwice()) {
                LOG.info("{}: answer {} sent a second time (scenario)", what, answer.getString(39));
                source.send((ISOMsg) answer.clone());
                traffic.out(source, answer, id, MessageLog.Event.DUPLICATE_RESPONSE, (System.nanoTime() - start) / 1_000_000);
            }
        } catch (IOException | ISOException | RuntimeException e) {
            LOG.info("{}: could not send the answer{}, the connection is gone: {}", what, sent ? " a second time" : "",
                    e.toString());
            if (!sent) { // the log says what became of the request: no answer went out, as the terminal sees it
                metrics.unanswered();
                traffic.event(source, answer, id, MessageLog.Event.TIMEOUT, "answer " + answer.getString(39)
                        + " not sent: the connection is gone (" + e.getMessage() + ")");
            }
        }
    }

    private static void sendGarbage(ISOSource source, ISOMsg request, RequestName what) {
        if (!(source instanceof BaseChannel ch) || ch.getSocket() == null) {
            return;
        }
        byte[] tpdu = request.getHeader() != null ? request.getHeader() : new byte[0];
        byte[] body = garbledBody(request.getString(0));
        int len = tpdu.length + body.length;
        byte[] frame = new byte[2 + len];
        frame[0] = (byte) (len >> 8);
        frame[1] = (byte) len;
        System.arraycopy(tpdu, 0, frame, 2, tpdu.length);
        System.arraycopy(body, 0, frame, 2 + tpdu.length, body.length);
        try {
            OutputStream out = ch.getSocket().getOutputStream();
            out.write(frame);
            out.flush();
            LOG.info("{}: answered with garbled bytes (scenario)", what);
        } catch (IOException e) {
            LOG.info("{}: could not send garbage, the connection is gone: {}", what, e.toString());
        }
    }
}
