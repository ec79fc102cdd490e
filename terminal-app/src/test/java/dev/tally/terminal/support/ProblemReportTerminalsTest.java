package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptKind;
import dev.tally.terminal.journal.AttemptState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One order on two terminal ids of one journal (declined on TALLY002, then paid on TALLY001): a STAN is one terminal's
 * count, so the report names each STAN with its terminal and answers the order once. Before, it gave two Answer lines
 * naming no terminal, one of them "charged once: STAN 000081 approved ...; the earlier attempt STAN 000002 was
 * declined" with the STANs of two terminals (TALLY001's own STAN 000002 is another sale), and Place named TALLY002 only.
 */
class ProblemReportTerminalsTest {

    static Attempt attempt(long id, String terminal, int stan, AttemptState state, String rc, String rrn, long amount) {
        return new Attempt(id, terminal, "HOSPITAL0000001", "A-DECL2", AttemptKind.SALE, amount, "840", stan,
                "1122104107", "1122", "104107", state, rc, rrn, null, "476173******0119", "98", null, 1, null,
                ProblemReportAnswerTest.T, ProblemReportAnswerTest.T, ProblemReportAnswerTest.T, 0);
    }

    static final Attempt DECLINED = attempt(1, "TALLY002", 2, AttemptState.DECLINED, "05", null, 1005);
    static final Attempt APPROVED = attempt(2, "TALLY001", 81, AttemptState.APPROVED, "00", "632610000081", 1000);
    static final List<Attempt> ORDER = List.of(DECLINED, APPROVED);

    @Test
    void anOrderOnTwoTerminalIdsIsAnsweredOnceWithEachStanOnItsTerminal() {
        ProblemReport r = ProblemReportAnswerTest.report(List.of(ProblemReport.Case.of(DECLINED, List.of(), List.of(), ORDER),
                ProblemReport.Case.of(APPROVED, List.of(), List.of(), ORDER)));
        String md = r.markdown();
        String answers = md.substring(md.indexOf("## Answer"), md.indexOf("## Time"));
        String answer = "charged once: STAN 000081 on TALLY001 approved (RRN 632610000081), not settled yet; the earlier"
                + " attempt STAN 000002 on TALLY002 was declined (05) — no second charge";
        assertEquals("## Answer\n\n- order A-DECL2: " + answer + ".\n\n", answers);
        assertTrue(md.contains("- terminals TALLY002, TALLY001\n"), md);
        String followUp = md.substring(md.indexOf("## Follow-up"));
        assertTrue(followUp.contains("- order A-DECL2, STAN 000002 on TALLY002 (DECLINED): This attempt left nothing"
                + " standing (declined 05); the order is paid by the later attempt STAN 000081 on TALLY001 (APPROVED"), followUp);
        assertTrue(followUp.contains("(quote STAN 000002 on TALLY002)"), followUp);
        assertTrue(followUp.contains("- order A-DECL2, STAN 000081 on TALLY001 (APPROVED): "), followUp);
        String impact = md.substring(md.indexOf("## Impact"), md.indexOf("## Actions"));
        assertTrue(impact.contains("- order A-DECL2, STAN 000002 on TALLY002: 10.05 840")
                && impact.contains("- order A-DECL2, STAN 000081 on TALLY001: 10.00 840"), impact);

        Map<String, Object> json = r.toMap();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) json.get("answers");
        assertEquals(1, list.size(), list.toString());
        assertEquals(answer, list.getFirst().get("answer"));
        assertEquals(List.of("TALLY002", "TALLY001"), list.getFirst().get("terminalIds"));
        @SuppressWarnings("unchecked")
        Map<String, Object> place = (Map<String, Object>) json.get("place");
        assertEquals(List.of("TALLY002", "TALLY001"), place.get("terminalIds"));
    }

    /** A report by --stan of the declined attempt alone names the later attempt on the other terminal with it. */
    @Test
    void aReportOfOneAttemptNamesTheOtherTerminalsAttemptWithItsTerminal() {
        ProblemReport r = ProblemReportAnswerTest.report(List.of(ProblemReport.Case.of(DECLINED, List.of(), List.of(), ORDER)));
        String md = r.markdown();
        assertTrue(md.contains("- order A-DECL2: charged once: STAN 000081 on TALLY001 approved (RRN 632610000081), not"
                + " settled yet; the earlier attempt STAN 000002 on TALLY002 was declined (05) — no second charge (not in"
                + " this report: STAN 000081 on TALLY001 APPROVED, "), md);
        assertTrue(md.contains("- terminals TALLY002, TALLY001\n"), md);
        String f = ProblemReport.followUp(ProblemReport.Case.of(DECLINED, List.of(), List.of(), ORDER));
        assertTrue(f.contains("paid by the later attempt STAN 000081 on TALLY001"), f);
    }

    /** An order on one terminal id keeps its STANs bare. */
    @Test
    void oneTerminalIdKeepsStansBare() {
        Attempt declined = attempt(1, "TALLY001", 2, AttemptState.DECLINED, "05", null, 1005);
        Attempt approved = attempt(2, "TALLY001", 3, AttemptState.APPROVED, "00", "632610000003", 1000);
        String md = ProblemReportAnswerTest.report(List.of(ProblemReport.Case.of(declined, List.of(), List.of(),
                List.of(declined, approved)), ProblemReport.Case.of(approved, List.of(), List.of(),
                List.of(declined, approved)))).markdown();
        assertFalse(md.contains(" on TALLY001"), md);
        assertTrue(md.contains("\n- terminal TALLY001\n"), md);
    }
}
