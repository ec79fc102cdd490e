package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.spec.format.MessageLog;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptKind;
import dev.tally.terminal.journal.AttemptState;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Which message-log lines belong to a journal attempt when others share its message id. */
class AttemptLinesTest {

    static final Instant T = Instant.parse("2026-11-22T10:41:07Z");

    /** Attempt 1 of its journal: order INV-7, sale STAN 000002 at 1122104107, reversal STAN 000003. */
    static Attempt attempt(String terminalId, String order) {
        return new Attempt(1, terminalId, "HOSPITAL0000001", order, AttemptKind.SALE, 1068, "840", 2, "1122104107",
                "1122", "104107", AttemptState.REVERSED, null, null, null, "476173******0119", "98", 3, 1, null, T, T, T, 1);
    }

    static MessageLog.Entry line(String tid, String order, String mti, String stan, MessageLog.Event event, String f7,
                                 String f90) {
        java.util.Map<String, String> fields = mti == null ? null : new java.util.LinkedHashMap<>();
        if (fields != null) {
            fields.put("STAN", stan);
            if (f7 != null) {
                fields.put("TRANSMISSION_DATE_TIME", f7);
            }
            if (f90 != null) {
                fields.put("ORIGINAL_DATA_ELEMENTS", f90);
            }
        }
        return new MessageLog.Entry(T.toEpochMilli(), event == MessageLog.Event.REQUEST ? MessageLog.Direction.OUT
                : MessageLog.Direction.IN, "h:1", tid, order, mti, stan, "attempt-1", event, null, null, fields, null);
    }

    /** The attempt's own conversation: sale, timeout, reversal, its answer, a late 0210. */
    static List<MessageLog.Entry> own(String tid, String order, String f7) {
        String f90 = "0200000002" + f7 + "0".repeat(22);
        return List.of(
                line(tid, order, "0200", "000002", MessageLog.Event.REQUEST, f7, null),
                line(tid, order, null, "000002", MessageLog.Event.TIMEOUT, null, null),
                line(tid, order, "0400", "000003", MessageLog.Event.REQUEST, "1122104208", f90),
                line(tid, order, "0410", "000003", MessageLog.Event.RESPONSE, "1122104208", null),
                line(tid, order, "0210", "000002", MessageLog.Event.LATE_RESPONSE, f7, null));
    }

    @Test
    void theAttemptsOwnLinesAllBelongToIt() {
        AttemptLines l = AttemptLines.of(attempt("TALLY001", "INV-7"), own("TALLY001", "INV-7", "1122104107"));
        assertEquals(5, l.lines().size());
        assertEquals(0, l.leftOut());
    }

    @Test
    void anotherJournalsAttemptWithTheSameIdAndOrderButAnotherField7IsLeftOut() {
        // a journal started again: attempt 1, STAN 2, even the same order id, but sent at another time
        List<MessageLog.Entry> log = Stream.concat(own("TALLY001", "INV-7", "1121090000").stream(),
                own("TALLY001", "INV-7", "1122104107").stream()).toList();
        AttemptLines l = AttemptLines.of(attempt("TALLY001", "INV-7"), log);
        assertEquals(own("TALLY001", "INV-7", "1122104107"), l.lines());
        assertEquals(5, l.leftOut());
    }

    @Test
    void anotherTerminalsOrAnotherOrdersLinesAreLeftOut() {
        List<MessageLog.Entry> log = Stream.of(own("TALLY002", "INV-7", "1122104107"),
                own("TALLY001", "NEW-1", "1122104107"), own("TALLY001", "INV-7", "1122104107"))
                .flatMap(List::stream).toList();
        AttemptLines l = AttemptLines.of(attempt("TALLY001", "INV-7"), log);
        assertEquals(own("TALLY001", "INV-7", "1122104107"), l.lines());
        assertEquals(10, l.leftOut());
    }

    @Test
    void anEventWhoseRequestIsRotatedAwayGoesByItsStan() {
        List<MessageLog.Entry> log = List.of(
                line("TALLY001", "INV-7", null, "000002", MessageLog.Event.TIMEOUT, null, null),
                line("TALLY001", "INV-7", "0410", "000003", MessageLog.Event.RESPONSE, null, null),
                line("TALLY001", "INV-7", "0210", "000002", MessageLog.Event.LATE_RESPONSE, "1121090000", null));
        AttemptLines l = AttemptLines.of(attempt("TALLY001", "INV-7"), log);
        assertEquals(log.subList(0, 2), l.lines());
        assertEquals(1, l.leftOut(), "a 0210 whose field 7 is not the sale's is another sale's");
    }
}
