package dev.tally.terminal.host;

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
     * written at all. {@code mayHaveArrived} is false only when the write itself failed (the link was already broken,
     * or the message could not be packed): no whole frame left, so the host cannot have acted on it.
     */
    record Broken(String why, boolean mayHaveArrived) implements Exchange {

        /** Broken after the request left: the host may have received it and acted on it. */
        public Broken(String why) {
            this(why, true);
        }

        /** The write of the request failed: nothing the host could act on left. */
        public static Broken notSent(String why) {
            return new Broken(why, false);
        }
    }
}
