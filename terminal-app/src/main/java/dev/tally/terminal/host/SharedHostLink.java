package dev.tally.terminal.host;

import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.WireChannel;
import dev.tally.spec.format.JposLogBridge;
import dev.tally.spec.format.Masking;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.channel.NACChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent connection to the host shared by every payment in flight ({@code tally serve}): a jPOS
 * {@link NACChannel} and a reader thread that hands each answer to the request it belongs to, matched by
 * terminal (41) + STAN (11) + response MTI (SPEC.md §1). An answer that matches nothing in flight (late,
 * duplicate) goes to the stray listener. When the connection breaks — closed, garbled frame, send
 * failure — every request in flight on it gets {@link Exchange.Broken} at once (their outcome is
 * unknown: the engine reverses them), and the next exchange connects again.
 */
public final class SharedHostLink implements HostChannel {

    private static final Logger log = LoggerFactory.getLogger(SharedHostLink.class);

    /** One TCP connection and the requests waiting on it. */
    private static final class Connection {
        final NACChannel channel;
        final Map<String, CompletableFuture<Exchange>> waiting = new ConcurrentHashMap<>();
        volatile boolean dead;
        /** why it died, set before {@link #dead} */
        volatile String why;

        Connection(NACChannel channel) {
            this.channel = channel;
        }
    }

    private final String host;
    private final int port;
    private final Duration connectTimeout;
    private final Consumer<ISOMsg> strays;
    /** Why the exchanges waiting when the terminal closes the link end ({@link Exchange.Broken#why()}). */
    public static final String CLOSED_BY_TERMINAL = "connection to the host closed by the terminal";

    private volatile Connection current;
    /** Closed for good ({@link #close}): nothing connects again. */
    private volatile boolean closed;

    public SharedHostLink(String host, int port, Duration connectTimeout, Consumer<ISOMsg> strays) {
        this.host = host;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.strays = strays;
    }

    @Override
    public String address() {
        return host + ":" + port;
    }

    @Override
    public void connect() {
        connection();
    }

    private synchronized Connection connection() {
        if (closed) {
            // serve is stopping: a reversal try that starts now would go out with no journal to record its answer
            throw new HostUnavailableException("the terminal is stopping: nothing was sent", null);
        }
        Connection c = current;
        if (c != null && !c.dead && c.channel.isConnected()) {
            return c;
        }
        WireChannel ch = new WireChannel(host, port, Iso87.packager(), Framing.DEFAULT_TPDU.clone());
        ch.setLogger(JposLogBridge.logger("dev.tally.terminal.host.wire"), "shared-host-link");
        try {
            ch.setTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
            ch.connect();
            ch.setTimeout(0);
        } catch (IOException e) {
            disconnect(ch);
            throw new HostUnavailableException("cannot reach the host at " + address() + ": " + ch.connectFailure(e)
                    + " (is the host or simulator running? check --host/--port)", e);
        }
        Connection fresh = new Connection(ch);
        current = fresh;
        Thread.ofVirtual().name("shared-host-link-reader").start(() -> readLoop(fresh));
        log.info("connected to the host at {}", address());
        return fresh;
    }

    private void readLoop(Connection c) {
        while (true) {
            ISOMsg msg;
            try {
                msg = c.channel.receive();
            } catch (ISOException e) {
                fail(c, GarbledAnswer.unpackFailed(e, GarbledAnswer.SHARED_LINK));
                return;
            } catch (IOException | RuntimeException e) {
                fail(c, c.dead ? "connection to the host closed" : LinkLost.because(e));
                return;
            }
            CompletableFuture<Exchange> f;
            try {
                MessageView v = MessageView.of(msg);
                f = c.waiting.remove(key(v.terminalId(), v.stan(), v.mti()));
            } catch (RuntimeException e) {
                // a frame jPOS unpacked but whose matching fields do not parse (IFB_NUMERIC takes any BCD
                // nibble: a STAN of 000A23): garbage like any other, or the reader dies and nothing fails
                String why = GarbledAnswer.unmatchable(msg, GarbledAnswer.SHARED_LINK);
                log.debug("{} ({})", why, Masking.scrub(e.toString())); // the decoder's words: for a developer only
                fail(c, why);
                return;
            }
            // not completed: its deadline had just rung (the waiter reads "no answer"), so this answer is late
            if (f == null || !f.complete(new Exchange.Answered(msg))) {
                try {
                    strays.accept(msg);
                } catch (RuntimeException e) {
                    log.warn("could not record a late or duplicate answer: {}", e.toString());
                }
            }
        }
    }

    /** The connection is gone: everything in flight on it is answered Broken, now. */
    private void fail(Connection c, String why) {
        if (c.why == null) {
            c.why = why; // the first reason is the real one: the reader's "closed" follows a reset or a failed send
        }
        String reason = c.why;
        c.dead = true;
        disconnect(c.channel);
        for (String k : c.waiting.keySet()) {
            CompletableFuture<Exchange> f = c.waiting.remove(k);
            if (f != null) {
                f.complete(new Exchange.Broken(reason));
            }
        }
    }

    @Override
    public Exchange exchange(ISOMsg request, Duration timeout) {
        MessageView req = MessageView.of(request);
        MessageType type = req.type().orElseThrow(() ->
                new IllegalArgumentException("not a message of the Tally catalogue: " + req));
        Connection c = connection();
        String key = key(req.terminalId(), req.stan(), type.spec().responseMti());
        CompletableFuture<Exchange> answer = new CompletableFuture<>();
        if (c.waiting.putIfAbsent(key, answer) != null) {
            throw new IllegalStateException("a request with STAN " + String.format("%06d", req.stan())
                    + " is already in flight; a STAN is never used twice at once");
        }
        try {
            c.channel.send((ISOMsg) request.clone()); // BaseChannel serialises senders
        } catch (IOException | ISOException | RuntimeException e) {
            c.waiting.remove(key);
            String why = "could not send " + req.mti() + " to " + address() + ": " + e.getMessage();
            // the others in flight had left whole: theirs is a link that broke while they were out, not a failed send
            fail(c, "the link broke while this request was out: writing another " + req.mti() + " to " + address()
                    + " failed (" + e.getMessage() + ")");
            return Exchange.Broken.sendFailed(why, e);
        }
        if (c.dead) { // the reader died between our registration and the send: nobody will answer
            c.waiting.remove(key);
            answer.complete(new Exchange.Broken(c.why + " (while sending " + req.mti() + ")"));
        }
        // an untimed wait: the deadline completes the answer with "no answer" ({@link AnswerDeadlines})
        ScheduledFuture<?> alarm = AnswerDeadlines.after(timeout.toNanos(),
                () -> answer.complete(Exchange.NoAnswer.within(req, timeout)));
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Exchange.NoAnswer("interrupted while waiting for the answer to " + req.mti());
        } catch (ExecutionException e) {
            return new Exchange.Broken(String.valueOf(e.getCause()));
        } finally {
            alarm.cancel(false);
            c.waiting.remove(key, answer);
        }
    }

    /** Drops the connection (the keep-alive saw it fail); requests in flight on it get Broken. */
    public void reset(String why) {
        Connection c = current;
        if (c != null) {
            fail(c, why);
        }
    }

    @Override
    public boolean isConnected() {
        Connection c = current;
        return c != null && !c.dead && c.channel.isConnected();
    }

    /** Requests waiting for an answer right now. */
    public int inFlight() {
        Connection c = current;
        return c == null ? 0 : c.waiting.size();
    }

    @Override
    public synchronized void close() { // under connection()'s lock: a connect under way cannot outlive it
        closed = true;
        Connection c = current;
        if (c != null) {
            fail(c, CLOSED_BY_TERMINAL);
        }
    }

    private static String key(String terminalId, int stan, String mti) {
        return terminalId + "|" + stan + "|" + mti;
    }

    private static void disconnect(NACChannel ch) {
        try {
            ch.disconnect();
        } catch (IOException e) {
            log.debug("disconnect: {}", e.toString());
        }
    }
}
