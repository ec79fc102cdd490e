package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.simulator.ledger.LedgerTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally pending --close}: the operator closes a failed reversal with what the acquirer confirmed (DESIGN.md §4,
 * "the order stays locked until resolved"), the host asked first; the invariant of §6 holds after it.
 */
class OperatorCloseTest {

    @TempDir
    Path dir;

    /** The .99 test amount: the debit applied, no answer, its reversals never answered: REVERSAL_FAILED, debit standing. */
    private static void failedReversalThatStands(Lab lab, String order) {
        lab.timeout = "1";
        Lab.Run sale = lab.tally("--reversal-attempts", "2", "sale", "--order", order, "--amount", "40.99");
        assertEquals(4, sale.exit(), sale.toString());
        Lab.Run resolve = lab.tally("--reversal-attempts", "2", "pending", "--resolve");
        assertEquals(4, resolve.exit(), resolve.toString());
        assertEquals("REVERSAL_FAILED", lab.lastState(order));
        assertEquals(1, lab.standingDebits(order));
        lab.timeout = "3";
    }

    @Test
    void aChargeTheHostHoldsIsRefusedAsNotChargedAndClosedAsChargedThenSettled() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            failedReversalThatStands(lab, "INV-C1");
            String before = lab.journalDump();

            Lab.Run wrong = lab.tally("--reversal-attempts", "2", "pending", "--close", "INV-C1", "--outcome",
                    "not-charged", "--reference", "Acme case 1");
            assertEquals(3, wrong.exit(), wrong.toString());
            assertEquals("REFUSED", wrong.status());
            assertTrue(wrong.json().get("message").asText().contains("the acquirer's host says the sale stands"),
                    wrong.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-C1"), "a refused close changes no state");
            assertEquals(before.lines().filter(l -> !l.contains("status inquiry")).toList().size(),
                    lab.journalDump().lines().filter(l -> !l.contains("status inquiry")).toList().size(),
                    "only the status inquiry's note and STAN were written");

            LedgerTransaction t = lab.ledger("INV-C1").getFirst();
            Lab.Run closed = lab.tally("--reversal-attempts", "2", "pending", "--close", "INV-C1", "--outcome", "charged",
                    "--reference", "Acme case 2, J. Doe", "--rrn", t.rrn(), "--auth-code", t.authCode());
            assertEquals(0, closed.exit(), closed.toString());
            assertEquals("CLOSED", closed.status());
            assertEquals("APPROVED", closed.json().get("attempt").get("state").asText(), closed.toString());
            assertEquals(t.rrn(), closed.json().get("attempt").get("rrn").asText());
            assertEquals("APPROVED", lab.lastState("INV-C1"));
            int reversals = lab.ledger("INV-C1").getFirst().reversalCount();

            Lab.Run again = lab.tally("sale", "--order", "INV-C1", "--amount", "40.00");
            assertEquals(3, again.exit(), again.toString());
            assertEquals("ALREADY_PAID", again.status());
            assertTrue(again.json().get("message").asText().contains("RRN " + t.rrn()), again.toString());

            Lab.Run pending = lab.tally("pending");
            assertEquals(0, pending.exit(), "nothing left pending: " + pending);
            Lab.Run settle = lab.tally("settle");
            assertEquals(0, settle.exit(), settle.toString());
            assertEquals("SETTLED", lab.lastState("INV-C1"));
            assertEquals(reversals, lab.ledger("INV-C1").getFirst().reversalCount(), "no reversal sent after the close");
            assertEquals(1, lab.standingDebits("INV-C1"));
            lab.assertInvariant();

            Lab.Run report = lab.tally("report", "--order", "INV-C1");
            assertTrue(report.out().contains("closed by the operator") && report.out().contains("Acme case 2, J. Doe"),
                    "the audit trail shows who closed it and why: " + report);
            assertTrue(report.out().contains("charged once: STAN " + closed.json().get("attempt").get("stan").asText()
                    + " charged, as the acquirer confirmed (closed by the operator; RRN " + t.rrn() + "), settled in batch"),
                    "the answer says how it came to be charged: " + report);
            assertTrue(report.out().contains("reversal sent 2 times, never acknowledged; closed by the operator"),
                    "the description does not call the close an acknowledgement: " + report);
        }
    }

    @Test
    void aSaleThatNeverStoodIsClosedAsNotChargedAndTheOrderMayBePaidAgain() throws Exception {
        Path scenario = dir.resolve("scenario.json");
        Files.writeString(scenario, """
                {"testAmounts": true, "rules": [
                  {"name": "sale lost", "match": {"mti": "0200", "amount": 1234}, "action": {"dropRequest": true}},
                  {"name": "reversals refused", "match": {"mti": ["0400", "0401"]}, "action": {"respond": "96"}}
                ]}""");
        try (Lab lab = new Lab(dir, SimulatorConfig.defaults(dir.resolve("ledger.db")).withScenarioFile(scenario))) {
            lab.timeout = "1";
            assertEquals(4, lab.tally("--reversal-attempts", "2", "sale", "--order", "INV-N1", "--amount", "12.34").exit());
            assertEquals(4, lab.tally("--reversal-attempts", "2", "pending", "--resolve").exit());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-N1"));
            lab.timeout = "3";

            Lab.Run wrong = lab.tally("--reversal-attempts", "2", "pending", "--close", "INV-N1", "--outcome", "charged",
                    "--reference", "Acme case 3", "--rrn", "000000000001");
            assertEquals(3, wrong.exit(), wrong.toString());
            assertTrue(wrong.json().get("message").asText().contains("says nothing of the sale stands"), wrong.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-N1"));

            // a card number pasted into the reference is never kept in clear
            Lab.Run closed = lab.tally("--reversal-attempts", "2", "pending", "--close", "INV-N1", "--outcome",
                    "not-charged", "--reference", "Acme case 4 card " + Lab.PAN);
            assertEquals(0, closed.exit(), closed.toString());
            assertEquals("REVERSED", lab.lastState("INV-N1"));
            assertFalse(lab.journalDump().contains(Lab.PAN), "the reference's card number is masked in the journal");
            assertTrue(lab.journalDump().contains("Acme case 4 card 476173******0119"), lab.journalDump());

            Lab.Run status = lab.tally("status", "--order", "INV-N1");
            assertTrue(status.json().get("message").asText().startsWith("Not charged: the reversal was never acknowledged;"
                    + " closed by the operator: the acquirer confirmed nothing stands (not charged); reference: Acme case 4")
                    && status.json().get("message").asText().endsWith("The order may be paid again."),
                    "the cashier is told how it ended, not that a reversal went through: " + status);

            Lab.Run report = lab.tally("report", "--order", "INV-N1");
            assertTrue(report.out().contains("was not charged, as the acquirer confirmed (closed by the operator)")
                    && report.out().contains("never acknowledged; closed by the operator")
                    && !report.out().contains("acknowledged by the host") && !report.out().contains("times, acknowledged"),
                    "an operator's close is not reported as an acknowledged reversal: " + report);

            Lab.Run paid = lab.tally("sale", "--order", "INV-N1", "--amount", "12.00");
            assertEquals(0, paid.exit(), "the order may be paid again: " + paid);
            lab.assertInvariant();
        }
    }

    @Test
    void closingOnTheAcquirersWordWhenTheHostCannotTellSaysSo() throws Exception {
        Path scenario = dir.resolve("scenario.json");
        Files.writeString(scenario, """
                {"testAmounts": true, "rules": [
                  {"name": "sale lost", "match": {"mti": "0200", "amount": 1234}, "action": {"dropRequest": true}},
                  {"name": "reversals refused", "match": {"mti": ["0400", "0401"]}, "action": {"respond": "96"}},
                  {"name": "status unanswered", "match": {"mti": "0100", "processingCode": "380000"},
                   "action": {"dropRequest": true}}
                ]}""");
        try (Lab lab = new Lab(dir, SimulatorConfig.defaults(dir.resolve("ledger.db")).withScenarioFile(scenario))) {
            lab.timeout = "1";
            assertEquals(4, lab.tally("--reversal-attempts", "2", "sale", "--order", "INV-W1", "--amount", "12.34").exit());
            assertEquals(4, lab.tally("--reversal-attempts", "2", "pending", "--resolve").exit());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-W1"));

            Lab.Run closed = lab.tally("--reversal-attempts", "2", "pending", "--close", "INV-W1", "--outcome",
                    "not-charged", "--reference", "Acme case 5");
            assertEquals(0, closed.exit(), closed.toString());
            assertTrue(closed.json().get("message").asText().contains("the host could not tell"), closed.toString());
            assertEquals("REVERSED", lab.lastState("INV-W1"));
            assertTrue(lab.journalDump().contains("closed on the acquirer's word"), lab.journalDump());
            lab.assertInvariant();
        }
    }

    @Test
    void badInputAndOrdersWithoutAFailedReversalChangeNothing() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            assertEquals(0, lab.tally("sale", "--order", "INV-OK", "--amount", "5.00").exit());
            failedReversalThatStands(lab, "INV-F");
            String before = lab.journalDump();
            String rrn = lab.ledger("INV-F").getFirst().rrn();
            for (List<String> args : List.of(
                    List.of("pending", "--close", "INV-F", "--reference", "case"),
                    List.of("pending", "--close", "INV-F", "--outcome", "maybe", "--reference", "case"),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged"),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged", "--reference", "  "),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged", "--reference", "case"),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged", "--reference", "case", "--rrn", "12"),
                    List.of("pending", "--close", "INV-F", "--outcome", "not-charged", "--reference", "case", "--rrn", rrn),
                    List.of("pending", "--close", "INV-F", "--resolve", "--outcome", "not-charged", "--reference", "c"),
                    List.of("pending", "--outcome", "not-charged"),
                    List.of("pending", "--close", "INV-NOPE", "--outcome", "not-charged", "--reference", "case"))) {
                Lab.Run r = lab.tally(args.toArray(String[]::new));
                assertEquals(64, r.exit(), args + ": " + r);
                assertTrue(r.err().matches("(?s)tally: .*(nothing|required|must|needs|go only).*"), "says what to do: " + r);
            }
            Lab.Run approved = lab.tally("pending", "--close", "INV-OK", "--outcome", "not-charged", "--reference", "c");
            assertEquals(3, approved.exit(), approved.toString());
            assertTrue(approved.json().get("message").asText().contains("has no failed reversal to close: its attempt"
                    + " (STAN "), approved.toString());
            assertEquals(before, lab.journalDump(), "nothing was written");
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-F"));
        }
    }

    /** In serve (which holds the journal), the same close through the cashier API: POST /v1/payments/{orderId}/close. */
    @Test
    void serveClosesAFailedReversalThroughTheApi() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3));
             ServeProcess api = new ServeProcess(lab, dir.resolve("token"), "--timeout", "2", "--reversal-attempts", "1")) {
            ServeProcess.Reply paid = api.post("/v1/payments", "{\"orderId\": \"F-1\", \"amount\": \"30.99\"}");
            assertEquals("REVERSAL_FAILED", paid.json().get("status").asText(), paid.body());
            assertTrue(paid.json().get("message").asText().contains("POST /v1/payments/F-1/close"), paid.body());

            ServeProcess.Reply bad = api.post("/v1/payments/F-1/close", "{\"outcome\": \"charged\", \"reference\": \"c\"}");
            assertEquals(400, bad.status(), bad.body());
            assertTrue(bad.body().contains("RRN"), bad.body());
            ServeProcess.Reply unknown = api.post("/v1/payments/F-1/close", "{\"outcome\": \"gone\", \"reference\": \"c\"}");
            assertEquals(400, unknown.status(), unknown.body());
            ServeProcess.Reply wrong = api.post("/v1/payments/F-1/close",
                    "{\"outcome\": \"not-charged\", \"reference\": \"Acme case 7\"}");
            assertEquals(409, wrong.status(), wrong.body());
            assertEquals("REFUSED", wrong.json().get("status").asText(), wrong.body());
            assertEquals("REVERSAL_FAILED", wrong.json().get("payment").get("status").asText(), wrong.body());
            assertEquals("APPROVED", wrong.json().get("host").get("state").asText(), wrong.body());

            String rrn = lab.ledger("F-1").getFirst().rrn();
            ServeProcess.Reply closed = api.post("/v1/payments/F-1/close",
                    "{\"outcome\": \"charged\", \"reference\": \"Acme case 8\", \"rrn\": \"" + rrn + "\"}");
            assertEquals(200, closed.status(), closed.body());
            assertEquals("CLOSED", closed.json().get("status").asText(), closed.body());
            assertEquals("APPROVED", closed.json().get("payment").get("status").asText(), closed.body());

            ServeProcess.Reply again = api.post("/v1/payments", "{\"orderId\": \"F-1\", \"amount\": \"31.00\"}");
            assertEquals(409, again.status(), again.body());
            assertEquals("ALREADY_PAID", again.json().get("status").asText(), again.body());
            assertEquals(0, api.get("/v1/pending").json().get("count").asInt());
            ServeProcess.Reply settled = api.post("/v1/settlement", "");
            assertEquals(200, settled.status(), settled.body());
            assertEquals(1, settled.json().get("terminalTotals").get("debitCount").asInt(), settled.body());
            assertEquals(1, lab.standingDebits("F-1"));
            assertEquals(143, api.terminate(), "SIGTERM ends it");
            assertEquals("SETTLED", lab.lastState("F-1"));
            lab.assertInvariant();
        }
    }
}
