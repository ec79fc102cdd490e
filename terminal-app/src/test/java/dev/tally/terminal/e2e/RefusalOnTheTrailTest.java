package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "The screen said transaction locked" / "charged twice?": the refusal the cashier saw is on the journal's audit trail
 * of the attempt that holds the order, and {@code tally report} shows it, for {@code tally sale} and for a POST to
 * {@code tally serve}; nothing is sent and no attempt is made for it.
 */
class RefusalOnTheTrailTest {

    @TempDir
    Path dir;

    @Test
    void refusedSalesOfTheCliAreInTheReport() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            assertEquals(0, lab.tally("sale", "--order", "R-PAID", "--amount", "12.00").exit());
            Lab.Run paid = lab.tally("sale", "--order", "R-PAID", "--amount", "13.00");
            assertEquals(3, paid.exit(), paid.toString());
            assertEquals("ALREADY_PAID", paid.status());

            lab.timeout = "1"; // .98: the sale and its first two reversals go unanswered: the order stays locked
            assertEquals("REVERSAL_PENDING", lab.tally("sale", "--order", "R-LOCK", "--amount", "30.98").status());
            Lab.Run locked = lab.tally("sale", "--order", "R-LOCK", "--amount", "30.00");
            assertEquals(3, locked.exit(), locked.toString());
            assertEquals("LOCKED", locked.status());

            String paidReport = report(lab, "R-PAID");
            assertTrue(paidReport.contains("APPROVED -> APPROVED  request refused: sale of 13.00 840 (card 476173******0119),"
                    + " nothing sent; the cashier was told: " + paid.json().get("message").asText()), paidReport);
            String lockedReport = report(lab, "R-LOCK");
            assertTrue(lockedReport.contains("REVERSAL_PENDING -> REVERSAL_PENDING  request refused: sale of 30.00 840"
                    + " (card 476173******0119), nothing sent; the cashier was told: "
                    + locked.json().get("message").asText()), lockedReport);
            for (String md : List.of(paidReport, lockedReport)) {
                assertFalse(md.contains(Lab.PAN), md);
                // a refusal is the terminal's, not the host's: never listed as a host answer, though the LOCKED
                // message says "unanswered attempt" (without a message log the answers come from the audit trail)
                String hostSaid = md.substring(md.indexOf("## System response"));
                hostSaid = hostSaid.substring(0, hostSaid.indexOf("\n## ", 5) < 0 ? hostSaid.length() : hostSaid.indexOf("\n## ", 5));
                assertFalse(hostSaid.contains("request refused"), hostSaid);
            }
            assertEquals(List.of("APPROVED"), lab.journalStates().get("R-PAID"), "no attempt for the refusal");
            assertEquals(1, lab.ledger("R-PAID").size(), "nothing sent for the refusal");
            assertEquals(1, lab.ledger("R-LOCK").size(), "nothing sent for the refusal");
        }
    }

    @Test
    void aPostOfAPaidOrderToServeIsInTheReport() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            String refusal;
            try (ServeProcess api = new ServeProcess(lab, dir.resolve("token"), "--timeout", "3")) {
                ServeProcess.Reply ok = api.post("/v1/payments", "{\"orderId\":\"S-PAID\",\"amount\":\"12.00\"}");
                assertEquals(200, ok.status(), ok.body());
                ServeProcess.Reply again = api.post("/v1/payments", "{\"orderId\":\"S-PAID\",\"amount\":\"14.00\"}");
                assertEquals(409, again.status(), again.body());
                assertEquals("ALREADY_PAID", again.json().get("status").asText(), again.body());
                refusal = again.json().get("message").asText();
                // written while serve runs: the report reads what the journal holds now
                String md = report(lab, "S-PAID");
                assertTrue(md.contains("APPROVED -> APPROVED  request refused: sale of 14.00 840 (card 476173******0119),"
                        + " nothing sent; the cashier was told: " + refusal), md);
                assertTrue(refusal.startsWith("ALREADY_PAID: order S-PAID was paid"), refusal);
            }
            assertEquals(List.of("APPROVED"), lab.journalStates().get("S-PAID"));
            assertEquals(1, lab.ledger("S-PAID").size(), "nothing sent for the refusal");
        }
    }

    private static String report(Lab lab, String order) {
        Lab.Run r = Lab.raw("--journal", lab.journal.toString(), "report", "--order", order);
        assertEquals(0, r.exit(), r.toString());
        return r.out();
    }
}
