package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.ledger.CreditState;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.simulator.ledger.TxnState;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageView;
import java.io.EOFException;
import java.time.Duration;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every test amount of DESIGN.md §5, and the ledger after each, with no scenario file. */
class TestAmountsTest extends SimulatorHarness {

    private static final long OPENING = 1_000_000;
    /** How long "no answer" is awaited: well past the 300 ms late delay used here. */
    private static final Duration SILENCE = Duration.ofMillis(700);

    private TestTerminal t;

    @BeforeEach
    void up() throws Exception {
        start();
        t = signedOn("TALLY001");
    }

    @ParameterizedTest
    @ValueSource(strings = {"05", "51", "54", "55", "91", "96"})
    void centsNameTheResponseCodeAndNothingIsDebited(String code) throws Exception {
        long amount = 1000 + Integer.parseInt(code);
        MessageView v = MessageView.of(t.exchange(t.saleRequest(VISA, amount, "INV-" + code).build()));
        assertEquals(code, v.responseCode());
        assertEquals(OPENING, ledger().balance("visa-1"));
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-" + code);
        assertEquals(TxnState.DECLINED, tx.state());
        assertEquals(code, tx.responseCode());
        assertEquals(CreditState.NONE, tx.creditState());
    }

    @Test
    void cents68DropsTheRequestAndAppliesNothing() throws Exception {
        t.send(t.saleRequest(VISA, 1068, "INV-68").build());
        assertTrue(t.receiveWithin(SILENCE).isEmpty());
        assertEquals(OPENING, ledger().balance("visa-1"));
        assertTrue(txns("TALLY001", "INV-68").isEmpty());
    }

    @Test
    void cents69AppliesTheDebitAndDropsTheResponse() throws Exception {
        t.send(t.saleRequest(VISA, 1069, "INV-69").build());
        assertTrue(t.receiveWithin(SILENCE).isEmpty());
        // no answer tells when the host is done: the ledger does (a slow machine may take longer than the silence)
        await("the .69 sale's debit", PROCESSED, () -> ledger().balance("visa-1") != OPENING);
        assertEquals(OPENING - 1069, ledger().balance("visa-1"));
        assertEquals(TxnState.APPROVED, onlyTxn("TALLY001", "INV-69").state());
    }

    @Test
    void cents70ApprovesAndAnswersLateWithoutHoldingUpTheConnection() throws Exception {
        // a late delay long enough that the echo below is surely answered first, even on a busy machine
        t.close();
        sim.close();
        start(config().withLateDelay(Duration.ofSeconds(3)));
        t = signedOn("TALLY001");
        t.send(t.saleRequest(VISA, 1070, "INV-70").build());
        // the sale is applied at once; the answer waits for the late delay
        await("the .70 sale in the ledger", Duration.ofSeconds(5), () -> !txns("TALLY001", "INV-70").isEmpty());
        t.send(dev.tally.spec.message.MessageBuilder.request(dev.tally.spec.message.MessageType.ECHO)
                .transmissionDateTime(TestTerminal.nextField7()).stan(t.nextStan()).terminalId("TALLY001").build());
        MessageView first = MessageView.of(t.receive());
        MessageView second = MessageView.of(t.receive());
        assertEquals("0810", first.mti(), "the echo sent after the sale is answered before the late 0210");
        assertEquals("0210", second.mti());
        assertEquals("00", second.responseCode());
        assertEquals(OPENING - 1070, ledger().balance("visa-1"));
    }

    @Test
    void cents71AppliesTheDebitAndClosesTheConnection() throws Exception {
        t.send(t.saleRequest(VISA, 1071, "INV-71").build());
        assertThrows(EOFException.class, () -> t.receive());
        assertEquals(OPENING - 1071, ledger().balance("visa-1"));
        assertEquals(TxnState.APPROVED, onlyTxn("TALLY001", "INV-71").state());
    }

    @Test
    void cents72ApprovesAndAnswersTwice() throws Exception {
        t.send(t.saleRequest(VISA, 1072, "INV-72").build());
        ISOMsg a = t.receive();
        ISOMsg b = t.receive();
        assertEquals("00", MessageView.of(a).responseCode());
        assertArrayEquals(Iso87.pack(a), Iso87.pack(b));
        assertEquals(OPENING - 1072, ledger().balance("visa-1"), "one debit for two answers");
    }

    @Test
    void cents73AnswersWithGarbledBytes() throws Exception {
        t.send(t.saleRequest(VISA, 1073, "INV-73").build());
        assertThrows(ISOException.class, () -> t.receive());
        assertEquals(TxnState.APPROVED, onlyTxn("TALLY001", "INV-73").state(), "applied; the terminal must reverse it");
    }

    @Test
    void cents77ApprovesButNeverCreditsTheMerchant() throws Exception {
        assertEquals("00", MessageView.of(t.exchange(t.saleRequest(VISA, 1077, "INV-77").build())).responseCode());
        assertEquals(CreditState.NOT_CREDITED, onlyTxn("TALLY001", "INV-77").creditState());
        ledger().cutover();
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-77");
        assertEquals(CreditState.NOT_CREDITED, tx.creditState());
        assertEquals(null, tx.creditDate());
    }

    @Test
    void cents78CreditsTheMerchantOnlyAtTheNextCutover() throws Exception {
        var today = ledger().businessDate();
        assertEquals("00", MessageView.of(t.exchange(t.saleRequest(VISA, 1078, "INV-78").build())).responseCode());
        LedgerTransaction pending = onlyTxn("TALLY001", "INV-78");
        assertEquals(CreditState.PENDING, pending.creditState());
        assertEquals(today.plusDays(1), pending.creditDate(), "expected credit date");
        assertEquals(today.plusDays(1), ledger().cutover());
        LedgerTransaction credited = onlyTxn("TALLY001", "INV-78");
        assertEquals(CreditState.CREDITED, credited.creditState());
        assertEquals(today.plusDays(1), credited.creditDate());
    }

    @Test
    void cents98DropsTheFirstTwoReversalsAndAcknowledgesTheThird() throws Exception {
        ISOMsg sale = t.saleRequest(VISA, 1098, "INV-98").build();
        t.send((ISOMsg) sale.clone());
        assertTrue(t.receiveWithin(SILENCE).isEmpty(), "no answer to the sale");
        await("the .98 sale in the ledger", PROCESSED, () -> reversalCount("TALLY001", "INV-98") == 0);
        assertEquals(OPENING - 1098, ledger().balance("visa-1"), "but it was applied");
        int reversalStan = t.nextStan();
        for (int i = 1; i <= 2; i++) {
            t.connect();
            t.send(t.reversalOf(sale, reversalStan, i > 1, ReversalReason.NO_RESPONSE));
            var got = t.receiveWithin(SILENCE);
            assertTrue(got.isEmpty(), "reversal " + i + " is dropped, got " + got.map(m -> MessageView.of(m).toString()));
            int counted = i;
            await("reversal " + i + " counted", PROCESSED, () -> reversalCount("TALLY001", "INV-98") == counted);
            assertEquals(OPENING - 1098, ledger().balance("visa-1"));
        }
        t.connect();
        MessageView third = MessageView.of(t.exchange(t.reversalOf(sale, reversalStan, true, ReversalReason.NO_RESPONSE)));
        assertEquals("0410", third.mti());
        assertEquals("00", third.responseCode());
        assertEquals(OPENING, ledger().balance("visa-1"));
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-98");
        assertEquals(TxnState.REVERSED, tx.state());
        assertFalse(tx.debitStanding());
        assertEquals(3, tx.reversalCount());
        assertEquals(CreditState.NONE, tx.creditState());
    }

    @Test
    void cents99NeverAcknowledgesItsReversals() throws Exception {
        ISOMsg sale = t.saleRequest(VISA, 1099, "INV-99").build();
        t.send((ISOMsg) sale.clone());
        assertTrue(t.receiveWithin(SILENCE).isEmpty());
        await("the .99 sale in the ledger", PROCESSED, () -> reversalCount("TALLY001", "INV-99") == 0);
        int reversalStan = t.nextStan();
        for (int i = 1; i <= 4; i++) {
            t.connect();
            t.send(t.reversalOf(sale, reversalStan, i > 1, ReversalReason.NO_RESPONSE));
            assertTrue(t.receiveWithin(SILENCE).isEmpty(), "reversal " + i + " is never answered");
            int counted = i;
            await("reversal " + i + " counted", PROCESSED, () -> reversalCount("TALLY001", "INV-99") == counted);
        }
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-99");
        assertEquals(TxnState.APPROVED, tx.state(), "the debit stands: the reversal never got through");
        assertEquals(4, tx.reversalCount());
        assertEquals(OPENING - 1099, ledger().balance("visa-1"));
    }

    @Test
    void otherAmountsAreApprovedNormally() throws Exception {
        assertEquals("00", MessageView.of(t.exchange(t.saleRequest(VISA, 1000, "INV-00").build())).responseCode());
        assertEquals("00", MessageView.of(t.exchange(t.saleRequest(VISA, 1042, "INV-42").build())).responseCode());
        assertEquals(OPENING - 2042, ledger().balance("visa-1"));
    }
}
