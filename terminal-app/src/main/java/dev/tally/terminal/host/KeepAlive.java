package dev.tally.terminal.host;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echo keep-alive of the shared connection ({@code tally serve}): every {@code interval} an 0800 echo
 * (SPEC.md §4.2). An echo that gets no answer drops the connection, so the next request — or the next
 * echo — connects afresh instead of writing into a dead socket; a host that cannot be reached is tried
 * again on the next beat.
 */
public final class KeepAlive implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);

    private final HostSession session;
    private final SharedHostLink link;
    private final Duration interval;
    private volatile boolean running = true;
    private final Thread thread;

    public KeepAlive(HostSession session, SharedHostLink link, Duration interval) {
        this.session = session;
        this.link = link;
        this.interval = interval;
        this.thread = Thread.ofVirtual().name("host-keep-alive").unstarted(this::run);
    }

    public KeepAlive start() {
        thread.start();
        return this;
    }

    /** When the host was found unreachable, while it still is; null while it answers. */
    private java.time.Instant downSince;

    private void run() {
        while (running) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            if (!running) {
                return;
            }
            try {
                Exchange ex = session.echo();
                if (!(ex instanceof Exchange.Answered)) {
                    log.warn("echo to {} failed: {}; reconnecting", link.address(), HostSession.describe(ex));
                    link.reset("keep-alive echo failed: " + HostSession.describe(ex));
                } else if (downSince != null) {
                    log.warn("host {} reachable again (unreachable since {})", link.address(), downSince);
                    downSince = null;
                }
            } catch (HostUnavailableException e) {
                // once per outage, with when it began: the same line every interval said neither when nor how long
                if (downSince == null) {
                    downSince = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
                    log.warn("host {} unreachable: {} (payments are refused until it is back; said again when it is)",
                            link.address(), e.getMessage());
                }
            } catch (RuntimeException e) {
                log.warn("keep-alive: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
