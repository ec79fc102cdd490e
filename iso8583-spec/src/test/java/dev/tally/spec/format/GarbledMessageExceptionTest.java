package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.HexFormat;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** What a support engineer reads when the host's bytes do not unpack: the size, the MTI, the field; no secret. */
class GarbledMessageExceptionTest {

    private static final TestCard CARD = TestCards.bundled().defaultCard();

    /** The simulator's garbage answer (host-simulator Delivery): an 0210 whose bitmap claims 8 bytes that are not there. */
    private static final byte[] SIMULATOR_GARBAGE = HexFormat.of().parseHex("0210FFFFFFFFFFFFFFFF474152424C4544");

    @Test
    void theSimulatorsGarbageIsNamedBySizeMtiAndTheBitmapNotByJposWords() {
        GarbledMessageException e = assertThrows(GarbledMessageException.class, () ->
                new WireChannel(Iso87.packager(), Framing.DEFAULT_TPDU.clone()) {
                    void read(byte[] body) throws org.jpos.iso.ISOException {
                        unpack(createISOMsg(), body);
                    }
                }.read(SIMULATOR_GARBAGE));
        assertEquals("17 bytes after the TPDU, MTI 0210: the bitmap at offset 2 runs past the end of the message",
                e.getMessage());
        assertEquals(e.getMessage(), e.description());
        assertTrue(e.getCause() != null, "jPOS's own reason is kept as the cause, for a stack trace");
    }

    @Test
    void aMessageWithACardNumberNamesTheFieldThatFailsAndNeverAByteOfIt() {
        ISOMsg sale = MessageBuilder.request(MessageType.SALE).pan(CARD.pan()).expiry(YearMonth.of(2030, 12))
                .amount(1234).transmissionDateTime("1122104107").stan(7)
                .localDateTime(LocalDateTime.of(2026, 11, 22, 10, 41, 7)).posEntryMode("011").posConditionCode("00")
                .terminalId("TALLY001").merchantId("HOSPITAL0000001").currency("840").orderReference("INV-7").build();
        byte[] body = Iso87.pack(sale);
        byte[] cut = Arrays.copyOf(body, body.length - 3); // the last field runs short
        String d = GarbledMessageException.describe(cut);
        assertTrue(d.matches(cut.length + " bytes after the TPDU, MTI 0200: field \\d+ \\([A-Z ]+\\) at offset \\d+"
                + " runs past the end of the message"), d);
        assertFalse(d.contains(CARD.pan()) || d.contains(CARD.pan().substring(0, 6)), d);
        assertFalse(d.matches("(?s).*(\\p{XDigit}{2}[ :]?){8,}.*"), "no bytes as hex: " + d);
        assertFalse(d.contains("Exception") || d.contains("Index") || d.contains("consumed"), d);
    }

    @Test
    void aStanThatIsNotBcdIsNamed() {
        byte[] body = echoAnswer();
        garbleStan(body);
        assertEquals(body.length + " bytes after the TPDU, MTI 0810: field 11 (SYSTEM TRACE AUDIT NUMBER) at offset 23 holds a digit that is"
                + " not BCD", GarbledMessageException.describe(body));
    }

    /**
     * A frame that unpacked but could not be matched to a request: when every field reads, it is said that its terminal
     * id, STAN or MTI cannot be read, not that "the message as a whole does not unpack" (it did); a field that does
     * not read is named as for any garbled frame.
     */
    @Test
    void anUnmatchableFrameThatUnpackedIsNotSaidNotToUnpack() {
        byte[] body = echoAnswer();
        assertEquals(body.length + " bytes after the TPDU, MTI 0810: it unpacks, but its terminal id, STAN or MTI cannot"
                + " be read", GarbledMessageException.describeUnmatchable(body));
        garbleStan(body);
        assertEquals(body.length + " bytes after the TPDU, MTI 0810: field 11 (SYSTEM TRACE AUDIT NUMBER) at offset 23 holds"
                + " a digit that is not BCD", GarbledMessageException.describeUnmatchable(body));
    }

    @Test
    void bytesThatAreNoMessageAtAllSaySo() {
        assertEquals("1 byte after the TPDU, no readable MTI: the MTI at offset 0 runs past the end of the message",
                GarbledMessageException.describe(new byte[] {0x47}));
        assertInstanceOf(String.class, GarbledMessageException.describe(new byte[0]));
    }

    /** An 0810 of STAN 987654, whose BCD bytes (98 76 54) occur nowhere else in it, packed. */
    private static byte[] echoAnswer() {
        return Iso87.pack(MessageBuilder.responseTo(MessageBuilder.request(MessageType.ECHO).stan(987_654)
                .transmissionDateTime("0101000000").terminalId("TALLY001").build()).responseCode("00").build());
    }

    /** Field 11's BCD 98 76 54 made 98 0A 54: a nibble that is not a digit. */
    private static void garbleStan(byte[] body) {
        byte[] stan = {(byte) 0x98, 0x76, 0x54};
        for (int i = 0; i + 3 <= body.length; i++) {
            if (Arrays.equals(body, i, i + 3, stan, 0, 3)) {
                body[i + 1] = 0x0A;
            }
        }
    }
}
