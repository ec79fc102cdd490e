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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.channel.NACChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal's connection to the host: one jPOS {@link NACChannel} (SPEC.md §1 framing) and a reader
 * thread that keeps receiving, so an answer that arrives after its request timed out is still read —
 * and handed to the stray listener, never mistaken for the answer to a later request. Answers are
 * matched by terminal id (41) + STAN (11) + response MTI (SPEC.md §1).
 *
 * <p>A garbled frame or a closed connection while a request is out is reported as {@link Exchange.Broken};
 * the next exchange reconnects.
 */
public final class HostLink implements HostChannel {

    private static final Logger log = LoggerFactory.getLogger(HostLink.class);

    /** What the reader thread hands over: a message or the reason the link died. */
    private sealed interface Inbound {
        record Message(ISOMsg msg) implements Inbound { }
        record Failure(String why, boolean garbled) implements Inbound { }

        /** One exchange's deadline ({@link AnswerDeadlines}), told apart by identity: an earlier one's is ignored. */
        final class Deadline implements Inbound { }
    }

    /**
     * Sees every message that crosses the link and every request that got no usable answer (the message
     * log, {@code dev.tally.terminal.support}). Called on the thread that runs the exchange; must not throw.
     */
    public interface WireTap {
        void sent(ISOMsg request, String peer);

        void answered(ISOMsg request, ISOMsg response, String peer, long latencyMs);

        /** No answer within the deadline ({@code garbled}/{@code disconnected} say what broke the link instead). */
        void unanswered(ISOMsg request, String peer, long waitedMs, boolean garbled, boolean disconnected, String why);

        /** A message that matched no request in flight: a late or duplicate answer. */
        void stray(ISOMsg message, String peer);
    }

    private volatile WireTap tap;

    private final String host;
    private final int port;
    private final Consumer<ISOMsg> strays;
    private final Duration connectTimeout;
    private NACChannel channel;
    private LinkedBlockingQueue<Inbound> inbound;

    /**
     * @param strays receives every message that matches no request in flight (late answers, duplicate
     *               responses); called on the thread that runs {@link #exchange} or {@link #close}
     */
    public HostLink(String host, int port, Duration connectTimeout, Consumer<ISOMsg> strays) {
        this.host = host;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.strays = strays;
    }

    /** Installs the tap that sees the traffic (null: none). */
    public void tap(WireTap wireTap) {
        this.tap = wireTap;
    }

    public WireTap tap() {
        return tap;
    }

    public String address() {
        return host + ":" + port;
    }

    /** Connects when not connected; throws {@link HostUnavailableException} when the host cannot be reached. */
    public synchronized void connect() {
        if (channel != null && channel.isConnected()) {
            return;
        }
        drainStrays();
        WireChannel ch = new WireChannel(host, port, Iso87.packager(), Framing.DEFAULT_TPDU.clone());
        ch.setLogger(JposLogBridge.logger("dev.tally.terminal.host.wire"), "host-link");
        try {
            // jPOS uses the channel timeout for connect(); afterwards the reader blocks without one
            ch.setTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
            ch.connect();
            ch.setTimeout(0);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new HostUnavailableException("cannot reach the host at " + address() + ": " + ch.connectFailure(e)
                    + " (is the host or simulator running? check --host/--port)", e);
        }
        LinkedBlockingQueue<Inbound> q = new LinkedBlockingQueue<>();
        channel = ch;
        inbound = q;
        Thread.ofVirtual().name("host-link-reader").start(() -> readLoop(ch, q));
    }

    private static void readLoop(NACChannel ch, LinkedBlockingQueue<Inbound> q) {
        while (true) {
            try {
                q.add(new Inbound.Message(ch.receive()));
            } catch (ISOException e) {
                // closed before the failure is reported, so the next exchange never reuses this connection
                closeQuietly(ch);
                q.add(new Inbound.Failure(GarbledAnswer.unpackFailed(e, GarbledAnswer.ONE_LINK), true));
                return;
            } catch (IOException | RuntimeException e) {
                if (ch.isConnected()) {
                    closeQuietly(ch);
                    q.add(new Inbound.Failure(LinkLost.because(e), false));
                } else {
                    q.add(new Inbound.Failure("connection to the host closed", false));
                }
                return;
            }
        }
    }

    private static void closeQuietly(NACChannel ch) {
        try {
            ch.disconnect();
        } catch (IOException e) {
            log.debug("disconnect after a link failure: {}", e.toString());
        }
    }

    /**
     * Sends {@code request} and waits up to {@code timeout} for its answer. Never throws for network
     * trouble after the request may have left: that is {@link Exchange.Broken} or {@link Exchange.NoAnswer}.
     * Throws {@link HostUnavailableException} only when it cannot connect, i.e. nothing was sent.
     */
    public synchronized Exchange exchange(ISOMsg request, Duration timeout) {
        connect();
        MessageView req = MessageView.of(request);
        MessageType type = req.type().orElseThrow(() ->
                new IllegalArgumentException("not a message of the Tally catalogue: " + req));
        String expectedMti = type.spec().responseMti();
        drainStrays();
        NACChannel ch = channel;
        LinkedBlockingQueue<Inbound> q = inbound;
        WireTap t = tap;
        long sentAt = System.nanoTime();
        try {
            ch.send((ISOMsg) request.clone());
            if (t != null) {
                t.sent(request, address());
            }
        } catch (IOException | ISOException e) {
            closeQuietly(ch);
            String why = "could not send " + req.mti() + " to " + address() + ": " + e.getMessage();
            if (t != null) {
                t.unanswered(request, address(), 0, false, true, why);
            }
            return Exchange.Broken.sendFailed(why, e);
        }
        // the wait below has no timeout of its own: the deadline puts its marker in the queue
        Inbound.Deadline mine = new Inbound.Deadline();
        ScheduledFuture<?> alarm = AnswerDeadlines.after(sentAt + timeout.toNanos() - System.nanoTime(), () -> q.add(mine));
        try {
            while (true) {
                Inbound in;
                try {
                    in = q.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    Exchange.NoAnswer none = new Exchange.NoAnswer("interrupted while waiting for the answer to " + req.mti());
                    if (t != null) { // the log says what became of the request, as for a deadline
                        t.unanswered(request, address(), (System.nanoTime() - sentAt) / 1_000_000, false, false, none.why());
                    }
                    return none;
                }
                switch (in) {
                    case Inbound.Deadline d -> {
                        if (d == mine) {
                            Exchange.NoAnswer none = Exchange.NoAnswer.within(req, timeout);
                            if (t != null) {
                                t.unanswered(request, address(), timeout.toMillis(), false, false, none.why());
                            }
                            return none;
                        }
                        // an earlier exchange's deadline that rang as its answer came: nothing to do with this one
                    }
                    case Inbound.Failure f -> {
                        if (t != null) {
                            t.unanswered(request, address(), (System.nanoTime() - sentAt) / 1_000_000, f.garbled(),
                                    !f.garbled(), f.why());
                        }
                        return new Exchange.Broken(f.why());
                    }
                    case Inbound.Message m -> {
                        boolean ours;
                        try {
                            MessageView v = MessageView.of(m.msg());
                            ours = expectedMti.equals(v.mti()) && v.stan() == req.stan()
                                    && java.util.Objects.equals(v.terminalId(), req.terminalId());
                        } catch (RuntimeException e) {
                            // unpacked, but its matching fields do not parse (IFB_NUMERIC takes any BCD nibble: a
                            // STAN of 000A23): garbage like a frame jPOS refuses; closed so the next exchange reconnects
                            closeQuietly(ch);
                            String why = GarbledAnswer.unmatchable(m.msg(), GarbledAnswer.ONE_LINK);
                            log.debug("{} ({})", why, Masking.scrub(e.toString())); // the decoder's words: for a developer only
                            if (t != null) {
                                t.unanswered(request, address(), (System.nanoTime() - sentAt) / 1_000_000, true, false, why);
                            }
                            return new Exchange.Broken(why);
                        }
                        if (ours) {
                            if (t != null) {
                                t.answered(request, m.msg(), address(), (System.nanoTime() - sentAt) / 1_000_000);
                            }
                            return new Exchange.Answered(m.msg());
                        }
                        stray(m.msg());
                    }
                }
            }
        } finally {
            alarm.cancel(false);
        }
    }

    /** Hands every message already read but matched to nothing to the stray listener. */
    public synchronized void drainStrays() {
        if (inbound == null) {
            return;
        }
        Inbound in;
        while ((in = inbound.poll()) != null) {
            if (in instanceof Inbound.Message m) {
                stray(m.msg());
            }
        }
    }

    private void stray(ISOMsg msg) {
        try {
            WireTap t = tap;
            if (t != null) {
                t.stray(msg, address());
            }
            strays.accept(msg);
        } catch (RuntimeException e) {
            // a message matched to nothing that does not even parse (a STAN of letters): noted, never thrown out of
            // the exchange that drained it, which may be a sale about to be sent
            log.warn("a message from {} that answers no request and cannot be read was dropped: {}", address(),
                    Masking.scrub(String.valueOf(e.getMessage())));
        }
    }

    public synchronized boolean isConnected() {
        return channel != null && channel.isConnected();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            closeQuietly(channel);
            drainStrays();
            channel = null;
        }
    }
}
