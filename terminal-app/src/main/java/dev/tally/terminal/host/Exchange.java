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

    /** The link broke while the request was out (closed connection, garbage on the wire, send failed). */
    record Broken(String why) implements Exchange {
    }
}
