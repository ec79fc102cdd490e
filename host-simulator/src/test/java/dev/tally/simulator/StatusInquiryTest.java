package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OriginalData;
import dev.tally.spec.message.StatusAnswer;
import dev.tally.spec.message.StatusAnswer.CreditState;
import dev.tally.spec.message.StatusAnswer.OriginalState;
import dev.tally.simulator.ledger.TxnState;
import java.time.Duration;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Status inquiry (SPEC.md §4.5): what became of an earlier sale, field 48. */
class StatusInquiryTest extends SimulatorHarness {

    private TestTerminal t;

    @BeforeEach
    void up() throws Exception {
        start();
        t = signedOn("TALLY001");
    }

    private MessageView status(ISOMsg sale) throws Exception {
        return MessageView.of(t.exchange(t.statusOf(sale)));
    }

    @Test
    void approvedSaleIsReportedWithItsRrnAuthCodeAndCredit() throws Exception {
        ISOMsg sale = t.saleRequest(VISA, 1500, "INV-S1").build();
        MessageView answer = MessageView.of(t.exchange((ISOMsg) sale.clone()));
        MessageView s = status(sale);
        assertEquals("0110", s.mti());
        assertEquals("00", s.responseCode());
        assertEquals("INV-S1", s.orderReference().orElseThrow());
        StatusAnswer a = s.statusAnswer().orElseThrow();
        assertEquals(OriginalState.APPROVED, a.state());
        assertEquals("00", a.originalResponseCode());
        assertEquals(1500, a.amount());
        assertEquals(CreditState.CREDITED, a.credit());
        assertEquals(ledger().businessDate(), a.creditDate());
        assertEquals(answer.rrn(), s.rrn());
        assertEquals(answer.authCode(), s.authCode());
    }

    @Test
    void saleWhoseAnswerWasDroppedIsApprovedAndPendingCreditIsReported() throws Exception {
        ISOMsg dropped = t.saleRequest(VISA, 1069, "INV-S69").build();
        t.send((ISOMsg) dropped.clone());
        t.receiveWithin(Duration.ofMillis(500));
        t.connect();
        assertEquals(OriginalState.APPROVED, status(dropped).statusAnswer().orElseThrow().state());

        ISOMsg delayed = t.saleRequest(VISA, 1078, "INV-S78").build();
        t.exchange((ISOMsg) delayed.clone());
        StatusAnswer a = status(delayed).statusAnswer().orElseThrow();
        assertEquals(CreditState.PENDING, a.credit());
        assertEquals(ledger().businessDate().plusDays(1), a.creditDate());

        ISOMsg never = t.saleRequest(VISA, 1077, "INV-S77").build();
        t.exchange((ISOMsg) never.clone());
        StatusAnswer n = status(never).statusAnswer().orElseThrow();
        assertEquals(CreditState.NOT_CREDITED, n.credit());
        assertNull(n.creditDate());
    }

    /**
     * An inquiry names its sale by key (field 90) and by order (62); a key whose sale has another order reference
     * (a new journal reusing an older one's STANs) is not this order's sale: answered as unknown, with a WARN. Before,
     * ORDER-B's inquiry got ORDER-A's approval (RRN, auth code, STATE=APPROVED).
     */
    @Test
    void aKeyWhoseSaleHasAnotherOrderReferenceIsAnsweredAsNotFound() throws Exception {
        ISOMsg saleA = t.saleRequest(VISA, 1500, "ORDER-A").build();
        assertEquals("00", MessageView.of(t.exchange((ISOMsg) saleA.clone())).responseCode());
        ISOMsg asB = (ISOMsg) saleA.clone();
        asB.set(62, "ORDER-B");
        MessageView[] answer = new MessageView[1];
        String log = LogCapture.during(() -> answer[0] = MessageView.of(t.exchange(t.statusOf(asB))));
        assertTrue(log.contains("WARN") && log.contains("for order ORDER-B") && log.contains("for order ORDER-A")
                && log.contains("answered as not found (25)"), log);
        MessageView s = answer[0];
        assertEquals("25", s.responseCode());
        assertEquals("ORDER-B", s.orderReference().orElseThrow());
        assertNull(s.rrn(), "no RRN of another order's sale");
        assertNull(s.authCode(), "no auth code of another order's sale");
        StatusAnswer a = s.statusAnswer().orElseThrow();
        assertEquals(OriginalState.NOT_FOUND, a.state());
        assertEquals("STATE=NOT_FOUND;RC=--;AMOUNT=000000000000;CREDIT=NONE", a.encode());
        // the inquiry that carries the sale's own order still finds it
        assertEquals(OriginalState.APPROVED, status(saleA).statusAnswer().orElseThrow().state());
    }

    /**
     * Field 90 names the sale (original MTI 0200). An inquiry or a reversal naming another MTI under a sale's STAN and
     * field 7 is a format error: 30, with nothing reported or undone, and the log names field 90. Before, the MTI was
     * not read: the inquiry reported the 0200's approval and the reversal would have undone it.
     */
    @Test
    void anInquiryOrAReversalNamingAnotherMtiThanTheSaleIsAFormatError() throws Exception {
        long before = ledger().balance("visa-1");
        ISOMsg sale = t.saleRequest(VISA, 1500, "INV-S90").build();
        MessageView approved = MessageView.of(t.exchange((ISOMsg) sale.clone()));
        assertEquals("00", approved.responseCode());
        MessageView s = MessageView.of(sale);
        String notTheSale = new OriginalData("0100", s.stan(), s.transmissionDateTime()).encode();
        ISOMsg status = t.statusOf(sale);
        status.set(90, notTheSale);
        ISOMsg reversal = t.reversalOf(sale, t.nextStan(), false, ReversalReason.OTHER);
        reversal.set(90, notTheSale);
        for (ISOMsg m : new ISOMsg[] {status, reversal}) {
            MessageView[] answer = new MessageView[1];
            String log = LogCapture.during(() -> answer[0] = MessageView.of(t.exchange(m)));
            assertEquals("30", answer[0].responseCode(), answer[0].mti());
            assertNull(answer[0].rrn(), "nothing of the sale reported");
            assertTrue(answer[0].statusAnswer().isEmpty(), "nothing of the sale reported");
            assertTrue(log.contains("field 90 (original data elements): original MTI must be 0200"), log);
        }
        assertEquals(TxnState.APPROVED, onlyTxn("TALLY001", "INV-S90").state(), "not reversed");
        assertEquals(0, onlyTxn("TALLY001", "INV-S90").reversalCount());
        assertEquals(before - 1500, ledger().balance("visa-1"), "the debit stands");
        // named as the sale it is, the inquiry finds it
        assertEquals(OriginalState.APPROVED, status(sale).statusAnswer().orElseThrow().state());
    }

    @Test
    void declinedReversedAndUnknownSales() throws Exception {
        ISOMsg declined = t.saleRequest(VISA, 1005, "INV-S05").build();
        t.exchange((ISOMsg) declined.clone());
        StatusAnswer d = status(declined).statusAnswer().orElseThrow();
        assertEquals(OriginalState.DECLINED, d.state());
        assertEquals("05", d.originalResponseCode());
        assertEquals(CreditState.NONE, d.credit());

        ISOMsg reversed = t.saleRequest(VISA, 1200, "INV-SREV").build();
        t.exchange((ISOMsg) reversed.clone());
        t.exchange(t.reversalOf(reversed, t.nextStan(), false, ReversalReason.OTHER));
        StatusAnswer r = status(reversed).statusAnswer().orElseThrow();
        assertEquals(OriginalState.REVERSED, r.state());
        assertEquals(CreditState.NONE, r.credit());

        ISOMsg dropped = t.saleRequest(VISA, 1068, "INV-S68").build(); // .68: the host never saw it
        t.send((ISOMsg) dropped.clone());
        t.receiveWithin(Duration.ofMillis(500));
        t.connect();
        MessageView unknown = status(dropped);
        assertEquals("25", unknown.responseCode());
        assertEquals(OriginalState.NOT_FOUND, unknown.statusAnswer().orElseThrow().state());
    }
}
