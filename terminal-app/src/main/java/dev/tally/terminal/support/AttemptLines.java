package dev.tally.terminal.support;

import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.OriginalData;
import dev.tally.terminal.journal.Attempt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The message-log lines of one journal attempt. The message id ({@code attempt-<journal id>}) alone does not say
 * it: a new journal numbers its attempts (and STANs) from 1 again, and a message log can outlive a journal or be
 * shared by several, so {@code attempt-1} of one journal is also {@code attempt-1} of the next. A line belongs to
 * the attempt only when its terminal id and (where the line has one) order reference are the attempt's too, and a
 * request names the attempt's sale: a 0200 by its STAN and field 7, a reversal or status inquiry by field 90
 * (original STAN + field 7). An answer or event (timeout, late or duplicate answer) goes with the last request of
 * the same terminal, STAN and message id before it (docs/support.md §4).
 */
public record AttemptLines(List<MessageLog.Entry> lines, int leftOut) {

    public AttemptLines {
        lines = List.copyOf(lines);
    }

    /** The lines of {@code log} (in log order) that belong to {@code a}, and how many shared its message id only. */
    public static AttemptLines of(Attempt a, List<MessageLog.Entry> log) {
        String id = "attempt-" + a.id();
        List<MessageLog.Entry> mine = new ArrayList<>();
        int others = 0;
        // terminal + STAN of the last request line seen with this message id → whether it was this attempt's
        Map<String, Boolean> lastRequest = new HashMap<>();
        for (MessageLog.Entry e : log) {
            if (!id.equals(e.messageId())) {
                continue;
            }
            String key = e.terminalId() + "|" + e.stan();
            boolean belongs;
            if (!Objects.equals(a.terminalId(), e.terminalId())
                    || (e.orderRef() != null && !e.orderRef().equals(a.orderRef()))) {
                belongs = false;
            } else if (e.event() == MessageLog.Event.REQUEST) {
                belongs = namesTheSale(a, e);
            } else {
                Boolean request = lastRequest.get(key);
                // no request before it (rotated away): what the line itself carries decides
                belongs = request != null ? request : namesTheSale(a, e);
            }
            if (e.event() == MessageLog.Event.REQUEST) {
                lastRequest.put(key, belongs);
            }
            if (belongs) {
                mine.add(e);
            } else {
                others++;
            }
        }
        return new AttemptLines(mine, others);
    }

    /**
     * Whether what the line carries agrees with the attempt's sale: a 0200/0210 has its STAN and field 7, a message
     * with field 90 names its STAN and field 7. A line carrying neither (an event) agrees when its STAN is the sale's
     * or the reversal's, or it has the attempt's order reference (a status inquiry's own STAN is not journaled).
     */
    private static boolean namesTheSale(Attempt a, MessageLog.Entry e) {
        String f90 = field(e, Field.ORIGINAL_DATA_ELEMENTS);
        if (f90 != null) {
            try {
                OriginalData o = OriginalData.decode(f90);
                return o.stan() == a.stan() && sameTime(a, o.transmissionDateTime());
            } catch (IllegalArgumentException unreadable) {
                // masked or malformed: it tells nothing either way
            }
        }
        if ("0200".equals(e.mti()) || "0210".equals(e.mti())) {
            return a.stanText().equals(e.stan()) && sameTime(a, field(e, Field.TRANSMISSION_DATE_TIME));
        }
        if (e.mti() != null && f90 != null) {
            return true; // field 90 unreadable; terminal and order agree
        }
        return a.stanText().equals(e.stan())
                || (a.reversalStan() != null && String.format("%06d", a.reversalStan()).equals(e.stan()))
                || (e.orderRef() != null && e.orderRef().equals(a.orderRef()));
    }

    /** Field 7 agrees when either side does not have it. */
    private static boolean sameTime(Attempt a, String f7) {
        return f7 == null || a.transmissionTime() == null || f7.equals(a.transmissionTime());
    }

    private static String field(MessageLog.Entry e, Field f) {
        if (e.fields() == null) {
            return null;
        }
        for (Map.Entry<String, String> kv : e.fields().entrySet()) {
            if (Field.numberOfKey(kv.getKey()) == f.number()) {
                return kv.getValue();
            }
        }
        return null;
    }
}
