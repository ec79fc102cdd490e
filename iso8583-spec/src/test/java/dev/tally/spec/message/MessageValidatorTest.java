package dev.tally.spec.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

class MessageValidatorTest {

    @Test
    void aMissingMandatoryFieldIsNamed() {
        ISOMsg sale = SampleMessages.request(MessageType.SALE);
        sale.unset(4);
        List<MessageValidator.Problem> problems = MessageValidator.check(sale);
        assertEquals(1, problems.size(), problems::toString);
        assertEquals(4, problems.get(0).field());
        assertEquals("field 4 (amount, transaction): missing (mandatory in 0200 SALE)", problems.get(0).toString());
    }

    @Test
    void theBuilderRefusesAnIncompleteMessageNamingEveryField() {
        MessageValidationException e = assertThrows(MessageValidationException.class,
                () -> MessageBuilder.request(MessageType.REVERSAL).stan(5).terminalId("TALLY001").build());
        List<Integer> fields = e.problems().stream().map(MessageValidator.Problem::field).toList();
        assertTrue(fields.containsAll(List.of(2, 4, 7, 39, 62, 90)), fields::toString);
        assertTrue(e.getMessage().contains("field 90 (original data elements): missing"), e.getMessage());
    }

    @Test
    void malformedFieldsAreNamed() {
        assertProblem(f -> f.set(7, "1340250000"), 7, "not a valid date/time");
        assertProblem(f -> f.set(49, "US$"), 49, "ISO 4217");
        assertProblem(f -> f.set(41, "T1"), 41, "exactly 8 characters");
        assertProblem(f -> f.set(62, "order with spaces"), 62, "no spaces");
        assertProblem(f -> f.set(62, "x".repeat(41)), 62, "at most 40");
        assertProblem(f -> f.set(2, "47617390"), 2, "12 to 19 digits");
        assertProblem(f -> f.set(14, "3013"), 14, "month 01..12");
        assertProblem(f -> f.set(11, "000000"), 11, "000000");
        assertProblem(f -> f.set(64, new byte[4]), 64, "8 bytes");
        assertProblem(f -> f.set(4, "00000000012A"), 4, "digits only");
        assertProblem(f -> f.set(22, "01"), 22, "exactly 3 digits");
        assertProblem(f -> {
            try {
                f.set(new ISOMsg(42)); // a composite where the dialect has characters
            } catch (org.jpos.iso.ISOException e) {
                throw new IllegalStateException(e);
            }
        }, 42, "binary data");
    }

    /**
     * Field 90 of a status inquiry or a reversal names the sale it is about: original MTI 0200 (SPEC.md §4.5, §4.6).
     * Before, the MTI was not looked at, and a status inquiry naming an 0100 reported the 0200 under the same STAN and
     * field 7 (a reversal naming it would have undone that sale).
     */
    @Test
    void anInquiryOrAReversalNamesASaleInField90() {
        for (MessageType type : List.of(MessageType.STATUS_INQUIRY, MessageType.REVERSAL)) {
            ISOMsg m = SampleMessages.request(type);
            assertEquals(List.of(), MessageValidator.check(m), type::toString);
            m.set(90, new OriginalData("0100", 122, "1122104000").encode());
            List<MessageValidator.Problem> problems = MessageValidator.check(m);
            assertEquals(List.of(90), problems.stream().map(MessageValidator.Problem::field).toList(), type::toString);
            assertTrue(problems.get(0).toString().contains("original MTI must be 0200 (the sale it is about), got 0100"),
                    problems::toString);
        }
    }

    /**
     * Field 39 of a reversal (0400, 0401) is its reason, one of SPEC.md §7's. Before, any two characters passed, and a
     * host undid the sale for a reason that is none. The answer (0410) carries a response code as any answer does.
     */
    @Test
    void aReversalsReasonIsOneOfTheCatalogues() {
        for (MessageType type : List.of(MessageType.REVERSAL, MessageType.REVERSAL_REPEAT)) {
            for (dev.tally.spec.codes.ReversalReason reason : dev.tally.spec.codes.ReversalReason.values()) {
                ISOMsg m = SampleMessages.request(type);
                m.set(39, reason.code());
                assertEquals(List.of(), MessageValidator.check(m), type + " " + reason);
            }
            for (String code : List.of("ZZ", "00", "05", "99")) {
                ISOMsg m = SampleMessages.request(type);
                m.set(39, code);
                List<MessageValidator.Problem> problems = MessageValidator.check(m);
                assertEquals(List.of(39), problems.stream().map(MessageValidator.Problem::field).toList(), type + " " + code);
                assertEquals("field 39 (response code): a reversal's reason must be one of 98, A0, 96, 06 (SPEC.md §7),"
                        + " got " + code, problems.get(0).toString());
            }
        }
        ISOMsg answer = SampleMessages.response(MessageType.REVERSAL);
        answer.set(39, "25");
        assertEquals(List.of(), MessageValidator.check(answer), "a 0410 carries a response code");
    }

    /**
     * Field 60 of a batch upload names the sale uploaded: original MTI 0200 (SPEC.md §2, §4.7). Before, any four digits
     * passed, and an upload naming an 0100 was recorded against the sale under the same STAN and field 7.
     */
    @Test
    void anUploadNamesASaleInField60() {
        ISOMsg upload = SampleMessages.request(MessageType.BATCH_UPLOAD);
        assertEquals(List.of(), MessageValidator.check(upload));
        for (String mti : List.of("0100", "0400", "0320", "9999")) {
            ISOMsg m = SampleMessages.request(MessageType.BATCH_UPLOAD);
            m.set(60, mti + upload.getString(60).substring(4));
            List<MessageValidator.Problem> problems = MessageValidator.check(m);
            assertEquals(List.of(60), problems.stream().map(MessageValidator.Problem::field).toList(), mti);
            assertEquals("field 60 (batch number / original data): original MTI of an upload must be 0200 (the sale"
                    + " uploaded), got " + mti, problems.get(0).toString());
        }
    }

    /**
     * Field 60 of a sale is the terminal's batch number, n6 (SPEC.md §2): anything else is refused naming the field,
     * as in a settlement. Before, a 0200 was not checked: {@code ABCDEF} reached the host's batch reading (96 and a
     * stack trace), {@code 12345} was approved and booked in no batch.
     */
    @Test
    void aSalesBatchNumberIsSixDigits() {
        assertProblem(f -> f.set(60, "ABCDEF"), 60, "batch number must be 6 digits");
        assertProblem(f -> f.set(60, "12345"), 60, "batch number must be 6 digits");
        assertProblem(f -> f.set(60, "1234567"), 60, "batch number must be 6 digits");
        assertProblem(f -> f.set(60, "000000"), 60, "000000 is not a batch");
        ISOMsg settlement = SampleMessages.request(MessageType.SETTLEMENT);
        settlement.set(60, "ABCDEF");
        assertEquals(List.of(60), MessageValidator.check(settlement).stream().map(MessageValidator.Problem::field).toList());
        // what the terminal sends: its batch number, zero-padded to six digits (terminal-app Batch.batchText)
        for (String batch : List.of("000001", "000007", "999999")) {
            ISOMsg sale = SampleMessages.request(MessageType.SALE);
            sale.set(60, batch);
            assertEquals(List.of(), MessageValidator.check(sale), batch);
        }
    }

    /**
     * Field 55 is BER-TLV (SPEC.md §2): a tag whose length runs past the data, or a tag cut short, is refused naming
     * the field. Before, it passed (only its length was checked) and a host approved the sale.
     */
    @Test
    void iccDataIsBerTlv() {
        java.util.HexFormat hex = java.util.HexFormat.of();
        assertProblem(f -> f.set(55, hex.parseHex("9F02060000")), 55, "not BER-TLV: tag (9f02) length (6) exceeds");
        assertProblem(f -> f.set(55, hex.parseHex("9F0206000000001234" + "9F")), 55, "not BER-TLV");
        assertProblem(f -> f.set(55, hex.parseHex("82")), 55, "not BER-TLV");
        ISOMsg sale = SampleMessages.request(MessageType.SALE);
        sale.set(55, hex.parseHex("9F2608A1B2C3D4E5F607089F2701809F360200319A032611229C01005F2A020840"));
        assertEquals(List.of(), MessageValidator.check(sale));
    }

    /**
     * Field 35 is a track 2: PAN, one '=' separator (jPOS's reading of the wire's nibble D), then digits (SPEC.md §2:
     * accepted, never required). Garbage is refused naming the field, never quoting it. Before, a well-formed track 2
     * was refused as "must be digits only".
     */
    @Test
    void aTrack2IsThePanOneSeparatorThenDigits() {
        String pan = SampleMessages.CARD.pan(); // a bundled test card
        ISOMsg sale = SampleMessages.request(MessageType.SALE);
        sale.set(35, pan + "=30121011234567890");
        assertEquals(List.of(), MessageValidator.check(sale));
        assertProblem(f -> f.set(35, pan + "3012101"), 35, "no separator");
        assertProblem(f -> f.set(35, pan + "=30=12101"), 35, "one separator");
        assertProblem(f -> f.set(35, pan + "="), 35, "nothing follows the separator");
        assertProblem(f -> f.set(35, pan.substring(0, 8) + "=3012101"), 35, "has 8 digits");
        assertProblem(f -> f.set(35, pan + "D3012101"), 35, "write it '='");
        assertProblem(f -> f.set(35, "476173______0119=____"), 35, "character 7 is neither");
        for (String bad : List.of(pan + "3012101", pan + "=30=12101", pan + "D30121019999")) {
            ISOMsg m = SampleMessages.request(MessageType.SALE);
            m.set(35, bad);
            String said = MessageValidator.check(m).toString();
            assertFalse(said.contains(pan.substring(6, 12)) || said.contains("3012101"), "the track is never quoted: " + said);
        }
    }

    /** Field 62's rule, character by character, against the pattern it states: [A-Za-z0-9._/:-]. */
    @Test
    void anOrderReferenceHoldsOnlyTheCharactersItsRuleNames() {
        java.util.regex.Pattern rule = java.util.regex.Pattern.compile("[A-Za-z0-9._/:-]");
        for (char ch = 0; ch < 0x3000; ch++) {
            String ref = "INV" + ch + "1";
            boolean allowed = rule.matcher(String.valueOf(ch)).matches();
            assertEquals(allowed, OrderReference.problem(ref) == null, () -> "order reference " + ref);
        }
        assertEquals(null, OrderReference.problem("INV-2026/11:22_a.b"));
    }

    /**
     * An order reference that is a card number, bare or written in groups, is refused: it would go to the
     * journal, the message log and the host's ledger in clear. Numeric invoice ids that are no card number
     * (Luhn fails, fewer than 13 digits, zero-padded, more than 19 in a row) still pass.
     */
    @Test
    void anOrderReferenceThatLooksLikeACardNumberIsRefused() {
        for (String pan : List.of("4761739001010119", "4761-7390-0101-0119", "4761.7390.0101.0119", "4761/7390/0101/0119",
                "4761_7390:0101_0119", "INV-4761739001010119", "INV-2026-4761-7390-0101-0119", "PAY4761739001010119X",
                "INV-4761739001010119-1234567", "5413330089010442", "371449635398431", "3714-496353-98431",
                "6011000000000129", "4761-7390-0101-0119-3", "3782-8224-6310-005", "3056-9309-0259-04",
                "4222-2222-2222-2", "INV-3782-8224-6310-005")) {
            String why = OrderReference.problem(pan);
            assertTrue(why != null && why.contains("looks like a card number") && why.contains("invoice or order id"),
                    pan + ": " + why);
            assertFalse(why.contains("7390"), "the message does not repeat the reference: " + why);
            assertEquals(OrderReference.WITHHELD, OrderReference.shown(pan));
        }
        assertProblem(f -> f.set(62, "4761-7390-0101-0119"), 62, "looks like a card number");
        // refused by their format already, but shown (a message from another terminal) withheld all the same
        for (String spaced : List.of("4761 7390 0101 0119", "4761,7390,0101,0119", "PAY 3714 496353 98431")) {
            assertEquals(OrderReference.WITHHELD, OrderReference.shown(spaced), spaced);
        }
        assertEquals("INV 2026 0001 0002", OrderReference.shown("INV 2026 0001 0002"));
        for (String invoice : List.of("4761739001010118", "2026112200000123", "INV-2026-0001", "20261122000001",
                "123456789012", "INV-0000000000000000", "L1Y2P0IJ32E8E7W-000000123-00000001", "2026/11/22-000123",
                "4761-7390-0101-0118", "2026-11-22-000122", "2026-11-22-000130")) {
            assertEquals(null, OrderReference.problem(invoice), invoice);
            assertEquals(invoice, OrderReference.shown(invoice));
        }
    }

    /**
     * The card-number rule opens no door backwards: an order taken before it (a 16-digit invoice number that passes
     * the Luhn check) is still reversed, uploaded and asked about — only a sale, which opens an order, is refused.
     */
    @Test
    void messagesAboutAnExistingOrderMayCarryAReferenceOnlyANewSaleIsRefused() {
        String legacy = "4761739001010119";
        for (MessageType type : List.of(MessageType.REVERSAL, MessageType.BATCH_UPLOAD, MessageType.STATUS_INQUIRY)) {
            ISOMsg m = SampleMessages.request(type);
            m.set(62, legacy);
            assertEquals(List.of(), MessageValidator.check(m), type.name());
        }
        MessageBuilder.request(MessageType.REVERSAL).orderReference(legacy); // the builder takes it for a reversal...
        ISOMsg sale = SampleMessages.request(MessageType.SALE);
        sale.set(62, legacy);
        assertTrue(MessageValidator.check(sale).toString().contains("looks like a card number"), "...not for a sale");
        assertThrows(IllegalArgumentException.class, () -> OrderReference.require(legacy), "nor as any new order's id");
    }

    /**
     * A numeric field holds the digits 0-9 and nothing else, character by character: other scripts' digits
     * (Arabic-Indic, Devanagari, fullwidth...) are refused, not handed to the BCD packer.
     */
    @Test
    void aNumericFieldHoldsOnlyTheDigitsZeroToNine() {
        for (char ch = 0; ch < 0x3000; ch++) {
            char digit = ch;
            ISOMsg sale = SampleMessages.request(MessageType.SALE);
            sale.set(4, "00000000001" + digit);
            boolean refused = MessageValidator.check(sale).stream().anyMatch(p -> p.field() == 4);
            assertEquals(ch < '0' || ch > '9', refused, () -> "amount ending in U+" + Integer.toHexString(digit));
        }
        assertThrows(MessageValidationException.class, () -> MessageBuilder.request(MessageType.SALE)
                .pan("\uFF14761739001010119").build(), "a fullwidth digit in the PAN");
    }

    @Test
    void aMessageOutsideTheCatalogueIsRefused() {
        ISOMsg m = SampleMessages.request(MessageType.SALE);
        m.set(3, "200000"); // a refund: not in the catalogue
        List<MessageValidator.Problem> problems = MessageValidator.check(m);
        assertEquals(0, problems.get(0).field());
        assertTrue(problems.get(0).what().contains("not in the Tally catalogue"));
    }

    @Test
    void everySampleIsValid() {
        for (MessageType t : MessageType.values()) {
            assertTrue(MessageValidator.check(SampleMessages.request(t)).isEmpty(), t + " request");
            assertTrue(MessageValidator.check(SampleMessages.response(t)).isEmpty(), t + " response");
        }
    }

    @Test
    void structuredFieldsRejectBadContent() {
        assertThrows(IllegalArgumentException.class, () -> OriginalData.decode("0200"));
        assertThrows(IllegalArgumentException.class, () -> SettlementTotals.decode("12"));
        assertEquals("settlement totals (field 63) must be 36 digits, got 36 characters, not all digits",
                assertThrows(IllegalArgumentException.class, () -> SettlementTotals.decode("A".repeat(36))).getMessage());
        assertEquals("field 90 must be 42 digits, got 4 characters",
                assertThrows(IllegalArgumentException.class, () -> OriginalData.decode("0200")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> StatusAnswer.decode("STATE=MAYBE;RC=00;AMOUNT=1;CREDIT=NONE"));
        assertThrows(IllegalArgumentException.class, () -> StatusAnswer.decode("RC=00"));
        // a host's answer is kept in the journal: a response code that is not one is refused, and not quoted
        IllegalArgumentException notACode = assertThrows(IllegalArgumentException.class,
                () -> StatusAnswer.decode("STATE=APPROVED;RC=4761739001010119;AMOUNT=1;CREDIT=NONE"));
        assertFalse(notACode.getMessage().contains("4761739001010119"), notACode.getMessage());
        assertEquals("Z3", StatusAnswer.decode("STATE=DECLINED;RC=Z3;AMOUNT=1;CREDIT=NONE").originalResponseCode());
        assertThrows(IllegalArgumentException.class, () -> Balance.decode("0002840X000000000100"));
        assertThrows(IllegalArgumentException.class, () -> KeyBlocks.decode("P00"));
        assertThrows(IllegalArgumentException.class, () -> MessageBuilder.request(MessageType.SALE).amount(-1));
        assertThrows(IllegalArgumentException.class, () -> MessageBuilder.request(MessageType.SALE).stan(0));
        assertFalse(KeyBlocks.decode("P" + "A".repeat(38) + "M" + "B".repeat(38)).toString().contains("AAAA"));
    }

    private static void assertProblem(java.util.function.Consumer<ISOMsg> breakIt, int field, String text) {
        ISOMsg sale = SampleMessages.request(MessageType.SALE);
        breakIt.accept(sale);
        List<MessageValidator.Problem> problems = MessageValidator.check(sale);
        assertEquals(1, problems.size(), () -> "expected one problem for field " + field + ", got " + problems);
        assertEquals(field, problems.get(0).field());
        assertTrue(problems.get(0).toString().contains(text), problems.get(0)::toString);
    }
}
