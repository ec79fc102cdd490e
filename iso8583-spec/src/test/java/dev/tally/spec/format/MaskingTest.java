package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MaskingTest {

    @Test
    void panShowsFirstSixAndLastFour() {
        assertEquals("476173******0119", Masking.pan("4761739001010119"));
        assertEquals("371449*****8431", Masking.pan("371449635398431"));
        assertEquals("541333*********0442", Masking.pan("5413330089010440442"));
        assertEquals("********9012", Masking.pan("123456789012"));
        assertEquals("", Masking.pan(null));
    }

    @Test
    void scrubMasksLuhnValidPansInFreeText() {
        String line = "sale for 4761739001010119 stan 000123 amount 000000001234 ref 632610000001";
        String s = Masking.scrub(line);
        assertFalse(s.contains("4761739001010119"));
        assertTrue(s.contains("476173******0119"));
        assertTrue(s.contains("000000001234"), "an amount is not a PAN");
        assertEquals("no digits here", Masking.scrub("no digits here"));
        assertTrue(Masking.scrub("track 4761739001010119=3012").contains("476173******0119=3012"));
    }

    @Test
    void luhn() {
        assertTrue(Masking.luhnValid("4761739001010119"));
        assertFalse(Masking.luhnValid("4761739001010118"));
        assertFalse(Masking.luhnValid("47617390010101a9"));
    }
}
