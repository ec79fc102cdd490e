package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageValidator;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OriginalData;
import java.time.YearMonth;
import java.util.HexFormat;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/**
 * Messages written by {@link IndependentEncoder} (SPEC.md alone, no jPOS) decode to the same fields,
 * and Tally's builder writes the same bytes for the same content.
 */
class InteropTest {

    private static final byte[] MAC = HexFormat.of().parseHex("0102030405060708");

    @Test
    void aSaleFromAnotherImplementationDecodesToTheSameFields() {
        IndependentEncoder other = new IndependentEncoder("0200")
                .set(2, "4761739001010119").set(3, "000000").set(4, "000000001234").set(7, "1122104107")
                .set(11, "000123").set(12, "104107").set(13, "1122").set(14, "3012").set(22, "011").set(25, "00")
                .set(41, "TALLY001").set(42, "HOSPITAL0000001").set(49, "840").set(62, "INV-2026-0001").set(64, MAC);
        byte[] wire = Framing.frame(other.encode(), Framing.DEFAULT_TPDU);

        MessageView v = MessageView.of(MessageDecoder.decode(wire).message());
        assertEquals("0200", v.mti());
        assertEquals(MessageType.SALE, v.type().orElseThrow());
        assertEquals("4761739001010119", v.pan());
        assertEquals(1234, v.amount());
        assertEquals("1122104107", v.transmissionDateTime());
        assertEquals(123, v.stan());
        assertEquals(YearMonth.of(2030, 12), v.expiry().orElseThrow());
        assertEquals("TALLY001", v.terminalId());
        assertEquals("HOSPITAL0000001", v.merchantId());
        assertEquals("INV-2026-0001", v.orderReference().orElseThrow());
        assertArrayEquals(MAC, v.mac().orElseThrow());
        assertTrue(MessageValidator.check(MessageDecoder.decode(wire).message()).isEmpty());

        ISOMsg ours = MessageBuilder.request(MessageType.SALE).pan("4761739001010119").amount(1234)
                .transmissionDateTime("1122104107").stan(123).localTime("104107").localDate("1122")
                .expiry(YearMonth.of(2030, 12)).posEntryMode("011").posConditionCode("00").terminalId("TALLY001")
                .merchantId("HOSPITAL0000001").currency("840").orderReference("INV-2026-0001").build();
        ours.set(64, MAC);
        assertArrayEquals(other.encode(), Iso87.pack(ours), "same content, same bytes");
    }

    @Test
    void aReversalWithSecondaryBitmapAndAnOddLengthPan() {
        // 15-digit PAN (odd, right-padded nibble), field 90 forces a secondary bitmap, MAC in 128
        IndependentEncoder other = new IndependentEncoder("0400")
                .set(2, "371449635398431").set(3, "000000").set(4, "000000005000").set(7, "1122104500")
                .set(11, "000124").set(12, "104107").set(13, "1122").set(22, "011").set(25, "00").set(39, "98")
                .set(41, "TALLY001").set(42, "HOSPITAL0000001").set(49, "840").set(62, "ORD/77")
                .set(90, new OriginalData("0200", 123, "1122104107").encode()).set(128, MAC);
        byte[] body = other.encode();
        ISOMsg decoded = MessageDecoder.decode(body).message();
        MessageView v = MessageView.of(decoded);
        assertEquals(MessageType.REVERSAL, v.type().orElseThrow());
        assertEquals("371449635398431", v.pan());
        assertEquals("98", v.reversalReason().orElseThrow().code());
        assertEquals(new OriginalData("0200", 123, "1122104107"), v.originalData().orElseThrow());
        assertArrayEquals(MAC, v.mac().orElseThrow());
        assertTrue(MessageValidator.check(decoded).isEmpty(), () -> MessageValidator.check(decoded).toString());
        assertArrayEquals(body, Iso87.pack(decoded), "re-packed by jPOS: the same bytes");
    }

    @Test
    void aSignOnAnswerWithKeyBlocks() {
        String blocks = "P" + "0123456789ABCDEF".repeat(2) + "08D7B4" + "M" + "FEDCBA9876543210".repeat(2) + "1A2B3C";
        byte[] body = new IndependentEncoder("0810").set(7, "1122104107").set(11, "000001").set(39, "00")
                .set(41, "TALLY001").set(61, blocks).set(70, "001").encode();
        DecodedMessage d = MessageDecoder.decode(body);
        assertEquals("SIGN_ON response", d.messageType());
        assertEquals("08D7B4", MessageView.of(d.message()).keyBlocks().orElseThrow().pinKeyKcv());
        assertTrue(!d.render().contains("0123456789ABCDEF"), "key blocks never shown");
    }
}
