package dev.tally.simulator.server;

import dev.tally.spec.message.Field;
import org.jpos.iso.ISOMsg;

/**
 * A request as log lines name it, "0200 TALLY001 STAN 000001" (no card data), made the first time a line is
 * written: most requests are answered without one, and naming each cost six field lookups and a string.
 */
final class RequestName {

    private final ISOMsg request;
    private String text;

    RequestName(ISOMsg request) {
        this.request = request;
    }

    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            String stan = request.getString(Field.STAN.number());
            String tid = request.getString(Field.TERMINAL_ID.number());
            t = request.getString(0) + " " + (tid == null ? "?" : tid) + " STAN " + (stan == null ? "?" : stan);
            text = t;
        }
        return t;
    }
}
