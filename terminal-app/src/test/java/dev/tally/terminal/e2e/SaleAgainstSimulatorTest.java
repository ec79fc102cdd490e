package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.ledger.LedgerTransaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The "How it will be checked", case by case, against the real simulator (DESIGN.md §5 test amounts). */
class SaleAgainstSimulatorTest {

    @TempDir
    Path dir;
    Lab lab;

    @BeforeEach
    void start() throws Exception {
        lab = new Lab(dir, Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            lab.assertInvariant();
            for (String f : List.of("tally-journal.db", "tally-journal.db-wal")) {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    assertFalse(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(Lab.PAN),
                            "clear PAN in " + f);
                }
            }
        } finally {
            lab.close();
        }
    }

    @Test
    void approvedThenTheSameOrderIsAlreadyPaidAndNothingIsSent() {
        Lab.Run r = lab.tally("sale", "--order", "INV-100", "--amount", "12.00");
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals("APPROVED", j.get("status").asText());
        assertEquals("INV-100", j.get("orderId").asText());
        assertEquals("00", j.get("responseCode").asText());
        assertEquals("12.00", j.get("amount").asText());
        assertEquals("476173******0119", j.get("maskedPan").asText());
        assertTrue(j.get("stan").asText().matches("\\d{6}"));
        assertTrue(j.get("rrn").asText().length() == 12, j.toString());
        assertFalse(j.get("authCode").isNull());
        assertEquals(1, lab.standingDebits("INV-100"));
        int before = lab.sim.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all()).size();

        Lab.Run again = lab.tally("sale", "--order", "INV-100", "--amount", "12.00");
        assertEquals(3, again.exit(), again.toString());
        assertEquals("ALREADY_PAID", again.status());
        assertEquals(j.get("stan").asText(), again.json().get("stan").asText());
        assertEquals(j.get("rrn").asText(), again.json().get("rrn").asText());
        assertTrue(again.json().get("message").asText().contains(j.get("rrn").asText()));
        assertEquals(before, lab.sim.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all()).size(),
                "ALREADY_PAID sends nothing");
        assertEquals(1, lab.standingDebits("INV-100"));
    }

    @Test
    void anApprovalPrintsAReceiptWithAMaskedPan() {
        List<String> args = lab.baseArgs();
        args.remove("--json");
        args.addAll(List.of("sale", "--order", "INV-101", "--amount", "3.10", "--card", "mc-1"));
        Lab.Run r = Lab.raw(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        for (String expected : List.of("APPROVED", "HOSPITAL0000001", "TALLY001", "3.10", "541333******0442", "STAN",
                "RRN", "auth code", "date/time")) {
            assertTrue(r.out().contains(expected), "receipt lacks " + expected + ":\n" + r.out());
        }
        assertFalse(r.out().contains("5413330089010442"));
    }

    @Test
    void noCommandPrintsTheFullPanEvenWhenTheCardIsNamedByIt() {
        List<List<String>> commands = List.of(
                List.of("sale", "--order", "INV-PAN", "--amount", "2.00", "--card", Lab.PAN),
                List.of("sale", "--order", "INV-PAN", "--amount", "2.00", "--card", Lab.PAN),
                List.of("sale", "--order", "INV-PAN2", "--amount", "2.68", "--card", Lab.PAN),
                List.of("inquiry", "--card", Lab.PAN),
                List.of("status", "--order", "INV-PAN"),
                List.of("pending"),
                List.of("journal"),
                List.of("reverse", "--order", "INV-PAN"));
        for (boolean json : List.of(false, true)) {
            for (List<String> c : commands) {
                // the .68 goes unanswered: 1 s (its reversal's answer is not needed, a pending one prints the PAN masked
                // as well); every other command expects its answer, with the lab's 3 s
                lab.timeout = c.contains("2.68") ? "1" : "3";
                List<String> args = lab.baseArgs();
                if (!json) {
                    args.remove("--json");
                }
                args.addAll(c);
                Lab.Run r = Lab.raw(args.toArray(String[]::new)); // raw() fails on a full PAN in stdout or stderr
                assertTrue(r.out().contains("476173******0119") || c.getFirst().equals("pending")
                        || r.exit() == 3, "masked PAN shown: " + c + " " + r);
            }
        }
    }

    @Test
    void declinedThenTheOrderCanBePaidAgain() {
        Lab.Run r = lab.tally("sale", "--order", "INV-200", "--amount", "10.51");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("DECLINED", r.status());
        assertEquals("51", r.json().get("responseCode").asText());
        assertTrue(r.json().get("message").asText().startsWith("Insufficient funds"), r.toString());
        assertEquals(0, lab.standingDebits("INV-200"));

        Lab.Run paid = lab.tally("sale", "--order", "INV-200", "--amount", "10.00");
        assertEquals(0, paid.exit(), paid.toString());
        assertEquals(1, lab.standingDebits("INV-200"));
        assertEquals(List.of("DECLINED", "APPROVED"), lab.journalStates().get("INV-200"));
    }

    /**
     * A scenario rule that answers a sale with a code the catalogue does not know (docs/simulator.md §4 {@code respond})
     * gets it reversed, not declined: the terminal cannot tell what the host did (08 is an approval in ISO 8583:1987).
     */
    @Test
    void aSaleAnsweredWithACodeTheTerminalDoesNotKnowIsReversed() throws Exception {
        Path scenario = dir.resolve("unknown-code.json");
        Files.writeString(scenario, """
                {"rules": [{"name": "honour with identification", "match": {"mti": "0200", "amount": 1208},
                            "action": {"respond": "08"}}]}""");
        Path sub = Files.createDirectories(dir.resolve("unknown-code"));
        try (Lab other = new Lab(sub, dev.tally.simulator.SimulatorConfig.defaults(sub.resolve("ledger.db"))
                .withScenarioFile(scenario))) {
            Lab.Run r = other.tally("sale", "--order", "INV-08", "--amount", "12.08");
            assertEquals(4, r.exit(), r.toString());
            assertEquals("REVERSED", r.status(), r.toString());
            assertEquals("08", r.json().get("responseCode").asText());
            assertTrue(r.json().get("message").asText().contains(
                    "the bank answered code 08, which this terminal does not know"), r.toString());
            assertEquals(0, other.standingDebits("INV-08"), "host: " + other.ledger("INV-08"));
            Lab.Run again = other.tally("sale", "--order", "INV-08", "--amount", "12.00");
            assertEquals(0, again.exit(), "a reversed order may be paid again: " + again);
            other.assertInvariant();
        }
    }

    @ParameterizedTest(name = "amount 20{0}")
    @ValueSource(strings = {".68", ".69", ".71", ".73"})
    void anUncertainSaleIsReversedAndLeavesNoDebit(String cents) {
        // the lab's 3 s, though the .68 and .69 go unanswered for all of it: their reversals must be acknowledged
        String order = "INV-3" + cents.substring(1);
        Lab.Run r = lab.tally("sale", "--order", order, "--amount", "20" + cents);
        assertEquals(4, r.exit(), r.toString());
        assertEquals("REVERSED", r.status(), r.toString());
        assertEquals("98", r.json().get("reversalReason").asText());
        assertEquals("REVERSED", lab.lastState(order));
        assertEquals(0, lab.standingDebits(order), "host: " + lab.ledger(order));

        Lab.Run again = lab.tally("sale", "--order", order, "--amount", "20.00");
        assertEquals(0, again.exit(), "a reversed order may be paid again: " + again);
    }

    @Test
    void aLostReversalKeepsTheOrderLockedUntilTheThirdIsAcknowledged() {
        lab.timeout = "1"; // the host answers only the sign-on until the third reversal: no answer is waited for in vain
        Lab.Run r = lab.tally("sale", "--order", "INV-498", "--amount", "30.98");
        assertEquals(4, r.exit(), r.toString());
        assertEquals("REVERSAL_PENDING", r.status());
        assertEquals(1, r.json().get("reversalAttempts").asInt());

        Lab.Run locked = lab.tally("sale", "--order", "INV-498", "--amount", "30.00");
        assertEquals(3, locked.exit(), locked.toString());
        assertEquals("LOCKED", locked.status());
        String msg = locked.json().get("message").asText();
        assertTrue(msg.matches("LOCKED: order INV-498 has an unanswered attempt \\(STAN \\d{6}, sent \\d\\d:\\d\\d:\\d\\d\\);"
                + " a reversal is pending .*, retry after \\d\\d:\\d\\d"), msg);
        assertFalse(locked.json().get("retryAfter").isNull());

        lab.timeout = "3"; // the third reversal is acknowledged, the sale after it approved
        Lab.Run resolve = lab.tally("pending", "--resolve");
        assertEquals(0, resolve.exit(), resolve.toString());
        assertEquals("REVERSED", lab.lastState("INV-498"));
        LedgerTransaction t = lab.ledger("INV-498").getFirst();
        assertEquals(3, t.reversalCount(), "two reversals lost, the third acknowledged");
        assertFalse(t.debitStanding());

        Lab.Run paid = lab.tally("sale", "--order", "INV-498", "--amount", "30.00");
        assertEquals(0, paid.exit(), paid.toString());
    }

    @Test
    void reversalsThatAreNeverAnsweredEndFailedListedAndLocked() {
        lab.timeout = "1"; // the sale and its first reversal unanswered
        Lab.Run r = lab.tally("--reversal-attempts", "2", "sale", "--order", "INV-599", "--amount", "40.99");
        assertEquals(4, r.exit(), r.toString());
        assertEquals("REVERSAL_PENDING", r.status());
        lab.timeout = "3"; // from here each command expects an answer: the status inquiry after the last reversal

        Lab.Run resolve = lab.tally("--reversal-attempts", "2", "pending", "--resolve");
        assertEquals(4, resolve.exit(), resolve.toString());
        assertEquals("REVERSAL_FAILED", lab.lastState("INV-599"));

        Lab.Run pending = lab.tally("--reversal-attempts", "2", "pending");
        assertEquals(4, pending.exit());
        JsonNode listed = pending.json().get("pending").get(0);
        assertEquals("INV-599", listed.get("orderId").asText());
        assertEquals("REVERSAL_FAILED", listed.get("state").asText());
        assertEquals(2, listed.get("reversalAttempts").asInt());
        assertTrue(listed.get("lastEvent").get("detail").asText().startsWith("status inquiry answered 00"),
                "its latest event, the host's view this run asked for: " + listed);
        assertEquals("APPROVED", listed.get("host").get("state").asText(),
                "reconciliation: the host's view beside the failed reversal: " + listed);

        int reversalsBefore = lab.ledger("INV-599").getFirst().reversalCount();
        Lab.Run locked = lab.tally("--reversal-attempts", "2", "sale", "--order", "INV-599", "--amount", "40.00");
        assertEquals(3, locked.exit(), locked.toString());
        assertEquals("LOCKED", locked.status());
        assertTrue(locked.json().get("message").asText().contains("reversal failed after 2 tries"), locked.toString());
        assertEquals(reversalsBefore, lab.ledger("INV-599").getFirst().reversalCount(), "a failed reversal is not retried by a sale");
        // the host's view beside it, for reconciliation: the debit stands there
        assertEquals(1, lab.standingDebits("INV-599"));
        assertEquals(1, lab.ledger("INV-599").size(), "the locked sale sent nothing");

        Lab.Run status = lab.tally("--reversal-attempts", "2", "status", "--order", "INV-599");
        assertEquals(4, status.exit(), status.toString());
        assertEquals("REVERSAL_FAILED", status.status());
        assertEquals("APPROVED", status.json().get("host").get("state").asText(),
                "the host's view beside the failed reversal: " + status);
    }

    @Test
    void aWrongTerminalMasterKeyFailsSignOnAndSendsNoSale() {
        String before = lab.journalDump();
        Lab.Run r = lab.tally("--tmk", "00112233445566778899AABBCCDDEEFF", "sale", "--order", "INV-TMK", "--amount", "1.00");
        assertEquals(69, r.exit(), r.toString());
        assertTrue(r.err().contains("check value") && r.err().contains("TMK"), r.err());
        // its sign-on (0800) went to the host: not "nothing was sent", as the message said before
        assertTrue(r.err().contains("this command's request was not sent") && !r.err().contains("nothing was sent"),
                r.err());
        assertTrue(lab.ledger("INV-TMK").isEmpty());
        assertEquals(null, lab.lastState("INV-TMK"));
        assertFalse(r.err().contains("0011223344"), "the key is never printed");
        assertNotNull(before);
    }

    /** A TMK typed on the command line works and is warned about once on standard error; standard output is the JSON. */
    @Test
    void aTmkOnTheCommandLineIsUsedWithAWarningOnStandardErrorOnly() {
        Lab.Run r = lab.tally("--tmk", "0123456789ABCDEFFEDCBA9876543210", "sale", "--order", "INV-TMKCL", "--amount", "1.00");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("APPROVED", r.status());
        assertEquals(1, r.err().split("tally: warning: the TMK given with --tmk can be read by other users", -1).length - 1,
                r.err());
        assertFalse(r.err().contains("public lab TMK"), "the host is this machine: " + r.err());
        assertFalse(r.err().contains("FEDCBA98") || r.out().contains("FEDCBA98"), "the key is never printed");
    }

    /** docs/support.md §1: a message log that cannot be written never stops a payment (before: exit 1, nothing sent). */
    @Test
    void aMessageLogThatCannotBeOpenedIsReportedAndThePaymentGoesOn() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("a-folder"));
        Lab.Run r = lab.tally("--message-log", folder.toString(), "sale", "--order", "INV-LOG", "--amount", "3.00");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("APPROVED", r.status());
        assertTrue(r.err().contains("warning: cannot open the message log") && r.err().contains("runs without"), r.err());
        assertEquals(1, lab.standingDebits("INV-LOG"));
    }

    /**
     * A cancel while the host cannot be reached says nothing was done (exit 69) and does nothing: before, it had
     * committed the reversal first, so the payment the cashier was told still stood was reversed later.
     */
    @Test
    void aCancelWhileTheHostIsUnreachableChangesNothing() throws Exception {
        assertEquals(0, lab.tally("sale", "--order", "INV-701", "--amount", "7.01").exit());
        String before = lab.journalDump();
        // port 1: nothing listens there (binding it needs privileges), so the connection is refused at once
        Lab.Run r = Lab.raw("--host", "127.0.0.1", "--port", "1", "--journal", lab.journal.toString(),
                "--timeout", "3", "--json", "reverse", "--order", "INV-701");
        assertEquals(69, r.exit(), r.toString());
        assertTrue(r.err().contains("this command's request was not sent"), r.err());
        assertEquals(before, lab.journalDump(), "the cancel changed the journal");
        assertEquals("APPROVED", lab.lastState("INV-701"));
        assertEquals(1, lab.standingDebits("INV-701"));
        Lab.Run reversed = lab.tally("reverse", "--order", "INV-701");
        assertEquals(0, reversed.exit(), reversed.toString());
        assertEquals(0, lab.standingDebits("INV-701"));
    }

    @Test
    void statusAsksTheHostAndReverseCancelsAnApprovedOrder() {
        assertEquals(0, lab.tally("sale", "--order", "INV-700", "--amount", "7.00").exit());
        Lab.Run status = lab.tally("status", "--order", "INV-700");
        assertEquals(0, status.exit(), status.toString());
        assertEquals("APPROVED", status.status());
        assertEquals("APPROVED", status.json().get("host").get("state").asText(), status.toString());
        assertNotNull(status.json().get("host").get("credit").asText());

        Lab.Run reverse = lab.tally("reverse", "--order", "INV-700");
        assertEquals(0, reverse.exit(), reverse.toString());
        assertEquals("REVERSED", reverse.status());
        assertEquals("06", reverse.json().get("reversalReason").asText());
        assertEquals(0, lab.standingDebits("INV-700"));

        Lab.Run after = lab.tally("status", "--order", "INV-700");
        assertEquals(4, after.exit(), after.toString());
        assertEquals("REVERSED", after.status());

        Lab.Run nothing = lab.tally("reverse", "--order", "INV-700");
        assertEquals(3, nothing.exit(), nothing.toString());
        assertEquals("NOTHING_TO_REVERSE", nothing.status());

        String before = lab.journalDump();
        Lab.Run unknown = lab.tally("reverse", "--order", "INV-NEVER-PAID");
        assertEquals(64, unknown.exit(), "as status says it: " + unknown);
        assertTrue(unknown.err().contains("order INV-NEVER-PAID is not in the journal"), unknown.toString());
        assertEquals(before, lab.journalDump());
    }

    /** A settled payment cannot be cancelled at the till: NOTHING_TO_REVERSE, it needs a refund; nothing is sent. */
    @Test
    void aSettledPaymentIsNothingToReverseItNeedsARefund() {
        assertEquals(0, lab.tally("sale", "--order", "INV-710", "--amount", "7.10").exit());
        Lab.Run settle = lab.tally("settle");
        assertEquals(0, settle.exit(), settle.toString());
        assertEquals("SETTLED", lab.lastState("INV-710"));
        int before = lab.ledger("INV-710").size();

        Lab.Run cancel = lab.tally("reverse", "--order", "INV-710");
        assertEquals(3, cancel.exit(), cancel.toString());
        assertEquals("NOTHING_TO_REVERSE", cancel.status(), cancel.toString());
        assertTrue(cancel.json().get("message").asText().contains("needs a refund"), cancel.toString());
        assertEquals("SETTLED", lab.lastState("INV-710"));
        assertEquals(before, lab.ledger("INV-710").size(), "nothing sent");
        assertEquals(1, lab.standingDebits("INV-710"));
    }

    @Test
    void inquiryEchoAndJournalAnswer() {
        Lab.Run inquiry = lab.tally("inquiry", "--card", "disc-1");
        assertEquals(0, inquiry.exit(), inquiry.toString());
        assertEquals("2500.00", inquiry.json().get("balance").asText());
        assertEquals("601100******0129", inquiry.json().get("maskedPan").asText());

        Lab.Run echo = lab.tally("echo");
        assertEquals(0, echo.exit(), echo.toString());

        assertEquals(0, lab.tally("sale", "--order", "INV-800", "--amount", "1.00").exit());
        Lab.Run journal = lab.tally("journal", "--order", "INV-800");
        assertEquals(0, journal.exit());
        JsonNode a = journal.json().get("attempts").get(0);
        assertEquals("APPROVED", a.get("state").asText());
        assertEquals(3, a.get("events").size(), journal.toString());
    }
}
