package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.MessageLog;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An attempt with no line in the message log: the timeline said "(no message log: ...)" also when a message log was
 * given and merely held none of this attempt's lines (or only another journal's lines with its message id).
 */
class ProblemReportTimelineTest {

    static ProblemReport report(String messageLog, ProblemReport.Case c) {
        return new ProblemReport(new ProblemReport.Context("HOSPITAL0000001", "TALLY001", null, null, null, "tally test",
                "127.0.0.1:8583", "j.db", messageLog, ProblemReportAnswerTest.T, ZoneOffset.UTC), "order INV-3",
                List.of(c));
    }

    static String timeline(String md) {
        return md.substring(md.indexOf("## Message timeline"), md.indexOf("## Environment"));
    }

    @Test
    void aLogThatHoldsNoLineOfTheAttemptIsNotCalledNoLog() {
        Attempt a = ProblemReportAnswerTest.attempt(1, 2, AttemptState.APPROVED, "00", "632610000003", 0);
        ProblemReport.Case none = new ProblemReport.Case(a, List.of(), List.of());
        String given = timeline(report("m.jsonl", none).markdown());
        assertFalse(given.contains("no message log"), given);
        assertTrue(given.contains("    (the message log given holds no line of this attempt: see the actions below)\n"),
                given);

        ProblemReport.Case others = new ProblemReport.Case(a, List.of(), List.of(), 2, null, List.of());
        String leftOut = timeline(report("m.jsonl", others).markdown());
        assertTrue(leftOut.contains("    (the message log given holds no line of this attempt, only another journal's or"
                + " terminal's lines with its message id: see the actions below)\n"), leftOut);
        assertTrue(leftOut.contains("(2 message-log lines with message id attempt-1 left out"), leftOut);

        String notGiven = timeline(report(null, none).markdown());
        assertTrue(notGiven.contains("    (no message log: see the actions below)\n"), notGiven);
    }

    static MessageLog.Entry disconnected(String note) {
        return new MessageLog.Entry(ProblemReportAnswerTest.T.toEpochMilli(), MessageLog.Direction.IN, "127.0.0.1:8583",
                "TALLY001", "INV-3", null, "000002", "attempt-1", MessageLog.Event.DISCONNECTED, null, 0L, null, note);
    }

    /**
     * A sale whose write failed (serve's shared link had broken under another payment) is described as not sent, as
     * its timeline line says; before, the description read "sent ..., the host closed the connection without
     * answering", as for a sale that left. One that left and lost its link keeps that wording.
     */
    @Test
    void aSaleWhoseWriteFailedIsDescribedAsNotSent() {
        Attempt a = ProblemReportAnswerTest.attempt(1, 2, AttemptState.REVERSED, "25", null, 0);
        List<AttemptEvent> events = List.of(new AttemptEvent(1, ProblemReportAnswerTest.T, AttemptState.SENT,
                AttemptState.REVERSAL_PENDING, "could not send 0200 to 127.0.0.1:8583: Broken pipe: outcome unknown,"
                + " reversing"));
        String unsent = report("m.jsonl", new ProblemReport.Case(a, events, List.of(disconnected(
                LoggedChannel.NOT_SENT + "could not send 0200 to 127.0.0.1:8583: Broken pipe")))).markdown();
        assertTrue(unsent.contains("(STAN 000002) could not be sent at 10:41:07: the link to the host had broken (could"
                + " not send 0200 to 127.0.0.1:8583: Broken pipe)"), unsent);
        assertFalse(unsent.contains("closed the connection") || unsent.contains(" sent 10:41:07"), unsent);

        String left = report("m.jsonl", new ProblemReport.Case(a, events, List.of(disconnected(
                "connection to the host closed")))).markdown();
        assertTrue(left.contains("(STAN 000002) sent 10:41:07, the host closed the connection without answering"), left);
    }
}
