package dev.tally.spec.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.MessageDecoder;
import java.time.LocalDate;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Build → MAC → pack → frame → decode → view, for every message of the catalogue, both directions. */
class RoundTripTest {

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void requestSurvivesTheWire(MessageType type) {
        ISOMsg built = SampleMessages.request(type);
        if (type.spec().macked()) {
            MessageMac.apply(built, SampleMessages.MAC_KEY);
        }
        byte[] wire = Framing.frame(Iso87.pack(built), Framing.DEFAULT_TPDU);
        ISOMsg back = MessageDecoder.decode(wire).message();

        assertEquals(built.getString(0), back.getString(0));
        for (int f = 2; f <= 128; f++) {
            assertEquals(built.hasField(f), back.hasField(f), "presence of field " + f);
            if (built.hasField(f)) {
                if (built.getComponent(f) instanceof org.jpos.iso.ISOBinaryField) {
                    assertArrayEquals(built.getBytes(f), back.getBytes(f), "field " + f);
                } else {
                    assertEquals(built.getString(f), back.getString(f), "field " + f);
                }
            }
        }
        assertTrue(MessageValidator.check(back).isEmpty(), () -> MessageValidator.check(back).toString());
        assertEquals(type, MessageView.of(back).type().orElseThrow());
        if (type.spec().macked()) {
            assertTrue(MessageMac.verify(back, SampleMessages.MAC_KEY), "MAC verifies after the round trip");
        }
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void responseSurvivesTheWireAndEchoesTheRequest(MessageType type) {
        ISOMsg req = SampleMessages.request(type);
        ISOMsg resp = SampleMessages.response(type);
        ISOMsg back = Iso87.unpack(Iso87.pack(resp));
        MessageView v = MessageView.of(back);

        assertEquals(type.spec().responseMti(), v.mti());
        assertTrue(v.isResponse());
        // a 0410 answers a 0400 and its 0401 repeats alike
        MessageType expected = type == MessageType.REVERSAL_REPEAT ? MessageType.REVERSAL : type;
        assertEquals(expected, v.type().orElseThrow());
        assertEquals("00", v.responseCode());
        assertEquals(MessageView.of(req).stan(), v.stan());
        assertEquals(MessageView.of(req).terminalId(), v.terminalId());
        if (type.spec().responseMandatory().contains(Field.ORDER_REFERENCE.number())) {
            assertEquals(MessageView.of(req).orderReference(), v.orderReference());
        }
        assertTrue(MessageValidator.check(back).isEmpty(), () -> MessageValidator.check(back).toString());
    }

    @org.junit.jupiter.api.Test
    void typedFieldsReadBackAsBuilt() {
        MessageView sale = MessageView.of(Iso87.unpack(Iso87.pack(SampleMessages.request(MessageType.SALE))));
        assertEquals(SampleMessages.CARD.pan(), sale.pan());
        assertEquals("476173******0119", sale.maskedPan());
        assertEquals(1234, sale.amount());
        assertEquals(123, sale.stan());
        assertEquals("1122104107", sale.transmissionDateTime());
        assertEquals(SampleMessages.CARD.expiry(), sale.expiry().orElseThrow());
        assertEquals("INV-2026-0001", sale.orderReference().orElseThrow());

        MessageView rev = MessageView.of(Iso87.unpack(Iso87.pack(SampleMessages.request(MessageType.REVERSAL))));
        assertEquals(new OriginalData("0200", 122, "1122104000"), rev.originalData().orElseThrow());
        assertEquals("98", rev.reversalReason().orElseThrow().code());

        MessageView settle = MessageView.of(Iso87.unpack(Iso87.pack(SampleMessages.request(MessageType.SETTLEMENT))));
        assertEquals(new SettlementTotals(3, 4567, 0, 0), settle.settlementTotals().orElseThrow());
        assertEquals(1, settle.batchNumber());

        MessageView status = MessageView.of(Iso87.unpack(Iso87.pack(SampleMessages.response(MessageType.STATUS_INQUIRY))));
        StatusAnswer a = status.statusAnswer().orElseThrow();
        assertEquals(StatusAnswer.OriginalState.APPROVED, a.state());
        assertEquals(StatusAnswer.CreditState.PENDING, a.credit());
        assertEquals(LocalDate.of(2026, 11, 23), a.creditDate());

        MessageView balance = MessageView.of(Iso87.unpack(Iso87.pack(SampleMessages.response(MessageType.BALANCE_INQUIRY))));
        assertEquals(new Balance(1_000_000, "840"), balance.balance().orElseThrow());

        MessageView upload = MessageView.of(Iso87.unpack(Iso87.pack(SampleMessages.request(MessageType.BATCH_UPLOAD))));
        assertEquals("02000001221122104000", upload.uploadOriginal().orElseThrow());
    }
}
