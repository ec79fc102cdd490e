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

    @Test
    void theLabTmkCheckValueIsThePublishedOne() {
        // KCV 08D7B4 of 0123456789ABCDEFFEDCBA9876543210: see KeyCheckValueTest for the source
        assertEquals("08D7B4", KeyCheckValue.hex(LabKeys.tmk()));
    }
}
