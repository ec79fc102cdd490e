package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.ledger.CreditState;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.simulator.ledger.TxnState;
import dev.tally.spec.crypto.KeyCheckValue;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.message.MessageView;
import java.util.HexFormat;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sign-on, echo, sale, balance inquiry and the host's refusals (SPEC.md §4.1–4.4, §5). */
class HostFlowsTest extends SimulatorHarness {

    @BeforeEach
    void up() throws Exception {
        start();
    }

    @Test
    void signOnDeliversKeysUnderTheTmkWithMatchingCheckValuesAndStoresThemOnlyEncrypted() throws Exception {
        try (TestTerminal t = terminal("TALLY001")) {
            ISOMsg answer = t.signOn(); // unwrap checks both KCVs
            MessageView v = MessageView.of(answer);
            assertEquals("0810", v.mti());
            assertFalse(MessageMac.hasMac(answer), "0810 is not MACed");
            var kb = v.keyBlocks().orElseThrow();
            assertEquals(KeyCheckValue.hex(t.keys().pinKey()), kb.pinKeyKcv());
            assertEquals(KeyCheckValue.hex(t.keys().macKey()), kb.macKeyKcv());
            var stored = ledger().sessionKeys("TALLY001").orElseThrow();
            String clearMac = HexFormat.of().withUpperCase().formatHex(t.keys().macKey());
            String clearPin = HexFormat.of().withUpperCase().formatHex(t.keys().pinKey());
            assertEquals(kb.macKeyUnderTmk(), stored.macKeyUnderTmk());
            assertFalse(stored.macKeyUnderTmk().equals(clearMac) || stored.pinKeyUnderTmk().equals(clearPin),
                    "keys at rest are the cryptograms, not the clear keys");
            assertEquals("08D7B4", stored.tmkKcv());
        }
    }

    @Test
    void echoAnswers00() throws Exception {
        try (TestTerminal t = terminal("TALLY001")) {
            assertEquals("00", MessageView.of(t.echo()).responseCode());
        }
    }

    @Test
    void approvedSaleDebitsTheCardOnceAndCreditsTheMerchant() throws Exception {
        long before = ledger().balance("visa-1");
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg answer = t.exchange(t.saleRequest(VISA, 1234, "INV-1").build());
            MessageView v = MessageView.of(answer);
            assertEquals("0210", v.mti());
            assertEquals("00", v.responseCode());
            assertEquals(12, v.rrn().length());
            assertEquals(6, v.authCode().length());
            assertEquals("INV-1", v.orderReference().orElseThrow());
            assertTrue(MessageMac.verify(answer, t.keys().macKey()), "0210 is MACed with the session MAC key");
        }
        assertEquals(before - 1234, ledger().balance("visa-1"));
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-1");
        assertEquals(TxnState.APPROVED, tx.state());
        assertTrue(tx.debitStanding());
        assertEquals(CreditState.CREDITED, tx.creditState());
        assertEquals(ledger().businessDate(), tx.creditDate());
        assertEquals("476173******0119", tx.maskedPan());
        assertEquals("visa-1", tx.cardId());
    }

    @Test
    void saleAboveTheBalanceIsDeclined51AndNothingIsDebited() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            assertEquals("51", MessageView.of(t.exchange(t.saleRequest(LOW, 2000, "INV-LOW").build())).responseCode());
        }
        assertEquals(1000, ledger().balance("low-1"));
        LedgerTransaction tx = onlyTxn("TALLY001", "INV-LOW");
        assertEquals(TxnState.DECLINED, tx.state());
        assertFalse(tx.debitStanding());
        assertEquals(CreditState.NONE, tx.creditState());
    }

    /** A sale of zero is declined 13 (invalid amount), nothing booked; it was approved with an auth code. */
    @Test
    void aSaleOfZeroIsDeclined13() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            MessageView answer = MessageView.of(t.exchange(t.saleRequest(VISA, 0, "INV-ZERO").build()));
            assertEquals("13", answer.responseCode());
            assertNull(answer.authCode());
        }
        assertEquals(TxnState.DECLINED, onlyTxn("TALLY001", "INV-ZERO").state());
    }

    @Test
    void unknownCardIs14AndExpiredCardIs54() throws Exception {
        var unknown = new dev.tally.spec.card.TestCard("x", "4111111111111111", VISA.expiry(), "1234", 0, "840", "not on file");
        try (TestTerminal t = signedOn("TALLY001")) {
            assertEquals("14", MessageView.of(t.exchange(t.saleRequest(unknown, 100, "INV-14").build())).responseCode());
            assertEquals("54", MessageView.of(t.exchange(t.saleRequest(EXPIRED, 100, "INV-54").build())).responseCode());
            var wrongExpiry = new dev.tally.spec.card.TestCard("v", VISA.pan(), VISA.expiry().plusMonths(1), "1234", 0, "840", "");
            assertEquals("54", MessageView.of(t.exchange(t.saleRequest(wrongExpiry, 100, "INV-54b").build())).responseCode());
        }
        assertEquals("411111******1111", onlyTxn("TALLY001", "INV-14").maskedPan());
        assertNull(onlyTxn("TALLY001", "INV-14").cardId());
        assertEquals(100000, ledger().balance("expired-1"));
    }

    @Test
    void saleInAnotherCurrencyThanTheCardsIsDeclined57AndNothingIsDebited() throws Exception {
        long before = ledger().balance("visa-1");
        try (TestTerminal t = signedOn("TALLY001")) {
            assertEquals("57", MessageView.of(t.exchange(t.saleRequest(VISA, 1500, "INV-EUR").currency("978").build()))
                    .responseCode());
            assertEquals("00", MessageView.of(t.exchange(t.saleRequest(VISA, 1500, "INV-USD").build())).responseCode());
        }
        assertEquals(before - 1500, ledger().balance("visa-1"));
        LedgerTransaction eur = onlyTxn("TALLY001", "INV-EUR");
        assertEquals(TxnState.DECLINED, eur.state());
        assertEquals("978", eur.currency());
        assertFalse(eur.debitStanding());
        assertEquals(CreditState.NONE, eur.creditState());
    }

    @Test
    void pinIsCheckedUnderTheSessionPinKey() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            assertEquals("00", MessageView.of(t.exchange(t.withPin(t.saleRequest(VISA, 500, "INV-PIN-OK"), VISA, VISA.pin())
                    .build())).responseCode());
            assertEquals("55", MessageView.of(t.exchange(t.withPin(t.saleRequest(VISA, 500, "INV-PIN-BAD"), VISA, "9999")
                    .build())).responseCode());
        }
        assertEquals(1000000 - 500, ledger().balance("visa-1"));
    }

    @Test
    void balanceInquiryAnswersTheAvailableBalanceAndChangesNothing() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.saleRequest(VISA, 2500, "INV-B").build());
            MessageView v = MessageView.of(t.exchange(t.withPin(t.balanceRequest(VISA), VISA, VISA.pin()).build()));
            assertEquals("0110", v.mti());
            assertEquals("00", v.responseCode());
            assertEquals(1000000 - 2500, v.balance().orElseThrow().amount());
            assertEquals("840", v.balance().orElseThrow().currency());
        }
        assertEquals(1000000 - 2500, ledger().balance("visa-1"));
    }

    @Test
    void duplicateSaleIsAnswered94WithoutASecondDebit() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 700, "INV-DUP").build();
            MessageView first = MessageView.of(t.exchange((ISOMsg) sale.clone()));
            MessageView second = MessageView.of(t.exchange((ISOMsg) sale.clone()));
            assertEquals("00", first.responseCode());
            assertEquals("94", second.responseCode());
            assertEquals(first.rrn(), second.rrn(), "94 names the original's RRN");
        }
        assertEquals(1000000 - 700, ledger().balance("visa-1"));
        assertEquals(1, txns("TALLY001", "INV-DUP").size());
    }

    @Test
    void aDuplicateIsStill94WhenItsMacNoLongerVerifies() throws Exception {
        try (TestTerminal t = signedOn("TALLY001"); TestTerminal again = terminal("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 650, "INV-DUP-KEYS").build();
            MessageView first = MessageView.of(t.exchange((ISOMsg) sale.clone()));
            again.signOn(); // new keys: the copy's MAC is under the old ones
            MessageView second = MessageView.of(t.exchange((ISOMsg) sale.clone()));
            assertEquals("00", first.responseCode());
            assertEquals("94", second.responseCode(), "the sale is there: a duplicate, not a MAC failure");
            assertEquals(first.rrn(), second.rrn());
            ISOMsg fresh = t.saleRequest(VISA, 650, "INV-NEW-KEYS").build();
            assertEquals("A0", MessageView.of(t.exchange(fresh)).responseCode(), "a new sale under the old keys is refused");
        }
        assertEquals(1000000 - 650, ledger().balance("visa-1"));
        assertEquals(1, txns("TALLY001", "INV-DUP-KEYS").size());
        assertTrue(txns("TALLY001", "INV-NEW-KEYS").isEmpty());
    }

    @Test
    void wrongMacIsA0AndNothingIsApplied() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 800, "INV-MAC").build();
            MessageMac.apply(sale, new byte[16]); // not the session MAC key
            t.sendRaw(sale);
            ISOMsg answer = t.receive();
            assertEquals("A0", MessageView.of(answer).responseCode());
            assertFalse(answer.hasField(37), "nothing recorded, no RRN (SPEC.md §3)");
            assertTrue(MessageMac.verify(answer, t.keys().macKey()), "an A0 is MACed under the keys the host holds");
        }
        assertEquals(1000000, ledger().balance("visa-1"));
        assertTrue(txns("TALLY001", "INV-MAC").isEmpty());
    }

    @Test
    void macWithKeysReplacedByANewSignOnIsA0() throws Exception {
        try (TestTerminal t = signedOn("TALLY001"); TestTerminal again = terminal("TALLY001")) {
            again.signOn(); // the host replaces the keys at once
            assertEquals("A0", MessageView.of(t.exchange(t.saleRequest(VISA, 800, "INV-OLD").build())).responseCode());
        }
    }

    @Test
    void terminalWithoutSessionKeysGetsA1WithoutMac() throws Exception {
        try (TestTerminal t = terminal("TALLY009")) {
            ISOMsg answer = t.exchange(t.saleRequest(VISA, 900, "INV-A1").build());
            assertEquals("A1", MessageView.of(answer).responseCode());
            assertFalse(MessageMac.hasMac(answer));
        }
        assertTrue(txns("TALLY009", null).isEmpty());
    }

    /**
     * An A0 or A1 records nothing, to a sale or a balance inquiry alike: it carries no 37 and uses up no RRN (SPEC.md
     * §3). Before, it got a number of the sequence the ledger never recorded, and the next sale's RRN skipped one.
     */
    @Test
    void anA0OrA1CarriesNoRrnAndUsesUpNone() throws Exception {
        try (TestTerminal t = signedOn("TALLY001"); TestTerminal never = terminal("TALLY009")) {
            String first = MessageView.of(t.exchange(t.saleRequest(VISA, 100, "INV-RRN-1").build())).rrn();
            for (ISOMsg refused : java.util.List.of(never.saleRequest(VISA, 200, "INV-A1").build(),
                    never.balanceRequest(VISA).build())) {
                ISOMsg answer = never.exchange(refused);
                assertEquals("A1", MessageView.of(answer).responseCode(), answer.getString(0));
                assertFalse(answer.hasField(37), answer.getString(0) + " A1 carries no RRN");
                assertFalse(MessageMac.hasMac(answer));
            }
            for (ISOMsg refused : java.util.List.of(t.saleRequest(VISA, 300, "INV-A0").build(),
                    t.balanceRequest(VISA).build())) {
                MessageMac.apply(refused, new byte[16]); // not the session MAC key
                t.sendRaw(refused);
                ISOMsg answer = t.receive();
                assertEquals("A0", MessageView.of(answer).responseCode(), answer.getString(0));
                assertFalse(answer.hasField(37), answer.getString(0) + " A0 carries no RRN");
                assertEquals(refused.getString(11), answer.getString(11), "matched by 41 + 11");
                assertTrue(MessageMac.verify(answer, t.keys().macKey()));
            }
            String next = MessageView.of(t.exchange(t.saleRequest(VISA, 400, "INV-RRN-2").build())).rrn();
            assertEquals(Long.parseLong(first.substring(4)) + 1, Long.parseLong(next.substring(4)),
                    "the next sale's RRN follows the last one given: " + first + " then " + next);
        }
        assertTrue(txns("TALLY009", null).isEmpty());
        assertTrue(txns("TALLY001", "INV-A0").isEmpty());
    }

    /**
     * A 30 carries what the terminal matches answers by (41 + 11, SPEC.md §1) even when the STAN is the problem, as
     * long as it is readable, and only the fields the answer to its type carries: a 0210 has no field 60.
     */
    @Test
    void aFormatErrorAnswerCarriesItsMatchingKeyAndOnlyItsAnswersFields() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 1000, "INV-30-STAN").build();
            sale.set(11, "000000");
            sale.set(60, "000001");
            t.send(sale);
            ISOMsg answer = t.receive();
            assertEquals("30", answer.getString(39));
            assertEquals("000000", answer.getString(11), "the STAN it came with, for the terminal to match the 30");
            assertEquals("TALLY001", answer.getString(41));
            assertFalse(answer.hasField(60), "no 0210 carries field 60 (SPEC.md §3)");
            assertTrue(MessageMac.verify(answer, t.keys().macKey()));
        }
        assertTrue(txns("TALLY001", "INV-30-STAN").isEmpty());
    }

    @Test
    void missingMandatoryFieldIsAFormatError30AndNothingIsApplied() throws Exception {
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 1000, "INV-30").build();
            sale.unset(14); // expiry is mandatory in a 0200
            ISOMsg answer = t.exchange(sale);
            MessageView v = MessageView.of(answer);
            assertEquals("0210", v.mti());
            assertEquals("30", v.responseCode());
            assertEquals("INV-30", v.orderReference().orElseThrow());
            assertFalse(answer.hasField(2), "card data is never echoed");
            assertTrue(MessageMac.verify(answer, t.keys().macKey()));
        }
        assertEquals(1000000, ledger().balance("visa-1"));
        assertTrue(txns("TALLY001", "INV-30").isEmpty());
    }

    /**
     * Field 60 of a sale is the terminal's batch number, n6 (SPEC.md §2). A malformed one is a format error like any
     * other: 30, nothing applied, the log names the field. Before, {@code ABCDEF} was answered 96 with a
     * NumberFormatException's stack trace, and {@code 12345} was approved and booked in no batch.
     */
    @Test
    void aMalformedBatchNumberInASaleIsAFormatError30AndNothingIsApplied() throws Exception {
        long before = ledger().balance("visa-1");
        try (TestTerminal t = signedOn("TALLY001")) {
            for (String batch : java.util.List.of("ABCDEF", "12345")) {
                ISOMsg sale = t.saleRequest(VISA, 1000, "INV-B" + batch.length()).build();
                sale.set(60, batch);
                String log = LogCapture.during(() -> {
                    MessageView v = MessageView.of(t.exchange(sale));
                    assertEquals("30", v.responseCode(), batch);
                    assertNull(v.rrn(), "nothing recorded, no RRN");
                });
                assertTrue(log.contains("format error (30), nothing applied: field 60 (batch number"), log);
                assertFalse(log.contains("NumberFormatException"), log);
                assertTrue(txns("TALLY001", "INV-B" + batch.length()).isEmpty(), batch + ": nothing recorded");
            }
            ISOMsg good = t.saleRequest(VISA, 1000, "INV-B6").build();
            good.set(60, "000007");
            assertEquals("00", MessageView.of(t.exchange(good)).responseCode());
        }
        assertEquals(before - 1000, ledger().balance("visa-1"), "only the well-formed sale is debited");
    }

    /**
     * Field 55 is BER-TLV (SPEC.md §2). ICC data that does not parse is a format error: 30, nothing applied, the log
     * names field 55. Before, it was approved (the message log showing "?=BAD TLV FORMAT ...").
     */
    @Test
    void iccDataThatIsNotBerTlvIsAFormatError30AndNothingIsApplied() throws Exception {
        long before = ledger().balance("visa-1");
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 1000, "INV-ICC").build(); // the builder refuses it now
            sale.set(55, HexFormat.of().parseHex("9F02060000"));
            String log = LogCapture.during(() -> assertEquals("30", MessageView.of(t.exchange(sale)).responseCode()));
            assertTrue(log.contains("format error (30), nothing applied: field 55 (ICC"), log);
            ISOMsg good = t.saleRequest(VISA, 1000, "INV-ICC2")
                    .iccData(HexFormat.of().parseHex("9F2701809F360200319A032611229C01005F2A020840")).build();
            assertEquals("00", MessageView.of(t.exchange(good)).responseCode());
        }
        assertTrue(txns("TALLY001", "INV-ICC").isEmpty(), "nothing recorded");
        assertEquals(before - 1000, ledger().balance("visa-1"), "only the well-formed sale is debited");
    }

    @Test
    void macOffAcceptsRequestsWithoutVerifying() throws Exception {
        sim.close();
        start(config().withMacRequired(false));
        try (TestTerminal t = terminal("TALLY001")) {
            ISOMsg sale = t.saleRequest(VISA, 1100, "INV-NOMAC").build();
            sale.unset(MessageMac.PRIMARY_MAC_FIELD);
            assertEquals("00", MessageView.of(t.exchange(sale)).responseCode());
        }
    }
}
