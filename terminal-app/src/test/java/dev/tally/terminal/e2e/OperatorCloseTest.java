package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.simulator.ledger.LedgerTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally pending --close}: the operator closes a failed reversal with what the acquirer confirmed (DESIGN.md §4,
 * "the order stays locked until resolved"), the host asked first; the invariant of §6 holds after it.
 */
class OperatorCloseTest {

    @TempDir
    Path dir;

    private static String[] args(String... more) {
        List<String> all = new ArrayList<>(List.of("--reversal-attempts", "2"));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** A close with a 1 s timeout: a charge may then be closed 2 s after the last reversal try went out. */
    private static Lab.Run close(Lab lab, String... more) {
        String was = lab.timeout;
        lab.timeout = "1";
        try {
            return lab.tally(more);
        } finally {
            lab.timeout = was;
        }
    }

    /**
     * A test amount whose sale is applied and unanswered and whose two reversal tries go unanswered (.99: never
     * answered; .98: the third is): REVERSAL_FAILED, the debit standing, the host's view (APPROVED) on the trail.
     */
    private static void failedReversalThatStands(Lab lab, String order, String amount) {
        lab.timeout = "1";
        Lab.Run sale = lab.tally("--reversal-attempts", "2", "sale", "--order", order, "--amount", amount);
        assertEquals(4, sale.exit(), sale.toString());
        Lab.Run resolve = lab.tally("--reversal-attempts", "2", "pending", "--resolve");
        assertEquals(4, resolve.exit(), resolve.toString());
        assertEquals("REVERSAL_FAILED", lab.lastState(order));
        assertEquals(1, lab.standingDebits(order));
        lab.timeout = "3";
    }

    /** A simulator on which a sale of 12.34 is lost (nothing applied) and every reversal refused 96; then {@code rules}. */
    private SimulatorConfig lostSale(String rules) throws java.io.IOException {
        Path scenario = dir.resolve("scenario.json");
        Files.writeString(scenario, """
                {"testAmounts": true, "rules": [
                  {"name": "sale lost", "match": {"mti": "0200", "amount": 1234}, "action": {"dropRequest": true}},
                  {"name": "reversals refused", "match": {"mti": ["0400", "0401"]}, "action": {"respond": "96"}}"""
                + rules + "]}");
        return SimulatorConfig.defaults(dir.resolve("ledger.db")).withScenarioFile(scenario);
    }

    /** A sale of 12.34 on {@link #lostSale}: REVERSAL_FAILED, nothing standing at the host. */
    private static void failedReversalOfALostSale(Lab lab, String order) {
        lab.timeout = "1";
        assertEquals(4, lab.tally("--reversal-attempts", "2", "sale", "--order", order, "--amount", "12.34").exit());
        assertEquals(4, lab.tally("--reversal-attempts", "2", "pending", "--resolve").exit());
        assertEquals("REVERSAL_FAILED", lab.lastState(order));
        assertEquals(0, lab.standingDebits(order));
        lab.timeout = "3";
    }

    /** Closes it as charged once the last reversal try can no longer reach the host (refused until then). */
    private static Lab.Run closeAsCharged(Lab lab, String... more) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Lab.Run r = close(lab, more);
            if (r.exit() != 3 || !r.json().get("message").asText().contains("could still reach the host")
                    || System.nanoTime() > deadline) {
                return r;
            }
            Lab.await("the last reversal try's window", Duration.ofSeconds(5), () -> true); // one poll interval
        }
    }

    @Test
    void aChargeTheHostHoldsIsRefusedAsNotChargedAndClosedAsChargedWithTheHostsRrnThenSettled() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            failedReversalThatStands(lab, "INV-C1", "40.99");
            LedgerTransaction t = lab.ledger("INV-C1").getFirst();

            String before = lab.journalDump();
            Lab.Run wrong = close(lab, args("pending", "--close", "INV-C1", "--outcome", "not-charged", "--reference",
                    "Acme case 1"));
            assertEquals(3, wrong.exit(), wrong.toString());
            assertEquals("REFUSED", wrong.status());
            assertTrue(wrong.json().get("message").asText().contains("the acquirer's host says the sale stands"),
                    wrong.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-C1"), "a refused close changes no state");
            assertEquals(before.lines().filter(l -> !l.contains("status inquiry")).count(),
                    lab.journalDump().lines().filter(l -> !l.contains("status inquiry")).count(),
                    "only the status inquiry's note and STAN were written");

            Lab.Run otherRrn = closeAsCharged(lab, args("pending", "--close", "INV-C1", "--outcome", "charged",
                    "--reference", "Acme case 2", "--rrn", "WRONGRRN0001"));
            assertEquals(3, otherRrn.exit(), otherRrn.toString());
            assertTrue(otherRrn.json().get("message").asText().contains("holds the sale under RRN " + t.rrn()),
                    otherRrn.toString());
            Lab.Run otherAuth = close(lab, args("pending", "--close", "INV-C1", "--outcome", "charged", "--reference",
                    "Acme case 2", "--auth-code", "ZZ9999"));
            assertEquals(3, otherAuth.exit(), otherAuth.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-C1"));

            // without --rrn: the host's RRN and auth code, and its original response code
            Lab.Run closed = close(lab, args("pending", "--close", "INV-C1", "--outcome", "charged", "--reference",
                    "Acme case 2, J. Doe"));
            assertEquals(0, closed.exit(), closed.toString());
            assertEquals("CLOSED", closed.status());
            JsonNode attempt = closed.json().get("attempt");
            assertEquals("APPROVED", attempt.get("state").asText(), closed.toString());
            assertEquals(t.rrn(), attempt.get("rrn").asText());
            assertEquals(t.authCode(), attempt.get("authCode").asText());
            assertEquals("00", attempt.get("responseCode").asText(), closed.toString());
            assertEquals("APPROVED", lab.lastState("INV-C1"));
            int reversals = lab.ledger("INV-C1").getFirst().reversalCount();

            Lab.Run again = lab.tally("sale", "--order", "INV-C1", "--amount", "40.00");
            assertEquals(3, again.exit(), again.toString());
            assertEquals("ALREADY_PAID", again.status());
            assertTrue(again.json().get("message").asText().contains("RRN " + t.rrn()), again.toString());

            assertEquals(0, lab.tally("pending").exit(), "nothing left pending");
            Lab.Run settle = lab.tally("settle");
            assertEquals(0, settle.exit(), settle.toString());
            assertEquals("SETTLED", lab.lastState("INV-C1"));
            assertEquals(reversals, lab.ledger("INV-C1").getFirst().reversalCount(), "no reversal sent after the close");
            assertEquals(1, lab.standingDebits("INV-C1"));
            lab.assertInvariant();

            Lab.Run status = lab.tally("status", "--order", "INV-C1");
            String said = status.json().get("message").asText();
            assertTrue(said.startsWith("Charged: the reversal was never acknowledged; closed by the operator: the acquirer"
                    + " confirmed the charge stands (RRN " + t.rrn()) && !said.contains("open batch"),
                    "the status says how it came to be charged, and nothing the settlement made stale: " + status);
            assertFalse(said.contains("Acme case 2"), "the operator's reference stays on the trail, not with the cashier: "
                    + said);

            Lab.Run report = lab.tally("report", "--order", "INV-C1");
            assertTrue(report.out().contains("closed by the operator") && report.out().contains("Acme case 2, J. Doe"),
                    "the audit trail shows who closed it and why: " + report);
            assertTrue(report.out().contains("charged once: STAN " + attempt.get("stan").asText()
                    + " charged, as the acquirer confirmed (closed by the operator; RRN " + t.rrn() + "), settled in batch"),
                    "the answer says how it came to be charged: " + report);
            assertTrue(report.out().contains("reversal sent 2 times, never acknowledged; closed by the operator"),
                    "the description does not call the close an acknowledgement: " + report);
        }
    }

    /** The window a late reversal could land in is the longest wait its tries were given, not this command's timeout. */
    @Test
    void aChargeWaitsForTheLongestWaitTheReversalTriesWereGiven() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            lab.timeout = "2"; // the sale and its two reversal tries wait 2 s each
            assertEquals(4, lab.tally("--reversal-attempts", "2", "sale", "--order", "INV-L1", "--amount", "40.99").exit());
            assertEquals(4, lab.tally("--reversal-attempts", "2", "pending", "--resolve").exit());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-L1"));
            // at once, with a 1 s timeout: 2 x 1 s after the last try has passed, 2 x 2 s has not
            Lab.Run early = close(lab, args("pending", "--close", "INV-L1", "--outcome", "charged", "--reference", "c"));
            assertEquals(3, early.exit(), early.toString());
            assertTrue(early.json().get("message").asText().contains("could still reach the host"), early.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-L1"));
        }
    }

    /** Its batch settled without it (REVERSAL_FAILED is left out of the totals): a charge closed then is SETTLED. */
    @Test
    void aChargeClosedAfterItsBatchSettledIsSettledAndReportedSo() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            failedReversalThatStands(lab, "INV-S1", "40.99");
            Lab.Run settle = lab.tally("settle");
            assertEquals(0, settle.exit(), settle.toString());
            assertEquals("INV-S1", settle.json().get("excluded").get(0).get("orderId").asText(), settle.toString());
            Lab.Run closed = closeAsCharged(lab, args("pending", "--close", "INV-S1", "--outcome", "charged",
                    "--reference", "Acme case 10"));
            assertEquals(0, closed.exit(), closed.toString());
            assertEquals("SETTLED", lab.lastState("INV-S1"));
            assertTrue(closed.json().get("message").asText().contains("was settled without it"), closed.toString());
            Lab.Run report = lab.tally("report", "--order", "INV-S1");
            assertTrue(report.out().contains("its batch 000001 was settled without it: the acquirer's statement shows it"),
                    "not 'settled in batch 000001', which left it out: " + report);
            assertEquals(1, lab.standingDebits("INV-S1"));
            lab.assertInvariant();
        }
    }

    /** A cancel of an order closed as charged is a reversal of its own, and what the close said stops standing. */
    @Test
    void aCancelAfterAChargedCloseSendsAReversalOfItsOwnAndTheCloseNoLongerStands() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            failedReversalThatStands(lab, "INV-K1", "40.98"); // .98: the first two reversals dropped, the third answered
            Lab.Run closed = closeAsCharged(lab, args("pending", "--close", "INV-K1", "--outcome", "charged",
                    "--reference", "Acme case 9"));
            assertEquals(0, closed.exit(), closed.toString());
            String firstReversal = reversalStans(lab.journalDump()).getFirst();

            Lab.Run cancel = lab.tally("reverse", "--order", "INV-K1");
            assertEquals(0, cancel.exit(), cancel.toString());
            assertEquals("REVERSED", lab.lastState("INV-K1"));
            List<String> stans = reversalStans(lab.journalDump());
            assertNotEquals(firstReversal, stans.getLast(), "the cancel's reversal has a STAN of its own: " + stans);
            assertTrue(lab.journalDump().contains("0400 sent with reversal STAN " + stans.getLast() + ", reason 06, try 1"),
                    "a 0400 first, reason 06, counted from 1: " + lab.journalDump());
            Lab.Run status = lab.tally("status", "--order", "INV-K1");
            assertFalse(status.json().get("message").asText().contains("closed by the operator"),
                    "the close no longer says how it stands: " + status);
            assertEquals(0, lab.standingDebits("INV-K1"));
            lab.assertInvariant();
        }
    }

    private static List<String> reversalStans(String dump) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("sent with reversal STAN (\\d{6})").matcher(dump);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void aSaleThatNeverStoodIsClosedAsNotChargedAndTheOrderMayBePaidAgain() throws Exception {
        try (Lab lab = new Lab(dir, lostSale(""))) {
            failedReversalOfALostSale(lab, "INV-N1");

            Lab.Run wrong = closeAsCharged(lab, args("pending", "--close", "INV-N1", "--outcome", "charged",
                    "--reference", "Acme case 3", "--rrn", "000000000001"));
            assertEquals(3, wrong.exit(), wrong.toString());
            assertTrue(wrong.json().get("message").asText().contains("says nothing of the sale stands"), wrong.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-N1"));

            // a card number pasted into the reference is never kept in clear
            Lab.Run closed = close(lab, args("pending", "--close", "INV-N1", "--outcome", "not-charged", "--reference",
                    "Acme case 4 card " + Lab.PAN));
            assertEquals(0, closed.exit(), closed.toString());
            assertEquals("REVERSED", lab.lastState("INV-N1"));
            assertFalse(lab.journalDump().contains(Lab.PAN), "the reference's card number is masked in the journal");
            assertTrue(lab.journalDump().contains("reference: \"Acme case 4 card 476173******0119\""), lab.journalDump());

            Lab.Run status = lab.tally("status", "--order", "INV-N1");
            assertTrue(status.json().get("message").asText().startsWith("Not charged: the reversal was never acknowledged;"
                    + " closed by the operator: the acquirer confirmed nothing stands (not charged); the host's status"
                    + " inquiry agrees (STATE=NOT_FOUND")
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

    /** The host out of reach, as often after a failed reversal: what it said last still counts. */
    @Test
    void aHostOutOfReachLeavesItsLastAnswerStandingAgainstTheClose() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            failedReversalThatStands(lab, "INV-2", "25.99"); // its status inquiry found the sale APPROVED
            java.time.Instant resolved = java.time.Instant.now();
            String rrn = lab.ledger("INV-2").getFirst().rrn();
            lab.sim.close();
            String before = lab.journalDump();
            for (String[] close : List.of(
                    args("pending", "--close", "INV-2", "--outcome", "not-charged", "--reference", "Acme case 2"),
                    args("pending", "--close", "INV-2", "--outcome", "not-charged", "--reference", "c", "--without-host"))) {
                Lab.Run r = lab.tally(close);
                assertEquals(3, r.exit(), r.toString());
                assertTrue(r.json().get("message").asText().contains("the host cannot be asked now (")
                        && r.json().get("message").asText().contains("its last answer, at "), r.toString());
            }
            // nor is a charge taken on an answer that may predate the last reversal try's landing (1 s timeout: 2 s)
            Lab.await("the last reversal try's window", Duration.ofSeconds(10),
                    () -> java.time.Instant.now().isAfter(resolved.plusMillis(2_500)));
            Lab.Run charged = close(lab, args("pending", "--close", "INV-2", "--outcome", "charged", "--reference", "c",
                    "--rrn", rrn));
            assertEquals(3, charged.exit(), charged.toString());
            assertTrue(charged.json().get("message").asText().contains("is older than the last reversal try could have"
                    + " landed"), charged.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-2"));
            assertEquals(before, lab.journalDump(), "nothing was written");
        }
    }

    @Test
    void withoutAnyWordFromTheHostTheCloseNeedsWithoutHost() throws Exception {
        try (Lab lab = new Lab(dir, lostSale(", {\"name\": \"status unanswered\", \"match\": {\"mti\": \"0100\","
                + " \"processingCode\": \"380000\"}, \"action\": {\"dropRequest\": true}}"))) {
            failedReversalOfALostSale(lab, "INV-W1");

            Lab.Run refused = close(lab, args("pending", "--close", "INV-W1", "--outcome", "not-charged", "--reference",
                    "Acme case 5"));
            assertEquals(3, refused.exit(), refused.toString());
            assertTrue(refused.json().get("message").asText().contains("--without-host"), refused.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-W1"));

            Lab.Run closed = close(lab, args("pending", "--close", "INV-W1", "--outcome", "not-charged", "--reference",
                    "Acme case 5", "--without-host"));
            assertEquals(0, closed.exit(), closed.toString());
            assertEquals("REVERSED", lab.lastState("INV-W1"));
            assertTrue(lab.journalDump().contains("closed on the acquirer's word alone"), lab.journalDump());
            Lab.Run report = lab.tally("report", "--order", "INV-W1");
            assertTrue(report.out().contains("the operator closed it, without the host's confirmation"), report.toString());
            lab.assertInvariant();
        }
    }

    /**
     * Closed as charged without the host: the RRN and auth code the journal holds from a verified approval (a cancelled
     * sale's) stand, and a response code that was no approval (94) is not the charge's.
     */
    @Test
    void aChargeClosedWithoutTheHostKeepsWhatTheJournalKnowsAndNoCodeThatWasNoApproval() throws Exception {
        String rules = ", {\"name\": \"status unanswered\", \"match\": {\"mti\": \"0100\", \"processingCode\": \"380000\"},"
                + " \"action\": {\"dropRequest\": true}}, {\"name\": \"duplicate\", \"match\": {\"mti\": \"0200\","
                + " \"amount\": 2345}, \"action\": {\"respond\": \"94\"}}";
        try (Lab lab = new Lab(dir, lostSale(rules))) {
            // an approved sale, cancelled; its reversals refused 96: REVERSAL_FAILED with the approval's RRN and auth
            assertEquals(0, lab.tally("sale", "--order", "INV-A1", "--amount", "12.00").exit());
            LedgerTransaction t = lab.ledger("INV-A1").getFirst();
            lab.timeout = "1";
            lab.tally("--reversal-attempts", "2", "reverse", "--order", "INV-A1");
            lab.tally("--reversal-attempts", "2", "pending", "--resolve");
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-A1"));
            lab.timeout = "3";
            Lab.Run other = closeAsCharged(lab, args("pending", "--close", "INV-A1", "--outcome", "charged",
                    "--reference", "c", "--without-host", "--rrn", "ZZZZZZ999999"));
            assertEquals(3, other.exit(), other.toString());
            assertTrue(other.json().get("message").asText().contains("the sale under RRN " + t.rrn() + ", not ZZZZZZ999999"),
                    other.toString());
            Lab.Run kept = close(lab, args("pending", "--close", "INV-A1", "--outcome", "charged", "--reference", "c",
                    "--without-host"));
            assertEquals(0, kept.exit(), kept.toString());
            JsonNode a1 = kept.json().get("attempt");
            assertEquals(t.rrn(), a1.get("rrn").asText(), kept.toString());
            assertEquals(t.authCode(), a1.get("authCode").asText(), kept.toString());
            assertEquals("00", a1.get("responseCode").asText(), kept.toString());

            // a sale answered 94 (no approval), its reversals refused: closed as charged, its code is not the 94
            lab.timeout = "1";
            assertEquals(4, lab.tally("--reversal-attempts", "2", "sale", "--order", "INV-D1", "--amount", "23.45").exit());
            lab.tally("--reversal-attempts", "2", "pending", "--resolve");
            assertEquals("REVERSAL_FAILED", lab.lastState("INV-D1"));
            lab.timeout = "3";
            Lab.Run d1 = closeAsCharged(lab, args("pending", "--close", "INV-D1", "--outcome", "charged", "--reference",
                    "c", "--without-host", "--rrn", "123456789012"));
            assertEquals(0, d1.exit(), d1.toString());
            assertTrue(d1.json().get("attempt").get("responseCode") == null
                    || d1.json().get("attempt").get("responseCode").isNull(), "not the 94: " + d1);
        }
    }

    @Test
    void badInputAndOrdersWithoutAFailedReversalChangeNothing() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            assertEquals(0, lab.tally("sale", "--order", "INV-OK", "--amount", "5.00").exit());
            failedReversalThatStands(lab, "INV-F", "40.99");
            String before = lab.journalDump();
            String rrn = lab.ledger("INV-F").getFirst().rrn();
            for (List<String> args : List.of(
                    List.of("pending", "--close", "INV-F", "--reference", "case"),
                    List.of("pending", "--close", "INV-F", "--outcome", "maybe", "--reference", "case"),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged"),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged", "--reference", "  "),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged", "--reference", "a\u2028b"),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged", "--reference", "a\u202Eb"),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged", "--reference", "x".repeat(121)),
                    List.of("pending", "--close", "INV-F", "--outcome", "charged", "--reference", "case", "--rrn", "12"),
                    List.of("pending", "--close", "INV-F", "--outcome", "not-charged", "--reference", "case", "--rrn", rrn),
                    List.of("pending", "--close", "INV-F", "--resolve", "--outcome", "not-charged", "--reference", "c"),
                    List.of("pending", "--outcome", "not-charged"),
                    List.of("pending", "--without-host"),
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

    /** In serve (which holds the journal), the same close through the cashier API, with the operator's token only. */
    @Test
    void serveClosesAFailedReversalThroughTheApiWithTheOperatorTokenOnly() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3));
             ServeProcess api = new ServeProcess(lab, dir.resolve("token"), "--timeout", "1", "--reversal-attempts", "1")) {
            ServeProcess.Reply paid = api.post("/v1/payments", "{\"orderId\": \"F-1\", \"amount\": \"30.99\"}");
            assertEquals("REVERSAL_FAILED", paid.json().get("status").asText(), paid.body());
            assertTrue(paid.json().get("message").asText().contains("POST /v1/payments/F-1/close, with the operator token"),
                    paid.body());
            Path operatorFile = Path.of(lab.journal + ".operator-token");
            String operator = "Bearer " + Files.readString(operatorFile).strip();
            assertFalse(Files.readString(api.stderr).contains(Files.readString(operatorFile).strip()),
                    "the operator token is never printed");

            String notCharged = "{\"outcome\": \"not-charged\", \"reference\": \"Acme case 7\"}";
            ServeProcess.Reply cashier = api.post("/v1/payments/F-1/close", notCharged);
            assertEquals(403, cashier.status(), "the cashier system's token cannot close: " + cashier.body());
            assertTrue(cashier.body().contains("OPERATOR_ONLY"), cashier.body());

            ServeProcess.Reply empty = api.post("/v1/payments/F-1/close", "[]", operator);
            assertEquals(400, empty.status(), empty.body());
            assertTrue(empty.json().get("message").asText().contains("{\"outcome\": \"not-charged\""),
                    "a close's example: " + empty.body());
            ServeProcess.Reply badRrn = api.post("/v1/payments/F-1/close",
                    "{\"outcome\": \"charged\", \"reference\": \"c\", \"rrn\": \"12\"}", operator);
            assertEquals(400, badRrn.status(), badRrn.body());
            assertEquals("rrn", badRrn.json().get("field").asText(), badRrn.body());
            ServeProcess.Reply unknown = api.post("/v1/payments/F-1/close", "{\"outcome\": \"gone\", \"reference\": \"c\"}",
                    operator);
            assertEquals(400, unknown.status(), unknown.body());

            ServeProcess.Reply wrong = api.post("/v1/payments/F-1/close", notCharged, operator);
            assertEquals(409, wrong.status(), wrong.body());
            assertEquals("REFUSED", wrong.json().get("status").asText(), wrong.body());
            assertEquals("REVERSAL_FAILED", wrong.json().get("payment").get("status").asText(), wrong.body());
            assertEquals("APPROVED", wrong.json().get("host").get("state").asText(), wrong.body());

            ServeProcess.Reply closed = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) { // refused while the last reversal try could still land
                closed = api.post("/v1/payments/F-1/close", "{\"outcome\": \"charged\", \"reference\": \"Acme case 8\"}",
                        operator);
                if (closed.status() != 409 || !closed.body().contains("could still reach the host")) {
                    break;
                }
                Lab.await("the last reversal try's window", Duration.ofSeconds(5), () -> true);
            }
            assertEquals(200, closed.status(), closed.body());
            assertEquals("CLOSED", closed.json().get("status").asText(), closed.body());
            assertEquals("APPROVED", closed.json().get("payment").get("status").asText(), closed.body());
            assertEquals("00", closed.json().get("payment").get("responseCode").asText(), closed.body());

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
