package dev.tally.terminal.host;

import java.time.Duration;
import org.jpos.iso.ISOMsg;

/**
 * A connection to the host that a {@link HostSession} sends its requests over: {@link HostLink} (one
 * request at a time, the one-shot CLI) or {@link SharedHostLink} (many requests in flight on one
 * persistent connection, {@code tally serve}). Answers are matched by terminal + STAN + response MTI.
 */
public interface HostChannel extends AutoCloseable {

    String address();

    /** Connects when not connected; {@link HostUnavailableException} when the host cannot be reached. */
    void connect();

    /**
     * Sends {@code request} and waits up to {@code timeout} for its answer; network trouble after the
     * request may have left is {@link Exchange.Broken} or {@link Exchange.NoAnswer}, never an exception.
     * Throws {@link HostUnavailableException} only when nothing was sent.
     */
    Exchange exchange(ISOMsg request, Duration timeout);

    boolean isConnected();

    @Override
    void close();

    /**
     * A channel that wraps another ({@link #link}) and changes only how requests are exchanged: everything else is the
     * wrapped channel's (the message log's {@code LoggedChannel}, tests' fault injectors).
     */
    interface Forwarding extends HostChannel {

        /** The channel wrapped. */
        HostChannel link();

        @Override
        default String address() {
            return link().address();
        }

        @Override
        default void connect() {
            link().connect();
        }

        @Override
        default boolean isConnected() {
            return link().isConnected();
        }

        @Override
        default void close() {
            link().close();
        }
    }
}
