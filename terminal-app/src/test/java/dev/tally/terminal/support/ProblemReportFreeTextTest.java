package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.spec.format.Masking;
import dev.tally.spec.format.MessageLog;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Free text the report copies from its files, a message-log line's note and the audit trail's lines, shows no key,
 * PIN block or track 2 (DESIGN.md §3), in Markdown and in JSON. A log handed to support may be anyone's; before,
 * such text was copied masking only card numbers.
 */
class ProblemReportFreeTextTest {

    static final Instant T = ProblemReportFollowUpTest.T;
    static final String KEY = "0123456789ABCDEFFEDCBA9876543210";
    static final String PIN_BLOCK = "041234FEDCBA9876";
    static final String PIN_BLOCK_SPACED = "04 12 34 FE DC BA 98 76";
    static final String TRACK2_BCD = "4761739001010119D30121010000000F";

    static final String SECRETS = "field 61 " + KEY + ", field 52 " + PIN_BLOCK + " (" + PIN_BLOCK_SPACED
            + "), field 35 " + TRACK2_BCD + ", --tmk=" + KEY.toLowerCase();

    @Test
    void aNoteOrAnAuditLineQuotingSecretsShowsNoneOfThem() throws Exception {
        MessageLog.Entry garbage = new MessageLog.Entry(T.toEpochMilli(), MessageLog.Direction.IN, "127.0.0.1:8583",
                "TALLY001", "INV-7", null, "000002", "attempt-1", MessageLog.Event.GARBAGE, null, 12L, null,
                "garbled message from the host: " + SECRETS);
        List<AttemptEvent> events = List.of(new AttemptEvent(1, T, AttemptState.SENT, AttemptState.REVERSAL_PENDING,
                "garbled message from the host: " + SECRETS + ": outcome unknown, reversing"));
        ProblemReport.Case c = new ProblemReport.Case(
                ProblemReportFollowUpTest.attempt(1, AttemptState.REVERSAL_PENDING, null, null), events, List.of(garbage));
        ProblemReport.Context ctx = new ProblemReport.Context("HOSPITAL0000001", "TALLY001", null, null, null, "tally test",
                "127.0.0.1:8583", "j.db", "t.jsonl", T, ZoneId.of("UTC"));
        ProblemReport report = new ProblemReport(ctx, "order INV-7", List.of(c));

        for (String out : List.of(report.markdown(), Masking.scrub(new ObjectMapper().writeValueAsString(report.toMap())))) {
            for (String secret : List.of(KEY, KEY.toLowerCase(), PIN_BLOCK, PIN_BLOCK_SPACED, "4761739001010119",
                    "D30121010000000F")) {
                assertFalse(out.contains(secret), secret + " in: " + out);
            }
            assertTrue(out.contains("garbled message from the host: field 61 [redacted], field 52 " + Masking.BYTES_WITHHELD), out);
            assertTrue(out.contains("outcome unknown, reversing"), out);
            assertTrue(out.contains("STAN 000002"), "what support needs stays: " + out);
        }
    }

    /** An order id that is a 32-hex UUID is the case's own: its audit lines and notes show it, not "[bytes withheld]". */
    @Test
    void anOrderIdOfHexDigitsIsShownInItsOwnLines() {
        String uuid = "9f1c2e7a4b3d4c5e8f6a7b8c9d0e1f2a";
        var a = new dev.tally.terminal.journal.Attempt(1, "TALLY001", "HOSPITAL0000001", uuid,
                dev.tally.terminal.journal.AttemptKind.SALE, 1069, "840", 2, "1122104107", "1122", "104107",
                AttemptState.REVERSAL_PENDING, null, null, null, "476173******0119", "98", 50, 3, null, T, T, T, 1);
        List<AttemptEvent> events = List.of(new AttemptEvent(1, T, AttemptState.REVERSAL_PENDING,
                AttemptState.REVERSAL_PENDING, AttemptEvent.REFUSED + "sale of 10.69 840, nothing sent; the cashier was"
                + " told: LOCKED: order " + uuid + " has an unanswered attempt; field 52 " + PIN_BLOCK + ", key " + KEY));
        MessageLog.Entry timeout = new MessageLog.Entry(T.toEpochMilli(), MessageLog.Direction.IN, "127.0.0.1:8583",
                "TALLY001", uuid, null, "000002", "attempt-1", MessageLog.Event.TIMEOUT, null, 3000L, null,
                "no answer to 0200 STAN 000002 order " + uuid + " within 3000 ms");
        ProblemReport.Case c = new ProblemReport.Case(a, events, List.of(timeout));
        ProblemReport.Context ctx = new ProblemReport.Context("HOSPITAL0000001", "TALLY001", null, null, null, "tally test",
                "127.0.0.1:8583", "j.db", "t.jsonl", T, ZoneId.of("UTC"));
        String md = new ProblemReport(ctx, "order " + uuid, List.of(c)).markdown();
        String actions = md.substring(md.indexOf("## Actions"), md.indexOf("## System response"));
        assertTrue(actions.contains("LOCKED: order " + uuid + " has an unanswered attempt; field 52 "
                + Masking.BYTES_WITHHELD + ", key [redacted]"), actions);
        String timeline = md.substring(md.indexOf("## Message timeline"), md.indexOf("## Environment"));
        assertTrue(timeline.contains("(no answer to 0200 STAN 000002 order " + uuid + " within 3000 ms)"), timeline);
        assertFalse(md.contains(PIN_BLOCK) || md.contains(KEY), md);
    }
}
