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

    /** Whether the last beat found the host unreachable or not answering; cleared by an answered echo. */
    private volatile boolean down;

    /**
     * Whether the host is out of reach as the keep-alive last found it (unreachable, or its echo unanswered), until an
     * echo is answered again: serve's {@code GET /health} says DEGRADED meanwhile. A connection merely closed while idle
     * is not down: the next beat or payment connects again.
     */
    public boolean hostDown() {
        return down;
    }

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
                    wentDown("echo to " + link.address() + " failed: " + HostSession.describe(ex) + "; reconnecting");
                    link.reset("keep-alive echo failed: " + HostSession.describe(ex));
                } else if (down) {
                    down = false;
                    log.warn("host {} answers again", link.address());
                }
            } catch (HostUnavailableException e) {
                wentDown("host " + link.address() + " unreachable: " + e.getMessage());
            } catch (RuntimeException e) {
                log.warn("keep-alive: {}", e.toString());
            }
        }
    }

    /** Once per outage (the log line's time says when it began), not at every beat; said again when it ends. */
    private void wentDown(String what) {
        if (!down) {
            down = true;
            log.warn("{} (said again when the host answers)", what);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
