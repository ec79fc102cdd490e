package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import java.util.Random;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

class MessageDecoderTest {

    private static final TestCard CARD = TestCards.bundled().defaultCard();

    private static ISOMsg sale() {
        return MessageBuilder.request(MessageType.SALE).pan(CARD.pan()).expiry(YearMonth.of(2030, 12)).amount(1234)
                .transmissionDateTime("1122104107").stan(7).localDateTime(LocalDateTime.of(2026, 11, 22, 10, 41, 7))
                .posEntryMode("011").posConditionCode("00").terminalId("TALLY001").merchantId("HOSPITAL0000001")
                .currency("840").orderReference("INV-7").iccData(HexFormat.of().parseHex(
                        "9F2608A1B2C3D4E5F607089F2701809F360200319A032611229C01005A0847617390010101195F2A020840"))
                .build();
    }

    @Test
    void decodesWithAndWithoutHeaderToTheSameFields() {
        byte[] body = Iso87.pack(sale());
        byte[] framed = Framing.frame(body, Framing.DEFAULT_TPDU);
        byte[] tpduOnly = Arrays.copyOfRange(framed, 2, framed.length);
        DecodedMessage a = MessageDecoder.decode(body);
        DecodedMessage b = MessageDecoder.decode(framed);
        DecodedMessage c = MessageDecoder.decode(tpduOnly);
        assertEquals(a.fields(), b.fields());
        assertEquals(a.fields(), c.fields());
        assertEquals("6000010000", b.tpdu());
        assertTrue(b.framing().startsWith("length header + TPDU"));
        assertEquals("0200", a.mti());
        assertEquals("SALE request", a.messageType());
    }

    /**
     * A bare body (no length header, no TPDU) whose bitmap starts 0x60 (fields 2 and 3, none of 4-8): another
     * terminal's 0200 without amount and field 7, or a host's 0210 that echoes the PAN. Its MTI and that 0x60 read as
     * a length header and a TPDU too; before, decode took them so and refused the message ("length header at offset 0
     * says 512 bytes but 96 follow"). The reading that reads completely is shown.
     */
    @Test
    void aBareBodyWhoseBitmapStartsWith0x60IsNotTakenForALengthHeaderAndATpdu() {
        ISOMsg request = sale();
        request.set(3, "310000");
        request.unset(4);
        request.unset(7);
        ISOMsg response = MessageBuilder.responseTo(sale()).responseCode("00").rrn("000000000042").buildWithoutMac();
        response.set(2, CARD.pan());
        response.unset(4);
        response.unset(7);
        for (ISOMsg m : List.of(request, response)) {
            byte[] body = Iso87.pack(m);
            assertEquals(0x60, body[2] & 0xFF, "the bitmap's first byte is the TPDU id");
            DecodedMessage d = MessageDecoder.decode(body);
            assertEquals(m.getString(0), d.mti());
            assertEquals("body (" + body.length + " bytes)", d.framing());
            assertEquals(null, d.tpdu());
            assertEquals(MessageDecoder.describe(m).fields(), d.fields());
            assertFalse(d.render().contains(CARD.pan()), "full PAN in the dump");
            // the same message framed still reads as framed
            DecodedMessage framed = MessageDecoder.decode(Framing.frame(body, Framing.DEFAULT_TPDU));
            assertEquals("length header + TPDU + body (" + body.length + " bytes)", framed.framing());
            assertEquals(d.fields(), framed.fields());
        }
        // cut short, neither reading reads: both are named, the framed one first
        byte[] cut = Arrays.copyOf(Iso87.pack(request), 30);
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(cut));
        assertTrue(e.getMessage().startsWith("length header at offset 0 says 512 bytes but 28 follow; read as a bare body"
                + " (no length header, no TPDU) instead: message ends at offset 30 but the bitmap says field 14"), e.getMessage());
    }

    /** A bare 0200 of 514 bytes: its MTI, 0x0200, is also the length of what follows it. */
    @Test
    void aBareBodyWhoseMtiEqualsTheBytesThatFollowIsNotTakenForALengthHeader() {
        ISOMsg m = sale();
        m.set(63, "");
        int pad = 514 - Iso87.pack(m).length;
        m.set(63, "X".repeat(pad));
        byte[] body = Iso87.pack(m);
        assertEquals(514, body.length);
        DecodedMessage d = MessageDecoder.decode(body);
        assertEquals("body (514 bytes)", d.framing());
        assertEquals(MessageDecoder.describe(m).fields(), d.fields());
    }

    /**
     * Bytes that read completely both as length header + TPDU + body and as a bare body: the framed reading is shown
     * (docs/support.md §2) and the framing line names the other. Read bare: MTI 0013, fields 2 (empty), 3 and 47;
     * framed: MTI 0200, fields 54 and 56 (both empty).
     */
    @Test
    void bytesThatReadBothWaysAreShownFramedAndTheOtherReadingIsNamed() {
        byte[] raw = HexFormat.of().parseHex("0013" + "6000000000" + "0200" + "0000000000000500" + "0000" + "0000");
        DecodedMessage d = MessageDecoder.decode(raw);
        assertEquals("0200", d.mti());
        assertEquals("6000000000", d.tpdu());
        assertEquals("length header + TPDU + body (14 bytes); also reads as a bare body (MTI 0013, no length header,"
                + " no TPDU): the framed reading is shown", d.framing());
        assertEquals(List.of(54, 56), d.fields().stream().map(DecodedMessage.DecodedField::number).toList());
    }

    @Test
    void aReadBitmapIsNotKeptAndASecondaryBitWithNoFieldAbove64PacksAsAPrimaryBitmapOnly() {
        byte[] body = Iso87.pack(sale());
        // the same fields behind a bitmap that claims a secondary bitmap of zeros: 8 more bytes after the primary
        byte[] claimed = new byte[body.length + 8];
        System.arraycopy(body, 0, claimed, 0, 10);
        claimed[2] |= (byte) 0x80;
        System.arraycopy(body, 10, claimed, 18, body.length - 10);
        ISOMsg m = Iso87.unpack(claimed);
        assertFalse(m.hasField(1), "the bitmap as read stays out of the message");
        assertEquals(MessageDecoder.decode(body).fields(), MessageDecoder.decode(claimed).fields());
        assertTrue(Arrays.equals(body, Iso87.pack(m)), "packed again: the bitmap the fields make, primary only");
    }

    @Test
    void theDumpIsMaskedAndNamed() {
        String hex = HexFormat.of().formatHex(Framing.frame(Iso87.pack(sale()), Framing.DEFAULT_TPDU));
        // spaces and line breaks are allowed in hex input
        String spaced = hex.replaceAll("(.{2})", "$1 ").replaceAll("(.{48})", "$1\n");
        DecodedMessage d = MessageDecoder.decodeHex(spaced);
        String text = d.render();
        assertTrue(text.contains("476173******0119"), text);
        assertFalse(text.contains(CARD.pan()), "full PAN in the dump");
        assertFalse(text.contains("3012") && text.contains("DATE, EXPIRATION                         3012"), "expiry shown");
        assertTrue(text.contains("AMOUNT, TRANSACTION"));
        assertTrue(text.contains("INV-7"));
        // field 55 by tag: cryptogram hidden, amount-free tags shown, PAN tag masked
        assertTrue(text.contains("Application Cryptogram") && text.contains("[hidden]"), text);
        assertFalse(text.contains("A1B2C3D4E5F60708"), "cryptogram shown");
        assertTrue(text.contains("Application Transaction Counter"));
        assertTrue(text.contains("0031"));
        assertFalse(text.contains("4761739001010119"), "PAN in tag 5A shown");
        assertFalse(d.toMap().toString().contains(CARD.pan()));
    }

    /**
     * Another terminal's message may carry a card number inside a longer run of digits, in a field Tally leaves to
     * free text (48, private fields): not shown whole. Tally's own fields are, however many digits they hold.
     */
    @Test
    void aCardNumberInsideOtherDigitsIsNotShown() throws Exception {
        ISOMsg m = sale();
        m.set(48, CARD.pan() + "0000");
        m.set(120, "X" + CARD.pan() + "12");
        m.set(42, "429000012345878"); // a numeric merchant id whose first 13 digits pass Luhn
        m.set(62, "12345678901237567"); // a numeric order reference Tally accepts, a prefix passing Luhn
        m.set(90, "020000001611221041070000000000000000000000");
        String text = MessageDecoder.describe(m).render() + MessageDecoder.describe(m).toMap();
        assertFalse(text.contains(CARD.pan().substring(6, 12)), text);
        assertTrue(text.contains("476173**********0000"), "field 48, first 6 + last 4 of the run: " + text);
        assertTrue(text.contains("X476173********1912"), "field 120: " + text);
        for (String whole : new String[] {"429000012345878", "12345678901237567", "020000001611221041070000000000000000000000"}) {
            assertTrue(text.contains(whole), whole + " shown whole: " + text);
        }
    }

    /** A double-length key in hex, as another terminal's private field might carry one. */
    static final String KEY = "0123456789ABCDEFFEDCBA9876543210";

    /**
     * Fields the dialect gives no meaning (reserved, private use) may carry anything another terminal put there: a key
     * or a PIN block in hex is withheld with the field's length, a card number masked; the field is still named and
     * its text shown, in the dump as in --json, whether the message came as hex or from a jPOS XML log.
     */
    @Test
    void aKeyOrPinBlockInAFieldTallyGivesNoMeaningIsWithheldButTheFieldAndItsLengthAreShown() {
        ISOMsg m = sale();
        m.set(120, KEY);
        m.set(127, "POS V2 " + CARD.pan() + " PIN 041234FEDCBA9876");
        m.set(121, "LANE 7");
        String hex = HexFormat.of().formatHex(Framing.frame(Iso87.pack(m), Framing.DEFAULT_TPDU));
        DecodedMessage d = MessageDecoder.decodeHex(hex);
        String text = d.render();
        String json = d.toMap().toString();
        for (String shown : new String[] {text, json}) {
            assertFalse(shown.contains(KEY) || shown.contains("FEDCBA98"), shown);
            assertFalse(shown.contains(CARD.pan()), shown);
            assertTrue(shown.contains("[redacted] (32 characters)"), "field 120: " + shown);
            assertTrue(shown.contains("POS V2 476173******0119 PIN " + Masking.BYTES_WITHHELD + " (44 characters)"),
                    "field 127: " + shown);
            assertTrue(shown.contains("LANE 7"), "a short text shown as it is: " + shown);
        }
        assertTrue(text.contains("120  RESERVED PRIVATE USE"), text);
        // the same from jPOS's XML log, as support gets it from another system
        String xml = "<log realm=\"channel/10.0.0.1:8583\" at=\"2026-11-22T10:41:07.101Z\"><receive><isomsg>"
                + "<field id=\"0\" value=\"0200\"/><field id=\"3\" value=\"000000\"/><field id=\"11\" value=\"000007\"/>"
                + "<field id=\"120\" value=\"" + KEY + "\"/></isomsg></receive></log>";
        String fromLog = DumpReader.decodeAll(xml).getFirst().render();
        assertFalse(fromLog.contains(KEY), fromLog);
        assertTrue(fromLog.contains("[redacted] (32 characters)"), fromLog);
    }

    /**
     * A key or PIN block another system put in a text field Tally gives a meaning (48, 60, 63) is withheld as in a
     * private field; Tally's own values there (a status answer, a batch number, totals) are shown as they are.
     */
    @Test
    void aKeyInAFieldOfTallysOwnMeaningIsWithheldAndTallysOwnValuesAreShown() {
        ISOMsg m = sale();
        m.set(48, "KEYS PIN=" + KEY + " MAC=00112233445566AA");
        m.set(60, "ZMK " + KEY);
        m.set(63, KEY);
        String text = MessageDecoder.decodeHex(HexFormat.of().formatHex(Framing.frame(Iso87.pack(m),
                Framing.DEFAULT_TPDU))).render();
        assertFalse(text.contains(KEY) || text.contains("FEDCBA98") || text.contains("00112233445566AA"), text);
        assertTrue(text.contains("KEYS PIN=[redacted] MAC=" + Masking.BYTES_WITHHELD + " (62 characters)"), text);
        assertTrue(text.contains("ZMK [redacted] (36 characters)") && text.contains("[redacted] (32 characters)"), text);

        ISOMsg own = sale();
        own.set(48, "STATE=APPROVED;RC=00;AMOUNT=000000001234;CREDIT=PENDING");
        own.set(60, "02000001231122104107");
        own.set(63, "000001000000001234000000000000000000");
        own.set(54, "0002840C0000001000000002840D000000000500"); // two balances: C or D among digits is no key
        String shown = MessageDecoder.decodeHex(HexFormat.of().formatHex(Framing.frame(Iso87.pack(own),
                Framing.DEFAULT_TPDU))).render();
        for (String value : List.of("STATE=APPROVED;RC=00;AMOUNT=000000001234;CREDIT=PENDING", "02000001231122104107",
                "000001000000001234000000000000000000", "0002840C0000001000000002840D000000000500")) {
            assertTrue(shown.contains(value), value + " in " + shown);
        }
        assertFalse(shown.contains(Masking.BYTES_WITHHELD), shown);
    }

    /** Another system's settlement amounts (n16, n42) are numbers support needs, not bytes to withhold. */
    @Test
    void theNumbersOfAFieldTallyGivesNoMeaningAreShown() {
        ISOMsg m = sale();
        m.set(88, "0000000000123456");
        m.set(95, "000000001234000000000000000000000000000000");
        DecodedMessage d = MessageDecoder.decodeHex(HexFormat.of().formatHex(Framing.frame(Iso87.pack(m),
                Framing.DEFAULT_TPDU)));
        String text = d.render();
        assertTrue(text.contains("0000000000123456") && !text.contains(Masking.BYTES_WITHHELD), text);
        assertTrue(text.contains("000000001234000000000000000000000000000000"), text);
    }

    @Test
    void truncatedInputNamesTheFieldAndOffset() {
        byte[] body = Iso87.pack(sale());
        byte[] cut = Arrays.copyOf(body, body.length - 10); // inside field 62 / 55
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(cut));
        assertTrue(e.field() > 0, e.getMessage());
        assertTrue(e.getMessage().contains("field " + e.field()), e.getMessage());
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void aWrongLengthHeaderIsNamed() {
        byte[] framed = Framing.frame(Iso87.pack(sale()), Framing.DEFAULT_TPDU);
        framed[1] = (byte) (framed[1] + 3);
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(framed));
        assertTrue(e.getMessage().startsWith("length header at offset 0 says"), e.getMessage());
    }

    @Test
    void aBitmapClaimingAbsentFieldsIsNamed() {
        ISOMsg echo = MessageBuilder.request(MessageType.SETTLEMENT).transmissionDateTime("1122104107").stan(9)
                .terminalId("TALLY001").merchantId("HOSPITAL0000001").batchNumber(1)
                .settlementTotals(dev.tally.spec.message.SettlementTotals.ZERO).buildWithoutMac();
        byte[] body = Iso87.pack(echo);
        // claim field 64 (last bit of the primary bitmap, bytes 2..9) without sending it
        body[2 + 7] |= 0x01;
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(body));
        assertEquals(64, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains("bitmap says field 64"), e.getMessage());
        assertEquals(body.length, e.offset());
    }

    @Test
    void nonBcdDigitsAreNamed() {
        byte[] body = Iso87.pack(sale());
        // MTI 2 + bitmap 8 + PAN (1 length + 8) + processing code 3 = offset 22 is the amount (field 4)
        body[22] = (byte) 0xAB;
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(body));
        assertEquals(4, e.field(), e.getMessage());
        assertEquals(22, e.offset());
        assertTrue(e.getMessage().contains("non-BCD digit"), e.getMessage());
    }

    /**
     * Field 35 in its standard form, the PAN, the separator (BCD nibble D, jPOS's '='), then digits, decodes and is
     * shown [hidden] (docs/support.md §2): neither its PAN nor its discretionary data is printed. A field 35 that is
     * no track 2 is named with its offset, its content never quoted. Before, a well-formed track 2 was refused:
     * "holds a non-BCD digit ('=' at digit 17)".
     */
    @Test
    void aTrack2WithItsSeparatorDecodesHiddenAndGarbageInItIsNamed() {
        String discretionary = "1011234567890";
        ISOMsg m = sale();
        m.set(35, CARD.pan() + "=3012" + discretionary);
        byte[] body = Iso87.pack(m);
        DecodedMessage d = MessageDecoder.decode(body);
        String shown = d.render() + d.toMap();
        assertTrue(shown.contains("TRACK 2 DATA") && shown.contains("[hidden]"), shown);
        assertFalse(shown.contains(CARD.pan()), "full PAN of the track shown");
        assertFalse(shown.contains(discretionary), "discretionary data shown");

        // the separator's nibble D made an A: not a track 2
        int sep = -1;
        for (int i = 0; i + 1 < body.length; i++) {
            if (body[i] == 0x19 && body[i + 1] == (byte) 0xD3) {
                sep = i + 1;
            }
        }
        assertTrue(sep > 0, "the separator is the nibble D on the wire");
        byte[] garbled = body.clone();
        garbled[sep] = (byte) 0xA3;
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(garbled));
        assertEquals(35, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains("field 35 (TRACK 2 DATA) at offset") && e.getMessage().contains("is not a track 2")
                && e.getMessage().contains("character 17"), e.getMessage());
        assertFalse(e.getMessage().contains(CARD.pan().substring(6, 12)), e.getMessage());

        ISOMsg twice = sale();
        twice.set(35, CARD.pan() + "=30=12" + discretionary);
        MessageFormatException t = assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(Iso87.pack(twice)));
        assertTrue(t.getMessage().contains("one separator"), t.getMessage());
        assertFalse(t.getMessage().contains(discretionary), t.getMessage());
    }

    @Test
    void trailingBytesAreNamed() {
        byte[] body = Iso87.pack(sale());
        byte[] longer = Arrays.copyOf(body, body.length + 3);
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(longer));
        assertTrue(e.getMessage().startsWith("3 bytes left over at offset " + body.length), e.getMessage());
    }

    @Test
    void badHexIsNamed() {
        assertTrue(assertThrows(MessageFormatException.class, () -> MessageDecoder.decodeHex("0200 zz"))
                .getMessage().contains("'z' at position 5"));
        assertTrue(assertThrows(MessageFormatException.class, () -> MessageDecoder.decodeHex("020"))
                .getMessage().contains("odd number of hex digits"));
        assertThrows(MessageFormatException.class, () -> MessageDecoder.decode(new byte[0]));
    }

    @Test
    void hexIsReadAsWrittenWithSpacesLineBreaksAndPrefix() {
        byte[] body = Iso87.pack(sale());
        String hex = HexFormat.of().formatHex(body);
        String spaced = "  0X" + hex.substring(0, 10).toUpperCase() + " \n\t" + hex.substring(10, 31) + "\r\n" + hex.substring(31) + " ";
        assertEquals(MessageDecoder.decode(body).render(), MessageDecoder.decodeHex(spaced).render());
        // the bitmap shown is the one on the wire: the 8 bytes after the 2-byte BCD MTI
        assertEquals(HexFormat.of().withUpperCase().formatHex(body, 2, 10), MessageDecoder.decodeHex(hex).bitmap());
    }

    @Test
    void digitsOfOtherScriptsAreNotHex() {
        // Character.digit takes a full-width or Arabic-Indic digit as a hex digit; the decoder must not (it used to
        // pass them on and fail outside its own error handling)
        for (String bad : new String[]{"02\uFF100", "0200\u0660", "\uFF21B"}) {
            MessageFormatException e = assertThrows(MessageFormatException.class, () -> MessageDecoder.decodeHex(bad));
            assertTrue(e.getMessage().contains("is not a hex digit"), e.getMessage());
        }
        assertTrue(assertThrows(MessageFormatException.class, () -> MessageDecoder.decodeHex("02\uFF100"))
                .getMessage().contains("at position 2"));
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButAFormatError() {
        Random rnd = new Random(8583);
        byte[] good = Iso87.pack(sale());
        for (int i = 0; i < 20_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[rnd.nextInt(200)];
                rnd.nextBytes(b);
            } else {
                b = good.clone();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            }
            try {
                MessageDecoder.decode(b).render();
            } catch (MessageFormatException expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
            }
        }
    }
}
