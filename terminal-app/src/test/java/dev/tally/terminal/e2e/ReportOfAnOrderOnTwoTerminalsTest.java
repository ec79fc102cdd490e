package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One order on two terminal ids of one journal: declined on TALLY002 (.05), then paid on TALLY001. The report answered
 * it in two lines naming no terminal, one of them pairing TALLY001's STAN with TALLY002's, and Place named one terminal.
 */
class ReportOfAnOrderOnTwoTerminalsTest {

    @Test
    void eachStanIsNamedWithItsTerminalAndTheOrderIsAnsweredOnce(@TempDir Path dir) throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5))) {
            assertEquals(0, lab.tally("sale", "--order", "OTHER-1", "--amount", "3.00").exit()); // TALLY001's STAN 2
            assertEquals(2, lab.tally("--terminal-id", "TALLY002", "sale", "--order", "A-DECL2", "--amount", "10.05")
                    .exit());
            assertEquals(0, lab.tally("sale", "--order", "A-DECL2", "--amount", "10.00").exit());

            Lab.Run r = Lab.raw("--journal", lab.journal.toString(), "report", "--order", "A-DECL2");
            assertEquals(0, r.exit(), r.toString());
            String md = r.out();
            String answers = md.substring(md.indexOf("## Answer"), md.indexOf("## Time"));
            Matcher m = Pattern.compile("\n- order A-DECL2: charged once: STAN \\d{6} on TALLY001 approved \\(RRN \\d+\\),"
                    + " not settled yet; the earlier attempt STAN \\d{6} on TALLY002 was declined \\(05\\) — no second"
                    + " charge\\.\n").matcher(answers);
            assertTrue(m.find(), answers);
            assertEquals(1, answers.split("\n- order ", -1).length - 1, "one answer for the order: " + answers);
            assertTrue(md.contains("\n- terminals TALLY002, TALLY001\n"), md);
            String followUp = md.substring(md.indexOf("## Follow-up"));
            assertTrue(followUp.contains(" on TALLY002 (DECLINED): ") && followUp.contains(" on TALLY001 (APPROVED): ")
                    && followUp.contains("paid by the later attempt STAN "), followUp);

            JsonNode json = Lab.raw("--journal", lab.journal.toString(), "--json", "report", "--order", "A-DECL2").json();
            assertEquals(1, json.get("answers").size(), json.toString());
            assertEquals("TALLY002", json.get("payments").get(0).get("terminalId").asText());
            assertEquals("TALLY001", json.get("payments").get(1).get("terminalId").asText());
        }
    }
}
