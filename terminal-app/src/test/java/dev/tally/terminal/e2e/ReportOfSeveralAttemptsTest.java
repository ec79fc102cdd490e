package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of an order paid on its second attempt, after the first was reversed (.69: charged, no answer). */
class ReportOfSeveralAttemptsTest {

    @Test
    void theReversedFirstAttemptDoesNotSayTheOrderMayBePaidAgain(@TempDir Path dir) throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5))) {
            // the lab's 3 s: the .69 goes unanswered (3 s), but its reversal must be acknowledged within the timeout
            assertEquals(4, lab.tally("sale", "--order", "INV-2X", "--amount", "10.69").exit());
            assertEquals(0, lab.tally("sale", "--order", "INV-2X", "--amount", "10.00").exit());
            assertEquals(List.of("REVERSED", "APPROVED"), lab.journalStates().get("INV-2X"));

            Lab.Run r = Lab.raw("--journal", lab.journal.toString(), "--json", "report", "--order", "INV-2X");
            assertEquals(0, r.exit(), r.toString());
            JsonNode payments = r.json().get("payments");
            String first = payments.get(0).get("followUp").asText();
            String second = payments.get(1).get("followUp").asText();
            assertFalse(first.contains("may be paid again"), first);
            assertTrue(first.contains("left nothing standing") && first.contains("paid by the later attempt STAN "
                    + payments.get(1).get("stan").asText()), first);
            assertTrue(second.contains("Do not charge the customer again"), second);

            Lab.Run byStan = Lab.raw("--journal", lab.journal.toString(), "--json", "report", "--stan",
                    payments.get(0).get("stan").asText());
            assertEquals(0, byStan.exit(), byStan.toString());
            String alone = byStan.json().get("payments").get(0).get("followUp").asText();
            assertTrue(alone.contains("paid by the later attempt"), "a report of the first attempt alone knows it too: " + alone);
        }
    }
}
