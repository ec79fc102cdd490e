package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.AttemptState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sale the journal holds APPROVED (or SETTLED) whose latest status inquiry ('tally status', on its audit trail) found
 * the host holding something else — REVERSED (a reversal from elsewhere), NOT_FOUND, DECLINED — is not "charged once":
 * the journal and the host disagree, and the acquirer decides. Before, the report said "charged once", Impact "the
 * customer was charged" and the follow-up "Nothing to do: the payment stands and the merchant is credited (NONE)",
 * while its own System response said "host says REVERSED".
 */
class ProblemReportHostDisagreesTest {

    static final Instant T = ProblemReportFollowUpTest.T;
    static final Instant ASKED = Instant.parse("2026-11-22T10:52:03Z");
    static final String REVERSED_AT_HOST =
            "status inquiry answered 00: STATE=REVERSED;RC=00;AMOUNT=000000001069;CREDIT=NONE";
    static final String NOT_FOUND_AT_HOST =
            "status inquiry answered 25: STATE=NOT_FOUND;RC=--;AMOUNT=000000000000;CREDIT=NONE";
    static final String APPROVED_AT_HOST =
            "status inquiry answered 00: STATE=APPROVED;RC=00;AMOUNT=000000001069;CREDIT=CREDITED;CREDIT_DATE=20261122";

    static ProblemReport.Case approved(AttemptState state, Instant at, String... inquiries) {
        Attempt a = ProblemReportAnswerTest.attempt(1, 2, state, "00", "632610000003", 4);
        List<AttemptEvent> events = new java.util.ArrayList<>();
        events.add(new AttemptEvent(1, T, AttemptState.SENT, AttemptState.APPROVED, "0210 answered 00"));
        for (String d : inquiries) {
            events.add(new AttemptEvent(1, at, state, state, d));
        }
        return ProblemReport.Case.of(a, events, List.of(), List.of(a));
    }

    @Test
    void anApprovedSaleTheHostHoldsReversedIsNotCalledCharged() {
        ProblemReport.Case c = approved(AttemptState.APPROVED, ASKED, APPROVED_AT_HOST, REVERSED_AT_HOST);
        ProblemReport r = ProblemReportAnswerTest.report(List.of(c));
        String md = r.markdown();

        assertTrue(md.contains("- order INV-3: not known whether the customer was charged: the terminal recorded STAN"
                + " 000002 approved (RRN 632610000003), but the host's answer to a status inquiry at 10:52:03 says"
                + " REVERSED — the journal and the host disagree: reconcile with the acquirer.\n"), md);
        assertFalse(md.contains("charged once"), md);
        String impact = md.substring(md.indexOf("## Impact"), md.indexOf("## Actions"));
        assertFalse(impact.contains("— the customer was charged"), impact);
        assertTrue(impact.contains("not known whether the customer was charged 10.69 840: the terminal recorded the sale"
                + " approved (RRN 632610000003), but a status inquiry found it REVERSED at the host"), impact);
        String followUp = md.substring(md.indexOf("## Follow-up"));
        assertFalse(followUp.contains("Nothing to do") || followUp.contains("the merchant is credited"), followUp);
        assertTrue(followUp.contains("The journal and the host disagree") && followUp.contains("Escalate to the acquirer"
                + " and reconcile: quote STAN 000002, field 7 1122104107 and RRN 632610000003"), followUp);

        assertEquals("unknown", ProblemReport.charged(c));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> payments = (List<Map<String, Object>>) r.toMap().get("payments");
        @SuppressWarnings("unchecked")
        Map<String, Object> impactJson = (Map<String, Object>) payments.getFirst().get("impact");
        assertEquals("unknown", impactJson.get("charged"));
    }

    /**
     * An earlier attempt (declined, or reversed) of an order whose later attempt the journal holds approved but the host
     * does not (REVERSED, NOT FOUND, DECLINED): the earlier attempt's follow-up does not say the order is paid, it points
     * at the later attempt in dispute. Before, it said "the order is paid by the later attempt STAN 000003 (APPROVED,
     * ...). Do not charge the customer again (a new sale of the order is refused ALREADY_PAID)." while the later
     * attempt's own follow-up said the journal and the host disagree. When the host agrees, it still says "paid".
     */
    @Test
    void anEarlierAttemptDoesNotSayTheOrderIsPaidByALaterOneTheHostDisagreesAbout() {
        for (String found : List.of(REVERSED_AT_HOST, NOT_FOUND_AT_HOST,
                "status inquiry answered 00: STATE=DECLINED;RC=05;AMOUNT=000000001069;CREDIT=NONE")) {
            for (Attempt earlier : List.of(ProblemReportAnswerTest.attempt(1, 2, AttemptState.DECLINED, "51", null, 4),
                    ProblemReportAnswerTest.attempt(1, 2, AttemptState.REVERSED, "25", null, 4))) {
                Attempt later = ProblemReportAnswerTest.attempt(2, 3, AttemptState.APPROVED, "00", "632610000003", 4);
                List<Attempt> order = List.of(earlier, later);
                ProblemReport.Case first = ProblemReport.Case.of(earlier, List.of(), List.of(), order);
                ProblemReport.Case second = ProblemReport.Case.of(later, List.of(
                        new AttemptEvent(2, T, AttemptState.SENT, AttemptState.APPROVED, "0210 answered 00"),
                        new AttemptEvent(2, ASKED, AttemptState.APPROVED, AttemptState.APPROVED, found)), List.of(), order);
                ProblemReport r = ProblemReportAnswerTest.report(List.of(first, second));
                String md = r.markdown();
                String followUp = md.substring(md.indexOf("## Follow-up"));
                String ofFirst = followUp.lines().filter(l -> l.startsWith("- order INV-3, STAN 000002 ")).findFirst()
                        .orElseThrow();
                String atHost = found.contains("REVERSED") ? "REVERSED" : found.contains("NOT_FOUND") ? "NOT FOUND"
                        : "DECLINED";
                assertFalse(ofFirst.contains("paid by") || ofFirst.contains("ALREADY_PAID"), ofFirst);
                assertTrue(ofFirst.contains("This attempt left nothing standing (" + (earlier.state()
                        == AttemptState.DECLINED ? "declined 51" : "reversed, acknowledged by the host") + "); the later"
                        + " attempt STAN 000003 (APPROVED in the journal, RRN 632610000003, 10.69 840) is in dispute: the"
                        + " host's answer to its latest status inquiry says " + atHost + ", so it is not known whether the"
                        + " order is paid (see the follow-up of STAN 000003)."), ofFirst);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> payments = (List<Map<String, Object>>) r.toMap().get("payments");
                assertTrue(((String) payments.getFirst().get("followUp")).contains("is in dispute"), payments.toString());
                String ofSecond = followUp.lines().filter(l -> l.startsWith("- order INV-3, STAN 000003 ")).findFirst()
                        .orElseThrow();
                assertTrue(ofSecond.contains("The journal and the host disagree"), ofSecond);
            }
        }
        // the host agrees: the earlier attempt says the order is paid
        Attempt earlier = ProblemReportAnswerTest.attempt(1, 2, AttemptState.DECLINED, "51", null, 4);
        Attempt later = ProblemReportAnswerTest.attempt(2, 3, AttemptState.APPROVED, "00", "632610000003", 4);
        List<Attempt> order = List.of(earlier, later);
        String md = ProblemReportAnswerTest.report(List.of(ProblemReport.Case.of(earlier, List.of(), List.of(), order),
                ProblemReport.Case.of(later, List.of(new AttemptEvent(2, ASKED, AttemptState.APPROVED,
                        AttemptState.APPROVED, APPROVED_AT_HOST)), List.of(), order))).markdown();
        assertTrue(md.contains("the order is paid by the later attempt STAN 000003 (APPROVED, RRN 632610000003"), md);
    }

    /** NOT_FOUND (the host does not know the sale) and a settled attempt; an inquiry on another day says its date. */
    @Test
    void aSettledSaleTheHostDoesNotKnowIsForTheAcquirer() {
        ProblemReport.Case c = approved(AttemptState.SETTLED, Instant.parse("2026-11-24T09:00:00Z"), NOT_FOUND_AT_HOST);
        String md = ProblemReportAnswerTest.report(List.of(c)).markdown();
        assertTrue(md.contains("- order INV-3: not known whether the customer was charged: the terminal recorded STAN"
                + " 000002 approved (RRN 632610000003) and settled in batch 000004, but the host's answer to a status"
                + " inquiry on 2026-11-24 09:00:00 says NOT FOUND — the journal and the host disagree: reconcile with the"
                + " acquirer.\n"), md);
        assertEquals("unknown", ProblemReport.charged(c));
        assertTrue(ProblemReport.followUp(c).startsWith("The journal and the host disagree"), ProblemReport.followUp(c));
    }

    /** The latest inquiry decides: one that found the sale approved again, after one that did not, agrees. */
    @Test
    void aLaterInquiryThatFindsTheSaleApprovedAgrees() {
        ProblemReport.Case c = approved(AttemptState.APPROVED, ASKED, REVERSED_AT_HOST, APPROVED_AT_HOST);
        assertEquals("yes", ProblemReport.charged(c));
        String f = ProblemReport.followUp(c);
        assertTrue(f.startsWith("Nothing to do: the payment stands and the merchant is credited (2026-11-22)."), f);
    }

    /** NONE is no credit: the follow-up of a sale the host holds approved with credit NONE does not say "credited". */
    @Test
    void creditNoneIsNotACredit() {
        ProblemReport.Case c = approved(AttemptState.APPROVED, ASKED,
                "status inquiry answered 00: STATE=APPROVED;RC=00;AMOUNT=000000001069;CREDIT=NONE");
        assertEquals("yes", ProblemReport.charged(c));
        String f = ProblemReport.followUp(c);
        assertFalse(f.contains("the merchant is credited") || f.startsWith("Nothing to do"), f);
        assertTrue(f.contains("reports no merchant credit for it (NONE)") && f.contains("not-credited case"), f);
    }
}
