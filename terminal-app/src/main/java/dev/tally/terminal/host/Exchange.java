package dev.tally.terminal.host;

import java.io.IOException;
import org.jpos.iso.ISOMsg;

/** What became of one request sent to the host. */
public sealed interface Exchange {

    /** The host answered: the response matching the request's terminal, STAN and response MTI. */
    record Answered(ISOMsg response) implements Exchange {
    }

    /** Nothing matching arrived before the deadline. */
    record NoAnswer(String why) implements Exchange {
        /** No answer to {@code request} within {@code timeout}. */
        static NoAnswer within(dev.tally.spec.message.MessageView request, java.time.Duration timeout) {
            return new NoAnswer("no answer to " + request.mti() + " STAN " + String.format("%06d", request.stan())
                    + " within " + timeout.toMillis() + " ms");
        }
    }

    /**
     * The link broke while the request was out (closed connection, garbage on the wire), or the request could not be
     * sent. {@code linkBrokeOnWrite} is true only when writing it to the socket failed with an I/O error ("Broken
     * pipe": the link was already broken): no whole frame left, so the host cannot have acted on it, and the failure
     * was the link's, not the message's (a message that cannot be packed fails every time).
     */
    record Broken(String why, boolean linkBrokeOnWrite) implements Exchange {

        /** Broken after the request left, or for a reason of its own: the host may have acted on it. */
        public Broken(String why) {
            this(why, false);
        }

        /**
         * What a send that threw {@code e} was. The link's write failed only for an I/O error of its own: jPOS wraps
         * anything thrown after the frame was flushed (its observers, its logger) as IOException("unexpected
         * exception", cause), which says nothing of the write; a packing error (ISOException) or a runtime one is
         * the message's.
         */
        public static Broken sendFailed(String why, Exception e) {
            boolean io = e instanceof IOException && (e.getCause() == null || e.getCause() instanceof IOException);
            return new Broken(why, io);
        }
    }
}
