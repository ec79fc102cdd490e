package dev.tally.terminal.support;

import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostChannel;
import java.time.Duration;
import java.util.function.Consumer;
import org.jpos.iso.ISOMsg;

/**
 * Writes the message log for any {@link HostChannel} that has no tap of its own (e.g. the shared,
 * persistent connection of {@code tally serve}): the request as it is handed over, then its answer or
 * what happened instead. {@link dev.tally.terminal.host.HostLink} taps itself (it sees the exact moment
 * of sending); use this for the others, and {@link #strays(Consumer)} for their late-answer listener.
 */
public final class LoggedChannel implements HostChannel.Forwarding {

    /** How a request line's outcome starts when no whole frame of it left (the link was already broken). */
    public static final String NOT_SENT = "not sent: ";

    private final HostChannel delegate;
    private final TerminalTraffic traffic;

    public LoggedChannel(HostChannel delegate, TerminalTraffic traffic) {
        this.delegate = delegate;
        this.traffic = traffic;
    }

    @Override
    public HostChannel link() {
        return delegate;
    }

    /** A stray listener that logs late and duplicate answers before handing them on. */
    public static Consumer<ISOMsg> strays(TerminalTraffic traffic, String peer, Consumer<ISOMsg> next) {
        return msg -> {
            traffic.stray(msg, peer);
            next.accept(msg);
        };
    }

    @Override
    public Exchange exchange(ISOMsg request, Duration timeout) {
        connect(); // an unreachable host throws here: nothing sent, nothing logged
        long started = System.nanoTime();
        traffic.sent(request, address());
        Exchange ex;
        try {
            ex = delegate.exchange(request, timeout);
        } catch (dev.tally.terminal.host.HostUnavailableException e) {
            traffic.unanswered(request, address(), 0, false, true, NOT_SENT + e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            traffic.settled(request); // answers held back for it are logged, not kept
            throw e;
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        switch (ex) {
            case Exchange.Answered a -> traffic.answered(request, a.response(), address(), ms);
            case Exchange.NoAnswer n -> traffic.unanswered(request, address(), ms, false, false, n.why());
            case Exchange.Broken b -> traffic.unanswered(request, address(), ms, b.why().startsWith("garbled"),
                    !b.why().startsWith("garbled"), (b.linkBrokeOnWrite() ? NOT_SENT : "") + b.why());
        }
        return ex;
    }
}
