package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sale approved on this till and then reversed at the host from elsewhere (here a copy of the journal stands in for
 * the outside reversal): the journal still holds it APPROVED, and 'tally status' finds it REVERSED at the host. The
 * report said "charged once", "the customer was charged" and "the merchant is credited (NONE)"; it says that the
 * journal and the host disagree, and to reconcile with the acquirer.
 */
class ReportOfAReversalFromElsewhereTest {

    @Test
    void anApprovedSaleTheHostHoldsReversedIsReportedAsADisagreement(@TempDir Path dir) throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5))) {
            assertEquals(0, lab.tally("sale", "--order", "OUT-1", "--amount", "14.00").exit());
            Path copy = dir.resolve("copy.db");
            Files.copy(lab.journal, copy);
            Files.copy(Path.of(lab.journal + ".key"), Path.of(copy + ".key"));
            Lab.Run reversed = Lab.raw("--host", "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()), "--journal",
                    copy.toString(), "--timeout", "3", "--json", "reverse", "--order", "OUT-1");
            assertEquals(0, reversed.exit(), reversed.toString());
            assertEquals(0, lab.standingDebits("OUT-1"), "reversed at the host");
            Lab.Run status = lab.tally("status", "--order", "OUT-1");
            assertEquals(0, status.exit(), status.toString());
            assertEquals("APPROVED", lab.lastState("OUT-1"), "this journal still holds it approved");

            Lab.Run md = Lab.raw("--journal", lab.journal.toString(), "report", "--order", "OUT-1");
            assertEquals(0, md.exit(), md.toString());
            String out = md.out();
            String answer = out.substring(out.indexOf("## Answer"), out.indexOf("## Time"));
            assertTrue(answer.contains("not known whether the customer was charged: the terminal recorded STAN ")
                    && answer.contains("but the host's answer to a status inquiry at ")
                    && answer.contains(" says REVERSED — the journal and the host disagree: reconcile with the acquirer"),
                    answer);
            assertFalse(out.contains("charged once") || out.contains("— the customer was charged 14.00")
                    || out.contains("the merchant is credited"), out);
            String followUp = out.substring(out.indexOf("## Follow-up"));
            assertTrue(followUp.contains("The journal and the host disagree") && followUp.contains("field 7 ")
                    && followUp.contains("Escalate to the acquirer and reconcile"), followUp);

            Lab.Run json = Lab.raw("--journal", lab.journal.toString(), "--json", "report", "--order", "OUT-1");
            JsonNode p = json.json().get("payments").get(0);
            assertEquals("unknown", p.get("impact").get("charged").asText(), p.toString());
        }
    }
}
