package dev.tally.simulator.server;

import dev.tally.spec.format.WireChannel;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOPackager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that has sent no complete message for the idle timeout (nothing at all, or half a
 * message). A sweep every quarter of the timeout looks at when each connection last delivered a message, so
 * a silent connection is closed between one and one and a quarter timeouts after its last message.
 *
 * <p>Why not the socket's read timeout (jPOS {@code setTimeout}): on a virtual thread a read with a timeout is a
 * timed park, and in JDK 25 each one costs a timer scheduled and cancelled in the scheduler's delay queue: about
 * 20 µs of CPU per request in a bare jPOS echo server (two fifths of its cost), and in the simulator a median
 * 133 → 115 µs per sale (docs/BENCHMARKS.md), for a limit that fires once in minutes. Reads now block without a timeout; this sweep ends them
 * by closing the socket, as a peer hanging up would.
 */
final class IdleConnections {

    private static final Logger LOG = LoggerFactory.getLogger(IdleConnections.class);

    private final Duration timeout;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();

    private IdleConnections(Duration timeout) {
        this.timeout = timeout;
    }

    /** Starts sweeping on {@code scheduler}; {@link #prototype} makes the channel the server clones per connection. */
    static IdleConnections start(Duration timeout, ScheduledExecutorService scheduler) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + timeout);
        }
        IdleConnections idle = new IdleConnections(timeout);
        long every = Math.max(1, timeout.toNanos() / 4);
        scheduler.scheduleWithFixedDelay(idle::sweep, every, every, TimeUnit.NANOSECONDS);
        return idle;
    }

    /** The server-side prototype: each connection's clone joins this sweep when accepted and leaves it when it ends. */
    WireChannel prototype(ISOPackager packager, byte[] tpdu) throws IOException {
        return new Channel(packager, tpdu, this);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Channel c : open) {
            if (now - c.lastMessage > timeout.toNanos()) {
                open.remove(c);
                Socket s = c.getSocket();
                LOG.info("closing the connection from {}: no complete message for {} s", s == null ? "?"
                        : s.getRemoteSocketAddress(), timeout.toSeconds());
                try {
                    if (s != null) {
                        s.close(); // the session's blocked read ends as on a peer hang-up, and the session closes the channel
                    }
                } catch (IOException e) {
                    LOG.debug("closing an idle connection: {}", e.toString());
                }
            }
        }
    }

    /** A connection's channel: stamps each complete message it reads. */
    private static final class Channel extends WireChannel {
        private final IdleConnections sweep;
        private volatile long lastMessage;

        Channel(ISOPackager packager, byte[] tpdu, IdleConnections sweep) throws IOException {
            super(packager, tpdu);
            this.sweep = sweep;
        }

        @Override
        public void accept(ServerSocket s) throws IOException {
            super.accept(s);
            lastMessage = System.nanoTime();
            sweep.open.add(this);
        }

        @Override
        public ISOMsg receive() throws IOException, ISOException {
            ISOMsg m = super.receive();
            lastMessage = System.nanoTime();
            return m;
        }

        @Override
        public void disconnect() throws IOException {
            sweep.open.remove(this);
            super.disconnect();
        }
    }
}
