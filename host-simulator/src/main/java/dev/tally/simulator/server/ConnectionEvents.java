package dev.tally.simulator.server;

import dev.tally.spec.format.JposLogBridge;
import dev.tally.spec.format.Masking;
import org.jpos.iso.ISOException;
import org.jpos.util.LogEvent;
import org.jpos.util.LogListener;
import org.jpos.util.Logger;
import org.slf4j.LoggerFactory;

/**
 * jPOS's server events on their way to SLF4J. A connection that ends because its peer sent something
 * unreadable is one WARN line (bad input is expected of a lab host's peers, not a stack trace); a
 * connection reset or closed under a session that was still reading is one DEBUG line; everything else goes through
 * {@link JposLogBridge} unchanged (masked).
 */
final class ConnectionEvents implements LogListener {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("dev.tally.simulator.connections");

    private final JposLogBridge bridge;

    private ConnectionEvents(String name) {
        this.bridge = new JposLogBridge(name);
    }

    static Logger logger(String name) {
        Logger logger = new Logger();
        logger.setName(name);
        logger.addListener(new ConnectionEvents(name));
        return logger;
    }

    @Override
    public LogEvent log(LogEvent ev) {
        if ("session-error".equals(ev.getTag())) {
            for (Object o : ev.getPayLoad()) {
                if (o instanceof ISOException e) {
                    LOG.warn("connection closed after unreadable input: {}", Masking.scrub(String.valueOf(e.getMessage())));
                    return ev;
                }
                if (o instanceof NullPointerException e && String.valueOf(e.getMessage()).contains("socket")) {
                    LOG.debug("connection closed while its session was reading");
                    return ev;
                }
            }
        }
        if ("session-warning".equals(ev.getTag())) {
            for (Object o : ev.getPayLoad()) {
                if (o instanceof java.net.SocketException e) {
                    // the peer reset the connection, or the host closed it on purpose (scenario closeConnection)
                    LOG.debug("connection ended: {}", e.getMessage());
                    return ev;
                }
            }
        }
        return bridge.log(ev);
    }
}
