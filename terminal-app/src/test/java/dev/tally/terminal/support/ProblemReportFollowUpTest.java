package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptKind;
import dev.tally.terminal.journal.AttemptState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's follow-up for each row of the table in docs/support.md §4. */
class ProblemReportFollowUpTest {

    static final Instant T = Instant.parse("2026-11-22T10:41:07Z");

    static Attempt attempt(long id, AttemptState state, String rc, String rrn) {
        return new Attempt(id, "TALLY001", "HOSPITAL0000001", "INV-7", AttemptKind.SALE, 1069, "840", (int) id + 1,
                "1122104107", "1122", "104107", state, rc, rrn, null, "476173******0119", "98", 50, 3, null, T, T, T, 1);
    }

    static AttemptEvent event(long id, String detail) {
        return new AttemptEvent(id, T, AttemptState.REVERSAL_PENDING, AttemptState.REVERSAL_PENDING, detail);
    }

    static ProblemReport.Case uncertain(AttemptState state, String... details) {
        List<AttemptEvent> events = new ArrayList<>();
        events.add(new AttemptEvent(1, T, AttemptState.SENT, AttemptState.REVERSAL_PENDING,
                "no answer to 0200 STAN 000002 within 1000 ms"));
        for (String d : details) {
            events.add(event(1, d));
        }
        return new ProblemReport.Case(attempt(1, state, null, null), events, List.of());
    }

    static final String FOUND_APPROVED = "status inquiry answered 00: STATE=APPROVED;RC=00;AMOUNT=000000001069;CREDIT=PENDING";
    static final String FOUND_NOTHING = "status inquiry answered 25: STATE=NOT_FOUND;RC=--;AMOUNT=000000000000;CREDIT=NONE";
    static final String CANNOT_BUILD = "reversal not sent: attempt 1 has no stored card number (purged at settlement?)";

    /** (a) a reversal the terminal cannot build is never closed by pending --resolve: ask the acquirer. */
    @Test
    void aReversalThatCannotBeBuiltIsForTheAcquirer() {
        String f = ProblemReport.followUp(uncertain(AttemptState.REVERSAL_PENDING, CANNOT_BUILD));
        assertTrue(f.contains("could not send this reversal (attempt 1 has no stored card number"), f);
        assertTrue(f.contains("ask the acquirer") && f.contains("STAN 000002") && f.contains("field 7 1122104107"), f);
        assertFalse(f.startsWith("Keep the terminal online"), f);

        String sentSince = ProblemReport.followUp(uncertain(AttemptState.REVERSAL_PENDING, CANNOT_BUILD,
                "0400 sent with reversal STAN 000050 (reason 98)"));
        assertTrue(sentSince.startsWith("Keep the terminal online"), "a reversal left after the note: " + sentSince);
        String hostDown = ProblemReport.followUp(uncertain(AttemptState.REVERSAL_PENDING,
                "reversal not sent now: cannot reach the host at 127.0.0.1:1"));
        assertTrue(hostDown.startsWith("Keep the terminal online"), "the host was only unreachable: " + hostDown);
    }

    /** (b) a pending reversal whose sale the host holds approved: escalate, as for REVERSAL_FAILED. */
    @Test
    void aPendingReversalOfASaleTheHostHoldsIsEscalated() {
        String f = ProblemReport.followUp(uncertain(AttemptState.REVERSAL_PENDING, FOUND_APPROVED));
        assertTrue(f.startsWith("Escalate to the acquirer") && f.contains("stands at the host")
                && f.contains("have it reversed or refunded") && f.contains("Do not take the payment again"), f);
        String failed = ProblemReport.followUp(uncertain(AttemptState.REVERSAL_FAILED, FOUND_APPROVED));
        assertTrue(failed.startsWith("Escalate to the acquirer") && failed.contains("stands at the host")
                && failed.contains("tally pending --resolve"), failed);
    }

    /** (c) a failed reversal of a sale the host does not hold: pending --resolve closes it (a 25 answer). */
    @Test
    void aFailedReversalOfASaleTheHostDoesNotHoldIsResolvedByPending() {
        for (AttemptState s : List.of(AttemptState.REVERSAL_FAILED, AttemptState.REVERSAL_PENDING)) {
            String f = ProblemReport.followUp(uncertain(s, FOUND_NOTHING));
            assertTrue(f.contains("found nothing standing") && f.contains("'tally pending --resolve'") && f.contains("25"),
                    s + ": " + f);
            assertFalse(f.contains("Escalate"), s + ": " + f);
        }
        String unknown = ProblemReport.followUp(uncertain(AttemptState.REVERSAL_FAILED));
        assertTrue(unknown.startsWith("Escalate to the acquirer: ask whether sale STAN 000002"), unknown);
    }

    /** An order reversed (or declined) once and paid by a later attempt: the earlier one does not invite paying again. */
    @Test
    void anEarlierAttemptOfAnOrderALaterOnePaidDoesNotSayTheOrderMayBePaidAgain() {
        Attempt reversed = attempt(1, AttemptState.REVERSED, null, null);
        Attempt declined = attempt(2, AttemptState.DECLINED, "51", null);
        Attempt approved = attempt(3, AttemptState.APPROVED, "00", "632610000003");
        List<Attempt> order = List.of(reversed, declined, approved);
        for (Attempt earlier : List.of(reversed, declined)) {
            String f = ProblemReport.followUp(ProblemReport.Case.of(earlier, List.of(), List.of(), order));
            assertFalse(f.contains("may be paid again") || f.contains("may pay again"), f);
            assertTrue(f.contains("left nothing standing") && f.contains("paid by the later attempt STAN 000004")
                    && f.contains("RRN 632610000003") && f.contains("Do not charge the customer again"), f);
        }
        String alone = ProblemReport.followUp(ProblemReport.Case.of(reversed, List.of(), List.of(), List.of(reversed)));
        assertTrue(alone.startsWith("Nothing stands: the order may be paid again"), alone);
        String last = ProblemReport.followUp(ProblemReport.Case.of(approved, List.of(), List.of(), order));
        assertTrue(last.startsWith("Nothing to undo: the payment stands"), last);
    }
}
