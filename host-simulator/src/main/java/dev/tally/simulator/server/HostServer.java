package dev.tally.simulator.server;

import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.scenario.ScenarioSource;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.MessageLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jpos.core.ConfigurationException;
import org.jpos.core.SimpleConfiguration;
import org.jpos.iso.ISOServer;
import org.jpos.iso.channel.NACChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ISO 8583 side of the simulator: a jPOS {@link ISOServer} with a NAC channel (2-byte length + TPDU)
 * on the bind address, one virtual thread per connection, and {@link HostRequestListener} behind it.
 *
 * <p>Limits that keep bad input from hurting anyone else: a frame longer than {@link #MAX_FRAME} bytes
 * ends its connection, and a connection silent for {@link #IDLE_TIMEOUT} (half a message, say) is closed.
 * Unparseable frames end their own connection only.
 */
public final class HostServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostServer.class);

    /** Largest frame accepted; Tally's largest message is well under 2 KB. */
    static final int MAX_FRAME = 8192;
    /** A connection that sends no complete message for this long is closed ({@link IdleConnections}). */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Connections served at once; each idle one costs a virtual thread and a socket. */
    static final int MAX_SESSIONS = 20_000;
    private static final int BACKLOG = 1024;

    private final ISOServer server;
    private final ServerSocket socket;
    private final ScheduledExecutorService scheduler;
    private final TrafficMetrics metrics;
    private final Thread acceptor;
    private final Delivery delivery;

    /** How long a stop waits for the requests in hand to finish. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private final HostRequestListener requests;

    private HostServer(ISOServer server, ServerSocket socket, ScheduledExecutorService scheduler, TrafficMetrics metrics,
                       Thread acceptor, Delivery delivery, HostRequestListener requests) {
        this.requests = requests;
        this.server = server;
        this.socket = socket;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.acceptor = acceptor;
        this.delivery = delivery;
    }

    /** Binds and starts accepting; returns once the port is listening. {@code messageLog} may be null. */
    public static HostServer start(String bind, int port, Ledger ledger, List<TestCard> cards, ScenarioSource scenario,
                                   byte[] tmk, boolean macRequired, Duration lateDelay, Clock clock, MessageLog messageLog)
            throws IOException {
        return start(bind, port, ledger, cards, scenario, tmk, macRequired, lateDelay, clock, messageLog, IDLE_TIMEOUT);
    }

    /** {@link #start} with another idle timeout (for tests). */
    static HostServer start(String bind, int port, Ledger ledger, List<TestCard> cards, ScenarioSource scenario,
                            byte[] tmk, boolean macRequired, Duration lateDelay, Clock clock, MessageLog messageLog,
                            Duration idleTimeout) throws IOException {
        InetAddress address = InetAddress.getByName(bind);
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(address, port), BACKLOG);
        int actualPort = socket.getLocalPort();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "answer-scheduler");
            t.setDaemon(true);
            return t;
        });
        try {
            // reads block without a timeout; a sweep on the scheduler closes the connections gone silent
            NACChannel prototype = IdleConnections.start(idleTimeout, scheduler).prototype(Iso87.packager(),
                    Framing.DEFAULT_TPDU);
            prototype.setMaxPacketLength(MAX_FRAME);
            // the channel gets no logger: jPOS would hex-dump unparseable frames, card data included

            ISOServer server = new ISOServer(actualPort, prototype, MAX_SESSIONS);
            Properties p = new Properties();
            p.setProperty("bind-address", address.getHostAddress());
            p.setProperty("backlog", String.valueOf(BACKLOG));
            p.setProperty("virtual-threads", "true");
            p.setProperty("permits-exhaustion-warning", "true");
            server.setConfiguration(new SimpleConfiguration(p));
            server.setLogger(ConnectionEvents.logger("dev.tally.simulator.jpos"), "iso-server");
            server.setSocketFactory(new OneSocketFactory(socket, address, actualPort));

            TrafficMetrics metrics = new TrafficMetrics();
            AcquirerHost host = new AcquirerHost(ledger, new SessionKeyStore(ledger, tmk), cards, macRequired, clock);
            Traffic traffic = new Traffic(messageLog);
            Delivery delivery = new Delivery(scheduler, lateDelay, traffic, metrics);
            HostRequestListener requests = new HostRequestListener(host, scenario, delivery, metrics, traffic, macRequired);
            server.addISORequestListener(requests);
            Thread acceptor = Thread.ofPlatform().name("iso-server-" + actualPort).daemon(true).start(server);
            LOG.info("ISO 8583 host listening on {}:{}", address.getHostAddress(), actualPort);
            return new HostServer(server, socket, scheduler, metrics, acceptor, delivery, requests);
        } catch (ConfigurationException | IOException | RuntimeException e) {
            scheduler.shutdownNow();
            socket.close();
            throw e instanceof IOException io ? io : new IOException("cannot start the ISO 8583 server: " + e.getMessage(), e);
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    public InetAddress address() {
        return socket.getInetAddress();
    }

    public TrafficMetrics metrics() {
        return metrics;
    }

    public int activeConnections() {
        return server.getActiveConnections();
    }

    /**
     * Stops accepting, closes every connection, drops answers still waiting on a scenario delay (each one a TIMEOUT line
     * in the message log, which the caller closes after this).
     */
    @Override
    public void close() {
        server.shutdown(); // first: no request is taken once answers can no longer be scheduled
        try {
            // the requests in hand finish first: one answered just now still writes its line in the message log (the
            // caller closes it after this), which a stop in between lost
            if (!requests.awaitIdle(STOP_GRACE)) {
                LOG.warn("requests still in hand {} s after the stop: the message log may lack what became of them",
                        STOP_GRACE.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        delivery.stop();
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the listening socket: {}", e.toString());
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Hands jPOS the socket already bound (so {@code start} returns only once listening, and port 0 works);
     * should jPOS ask again (it re-creates the socket after exhausting its sessions) it binds the same port.
     */
    private static final class OneSocketFactory implements org.jpos.iso.ISOServerSocketFactory {
        private final ServerSocket first;
        private final InetAddress address;
        private final int port;
        private boolean handedOut;

        OneSocketFactory(ServerSocket first, InetAddress address, int port) {
            this.first = first;
            this.address = address;
            this.port = port;
        }

        @Override
        public synchronized ServerSocket createServerSocket(int ignored) throws IOException {
            if (!handedOut) {
                handedOut = true;
                return first;
            }
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port), BACKLOG);
            return s;
        }
    }
}
