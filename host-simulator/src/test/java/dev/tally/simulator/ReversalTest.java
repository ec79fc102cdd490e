package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.ledger.CreditState;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.simulator.ledger.TxnState;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.message.MessageView;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reversal and repeat (SPEC.md §4.6): restores exactly once, idempotent across a restart. */
class ReversalTest extends SimulatorHarness {

    private static final long OPENING = 1_000_000;

    @BeforeEach
    void up() throws Exception {
        start();
    }

    @Test
    void reversalRestoresTheBalanceOnceAndRepeatsAnswerTheSame() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 4200, "INV-R1").build();
            assertEquals("00", MessageView.of(t.exchange((ISOMsg) sale.clone())).responseCode());
            assertEquals(OPENING - 4200, ledger().balance("visa-1"));
            int rs = t.nextStan();
            ISOMsg answer = t.exchange(t.reversalOf(sale, rs, false, ReversalReason.NO_RESPONSE));
            MessageView v = MessageView.of(answer);
            assertEquals("0410", v.mti());
            assertEquals("00", v.responseCode());
            assertEquals(rs, v.stan());
            assertTrue(MessageMac.verify(answer, t.keys().macKey()), "0410 is MACed (field 128: it carries field 90)");
            assertEquals(OPENING, ledger().balance("visa-1"));
            for (int i = 0; i < 3; i++) {
                assertEquals("00", MessageView.of(t.exchange(t.reversalOf(sale, rs, true, ReversalReason.NO_RESPONSE)))
                        .responseCode());
            }
        }
        assertEquals(OPENING, ledger().balance("visa-1"), "restored exactly once");
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-R1");
        assertEquals(TxnState.REVERSED, tx.state());
        assertFalse(tx.debitStanding());
        assertEquals(4, tx.reversalCount());
        assertEquals(CreditState.NONE, tx.creditState(), "the merchant credit is cancelled");
    }

    /**
     * Field 39 of a reversal is its reason (SPEC.md §7: 98, A0, 96, 06). A 0400 or 0401 with another code (a client's
     * {@code ZZ}) is malformed: 30, the sale's debit stands, no reversal counted, and the log names field 39. Before, it
     * was taken as a reversal and undid the sale.
     */
    @Test
    void aReversalWhoseReasonIsNoneOfTheCataloguesIsAFormatErrorAndUndoesNothing() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 4300, "INV-RZZ").build();
            assertEquals("00", MessageView.of(t.exchange((ISOMsg) sale.clone())).responseCode());
            int rs = t.nextStan();
            for (boolean repeat : new boolean[] {false, true}) {
                ISOMsg reversal = t.reversalOf(sale, rs, repeat, ReversalReason.OTHER);
                reversal.set(39, "ZZ");
                MessageView[] answer = new MessageView[1];
                String log = LogCapture.during(() -> answer[0] = MessageView.of(t.exchange(reversal)));
                assertEquals("0410", answer[0].mti());
                assertEquals("30", answer[0].responseCode(), repeat ? "0401" : "0400");
                assertTrue(log.contains("field 39 (response code): a reversal's reason must be one of 98, A0, 96, 06"), log);
            }
            assertEquals(OPENING - 4300, ledger().balance("visa-1"), "the debit stands");
            LedgerTransaction tx = onlyTxn("TALLY001", "INV-RZZ");
            assertEquals(TxnState.APPROVED, tx.state());
            assertEquals(0, tx.reversalCount());
            assertEquals("00", MessageView.of(t.exchange(t.reversalOf(sale, rs, true, ReversalReason.OTHER))).responseCode(),
                    "with a reason of the catalogue it is a reversal");
            assertEquals(OPENING, ledger().balance("visa-1"));
        }
    }

    @Test
    void repeatAfterARestartOnTheSameLedgerDoesNotCreditTwice() throws Exception {
        ISOMsg sale;
        int rs;
        try (TestTerminal t = signedOn("TALLY001")) {
            sale = t.saleRequest(VISA, 5020, "INV-R2").build();
            assertEquals("00", MessageView.of(t.exchange((ISOMsg) sale.clone())).responseCode());
            rs = t.nextStan();
            assertEquals("00", MessageView.of(t.exchange(t.reversalOf(sale, rs, false, ReversalReason.NO_RESPONSE)))
                    .responseCode());
            assertEquals(OPENING, ledger().balance("visa-1"));

            int port = sim.isoPort();
            sim.close();
            startAgainOn(port, config()); // same ledger file, same port
            assertEquals(OPENING, ledger().balance("visa-1"), "the ledger survived the restart");

            t.connect(); // the session keys are in the ledger (under the TMK): no new sign-on needed
            MessageView again = MessageView.of(t.exchange(t.reversalOf(sale, rs, true, ReversalReason.NO_RESPONSE)));
            assertEquals("00", again.responseCode());
            ISOMsg dup = (ISOMsg) sale.clone();
            assertEquals("94", MessageView.of(t.exchange(dup)).responseCode(), "the sale itself is still a duplicate");
        }
        assertEquals(OPENING, ledger().balance("visa-1"), "no double credit after the restart");
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-R2");
        assertEquals(TxnState.REVERSED, tx.state());
        assertEquals(2, tx.reversalCount());
    }

    @Test
    void reversalOfAnUnknownSaleIs25AndOfADeclinedSaleIs00WithNothingToUndo() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg never = t.saleRequest(VISA, 1234, "INV-NEVER").build();
            assertEquals("25", MessageView.of(t.exchange(t.reversalOf(never, t.nextStan(), false, ReversalReason.OTHER)))
                    .responseCode());

            ISOMsg declined = t.saleRequest(LOW, 5000, "INV-DECL").build();
            assertEquals("51", MessageView.of(t.exchange((ISOMsg) declined.clone())).responseCode());
            assertEquals("00", MessageView.of(t.exchange(t.reversalOf(declined, t.nextStan(), false,
                    ReversalReason.TERMINAL_FAILURE))).responseCode());
        }
        assertEquals(1000, ledger().balance("low-1"));
        assertEquals(TxnState.DECLINED, onlyTxn("TALLY001", "INV-DECL").state());
    }

    /**
     * The refusal of a sale whose reversal came first is the host's own, decided before the scenario: with a test
     * amount that drops (.68), closes (.71), answers twice (.72) or garbles (.73) it is still answered 12 once, plainly,
     * on a connection that stays open. Before, .68 got no answer, .71 a closed connection, .72 the 12 twice, .73 garbage.
     */
    @Test
    void aSaleArrivingAfterItsReversalIsAnswered12OnceWhateverItsTestAmountSays() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            for (int cents : new int[] {68, 71, 72, 73}) {
                String order = "INV-OVERTAKEN-" + cents;
                ISOMsg sale = t.saleRequest(VISA, 2700 + cents, order).build();
                assertEquals("25", MessageView.of(t.exchange(t.reversalOf(sale, t.nextStan(), false,
                        ReversalReason.NO_RESPONSE))).responseCode());
                MessageView v = MessageView.of(t.exchange((ISOMsg) sale.clone()));
                assertEquals("0210", v.mti(), "." + cents);
                assertEquals("12", v.responseCode(), "." + cents);
                // the next answer on the connection is the echo's: no second copy of the 12 came before it
                assertEquals("0810", MessageView.of(t.echo()).mti(), "." + cents + ": answered once, connection open");
                LedgerTransaction tx = onlyTxn("TALLY001", order);
                assertEquals("12", tx.responseCode());
                assertTrue(tx.arrivedAfterReversal());
            }
        }
        assertEquals(OPENING, ledger().balance("visa-1"), "nothing debited");
    }

    /**
     * The terminal's 0200 sat on connection A; the link broke, it sent the 0400 at once on connection B, and the host
     * read B first: 25, so the terminal's journal says REVERSED. The 0200 that arrives afterwards must not leave a
     * debit standing (DESIGN.md §6): answered 12, recorded DECLINED, shown on the admin API.
     */
    @Test
    void aSaleThatArrivesAfterItsReversalIsRefused12AndNoDebitStands() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 2750, "INV-OVERTAKEN").build();
            int rs = t.nextStan();
            assertEquals("25", MessageView.of(t.exchange(t.reversalOf(sale, rs, false, ReversalReason.NO_RESPONSE)))
                    .responseCode(), "the host has not seen the sale yet");
            t.connect(); // the sale comes on another connection, later
            ISOMsg answer = t.exchange((ISOMsg) sale.clone());
            MessageView v = MessageView.of(answer);
            assertEquals("0210", v.mti());
            assertEquals("12", v.responseCode(), "refused: its reversal came first");
            assertFalse(answer.hasField(38), "no auth code");
            assertTrue(MessageMac.verify(answer, t.keys().macKey()));
            assertEquals("00", MessageView.of(t.exchange(t.reversalOf(sale, rs, true, ReversalReason.NO_RESPONSE)))
                    .responseCode(), "a repeat of the reversal finds the sale now, nothing to undo");
            assertEquals("94", MessageView.of(t.exchange((ISOMsg) sale.clone())).responseCode(), "and the sale again is a duplicate");
        }
        assertEquals(OPENING, ledger().balance("visa-1"), "no debit stands");
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-OVERTAKEN");
        assertEquals(TxnState.DECLINED, tx.state());
        assertFalse(tx.debitStanding());
        assertEquals("12", tx.responseCode());
        assertEquals(2, tx.reversalCount(), "the 0400 answered 25 and the 0401 both count for the sale");
        var json = new AdminClient(sim.adminUri()).getJson("/transactions?order=INV-OVERTAKEN").get("transactions").get(0);
        assertEquals("DECLINED", json.get("state").asText());
        assertEquals("12", json.get("responseCode").asText());
        assertFalse(json.get("debitStanding").asBoolean());
        assertTrue(json.get("arrivedAfterReversal").asBoolean());
    }

    /**
     * A reversal answered 25 that names a key but describes another sale (another card, amount and order: a second
     * journal's under the same terminal id, STAN and field 7, SPEC.md §4.5) does not refuse the sale that then comes
     * under that key: it is processed as any sale. Before, the key alone decided, and it was refused 12.
     */
    @Test
    void aReversalAnswered25OfAnotherSaleUnderTheKeyDoesNotRefuseTheSale() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg other = t.saleRequest(CARDS.find("mc-1").orElseThrow(), 999, "INV-OTHER").build();
            assertEquals("25", MessageView.of(t.exchange(t.reversalOf(other, t.nextStan(), false,
                    ReversalReason.NO_RESPONSE))).responseCode(), "the host holds no sale under that key");
            ISOMsg sale = t.saleRequest(VISA, 1000, "INV-GENUINE").build();
            sale.set(7, other.getString(7)); // the same key: terminal id, STAN and field 7
            sale.set(11, other.getString(11));
            ISOMsg answer = t.exchange(sale);
            MessageView v = MessageView.of(answer);
            assertEquals("00", v.responseCode(), "not the reversal's sale: approved");
            assertTrue(answer.hasField(38), "an auth code");
        }
        assertEquals(OPENING - 1000, ledger().balance("visa-1"), "debited");
        assertEquals(5_000_00, ledger().balance("mc-1"));
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-GENUINE");
        assertEquals(TxnState.APPROVED, tx.state());
        assertTrue(tx.debitStanding());
        assertFalse(tx.arrivedAfterReversal());
        assertEquals(0, tx.reversalCount());
    }

    @Test
    void reversalWithAWrongMacIsA0AndRestoresNothing() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 3000, "INV-RMAC").build();
            t.exchange((ISOMsg) sale.clone());
            ISOMsg rev = t.reversalOf(sale, t.nextStan(), false, ReversalReason.NO_RESPONSE);
            MessageMac.apply(rev, new byte[16]);
            t.sendRaw(rev);
            assertEquals("A0", MessageView.of(t.receive()).responseCode());
        }
        assertEquals(OPENING - 3000, ledger().balance("visa-1"));
        assertEquals(TxnState.APPROVED, onlyTxn("TALLY001", "INV-RMAC").state());
    }
}
