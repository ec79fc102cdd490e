package dev.tally.spec.card;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.crypto.KeyCheckValue;
import dev.tally.spec.format.Masking;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class TestCardsTest {

    @Test
    void theBundledCardsAreLuhnValidWithALowBalanceOne() {
        TestCards cards = TestCards.bundled();
        assertEquals("visa-1", cards.defaultCard().id());
        cards.all().forEach(c -> assertTrue(Masking.luhnValid(c.pan()), c.id()));
        assertTrue(cards.all().stream().anyMatch(c -> c.balance() <= 1000), "a low-balance card");
        assertEquals(1000, cards.find("low-1").orElseThrow().balance());
        assertEquals("visa-1", cards.find("4761739001010119").orElseThrow().id());
        assertEquals("mc-1", cards.byLast4("0442").orElseThrow().id());
    }

    @Test
    void aCardPrintsMaskedWithoutItsPin() {
        TestCard c = TestCards.bundled().defaultCard();
        assertFalse(c.toString().contains(c.pan()));
        assertFalse(c.toString().contains(c.pin()));
        assertTrue(c.toString().contains("476173******0119"));
    }

    @Test
    void aBadFileNamesTheLineAndNeverThePan() {
        String bad = "# comment\nx-1,4761739001010118,3012,1234,10.00,840,bad luhn\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestCards.parse(new StringReader(bad), "cards.csv"));
        assertTrue(e.getMessage().startsWith("cards.csv line 2:"), e.getMessage());
        assertFalse(e.getMessage().contains("4761739001010118"));
        assertThrows(IllegalArgumentException.class, () -> TestCards.parse(new StringReader("a,b\n"), "c"));
        assertThrows(IllegalArgumentException.class, () -> TestCards.parse(new StringReader(
                "x,4761739001010119,3012,1234,10.001,840,too many decimals\n"), "c"));
        assertThrows(IllegalArgumentException.class, () -> TestCards.parse(new StringReader("# empty\n"), "c"));
    }

    /** A header line as CSV files have it is refused saying how to write it, not as a card with a bad PAN. */
    @Test
    void aHeaderLineIsRefusedSayingToMakeItAComment() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestCards.parse(new StringReader(
                "id,pan,expiry_yymm,pin,balance,currency,description\nc1,4761739001010119,3012,1234,10.00,840,x\n"), "c.csv"));
        assertTrue(e.getMessage().startsWith("c.csv line 1: a header line must be a comment: start it with #"),
                e.getMessage());
    }

    /** A balance is read in hundredths: a card in a currency without two decimals would hold the wrong amount. */
    @Test
    void aCardInACurrencyWithoutTwoDecimalsIsRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestCards.parse(new StringReader(
                "yen-1,4761739001010119,3012,1234,10000.00,392,yen card\n"), "cards.csv"));
        assertTrue(e.getMessage().startsWith("cards.csv line 1: currency of card yen-1 392 (JPY) has 0 decimal places"),
                e.getMessage());
        assertFalse(e.getMessage().contains("4761739001010119"));
        assertEquals("978", TestCards.parse(new StringReader("eur-1,4761739001010119,3012,1234,10.00,978,euro card\n"),
                "cards.csv").defaultCard().currency());
    }

    /**
     * The first two columns swapped: the PAN sits where the id goes. The id check accepted digits, and the next
     * error quoted the id ("PAN of card 4761739001010119 must be ..."), which tally-sim printed on standard error.
     */
    @Test
    void aCardIdWithTwelveOrMoreDigitsIsRefusedWithoutBeingQuoted() throws Exception {
        String swapped = "# lab cards\nvisa-2,4111111111111111,3012,1234,100.00,840,ok\n"
                + "4761739001010119,visa-1,3012,1234,100.00,840,x\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestCards.parse(new StringReader(swapped), "cards.csv"));
        assertTrue(e.getMessage().startsWith("cards.csv line 3: column 1 (card id) holds 12 or more digits"), e.getMessage());
        assertTrue(e.getMessage().contains("it is not a PAN"), e.getMessage());
        assertFalse(e.getMessage().contains("4761739001010119"), e.getMessage());
        assertFalse(e.getMessage().contains("476173"), "not even part of it: " + e.getMessage());

        // digits spread through the id count too (it is quoted by later errors); 11 digits is still an id
        IllegalArgumentException spread = assertThrows(IllegalArgumentException.class, () -> TestCards.parse(
                new StringReader("a4761-7390-0101-0119,4761739001010119,3012,1234,1.00,840,x\n"), "c"));
        assertFalse(spread.getMessage().contains("4761"), spread.getMessage());
        assertEquals("lab-12345678901", TestCards.parse(new StringReader(
                "lab-12345678901,4761739001010119,3012,1234,1.00,840,x\n"), "c").defaultCard().id());
    }

    /**
     * A balance is a plain non-negative amount in major units with at most 2 decimals, up to what ISO 8583 carries.
     * BigDecimal took -5.00 (the simulator opened the card at -500) and 1E+3, and refused a balance too large as having
     * "more than 2 decimals". Each error names the file, the line and the card, and says what to write.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "-5.00|is negative",
            "-0.00|is negative",
            "1E+3|must be a plain amount",
            "1e3|must be a plain amount",
            "+5.00|must be a plain amount",
            "5.|must be a plain amount",
            ".50|must be a plain amount",
            "1 000.00|must be a plain amount",
            "$10.00|must be a plain amount",
            "0x10|must be a plain amount",
            "10.001|has more than 2 decimals",
            "99999999999999999999.00|is more than 9999999999.99",
            "10000000000.00|is more than 9999999999.99"})
    void aBalanceThatIsNotAPlainNonNegativeAmountIsRefusedSayingWhatToWrite(String balance, String reason) {
        String file = "# lab cards\nx-1,4761739001010119," + "3012,1234," + balance + ",840,x\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestCards.parse(new StringReader(file), "cards.csv"));
        assertTrue(e.getMessage().startsWith("cards.csv line 2: balance of card x-1 " + reason), e.getMessage());
        assertTrue(e.getMessage().contains("write "), "says what to write: " + e.getMessage());
        assertFalse(e.getMessage().contains("4761739001010119"), e.getMessage());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "10000.00|1000000", "10.5|1050", "0|0", "0.00|0", "007.10|710", "9999999999.99|999999999999"})
    void aBalanceIsReadInMajorUnits(String balance, long minorUnits) throws Exception {
        assertEquals(minorUnits, TestCards.parse(new StringReader("x-1,4761739001010119,3012,1234," + balance + ",840,x\n"),
                "c").defaultCard().balance());
    }

    /**
     * A cards file that cannot be read says why, once: it was "cannot read the cards file x.csv: x.csv" (the message
     * of a NoSuchFileException is the path), and "Input length = 1" for a file saved as Latin-1.
     */
    @Test
    void aCardsFileThatCannotBeReadSaysWhy(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path missing = dir.resolve("lab-cards.csv");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestCards.load(missing));
        assertEquals("cannot read the cards file " + missing + ": no such file (check the path given to --cards)",
                e.getMessage());

        IllegalArgumentException folder = assertThrows(IllegalArgumentException.class, () -> TestCards.load(dir));
        assertEquals("cannot read the cards file " + dir + ": is a directory, not a file (check the path given to --cards)",
                folder.getMessage());

        java.nio.file.Path latin1 = dir.resolve("latin1.csv");
        java.nio.file.Files.write(latin1, "x-1,4761739001010119,3012,1234,1.00,840,caf\u00e9\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        IllegalArgumentException encoding = assertThrows(IllegalArgumentException.class, () -> TestCards.load(latin1));
        assertTrue(encoding.getMessage().contains(latin1 + " is not UTF-8 text (byte 0xE9 at offset 43)")
                && encoding.getMessage().contains("save the cards file as UTF-8"), encoding.getMessage());
        assertFalse(encoding.getMessage().contains("4761739001010119"), encoding.getMessage());
    }

    @Test
    void theLabTmkCheckValueIsThePublishedOne() {
        // KCV 08D7B4 of 0123456789ABCDEFFEDCBA9876543210: see KeyCheckValueTest for the source
        assertEquals("08D7B4", KeyCheckValue.hex(LabKeys.tmk()));
    }
}
