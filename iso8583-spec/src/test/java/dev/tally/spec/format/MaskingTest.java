package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    }

    @Test
    void scrubMasksACardNumberWrittenInGroups() {
        assertEquals("card 476173******0119 declined", Masking.scrub("card 4761 7390 0101 0119 declined"));
        assertEquals("card 476173******0119.", Masking.scrub("card 4761-7390-0101-0119."));
        assertEquals("amex 371449*****8431", Masking.scrub("amex 3714 496353 98431"), "4-6-5");
        assertEquals("476173*********9005", Masking.scrub("4761 7390 0101 0119 005"), "19 digits, 4-4-4-4-3");
        assertEquals("amex 378282*****0005", Masking.scrub("amex 3782 8224 6310 005"), "15 digits typed in fours, 4-4-4-3");
        assertEquals("card 305693****5904", Masking.scrub("card 3056-9309-0259-04"), "14 digits, 4-4-4-2");
        assertEquals("card 422222***2222", Masking.scrub("card 4222.2222.2222.2"), "13 digits, 4-4-4-1");
        assertEquals("476173******0119 000123", Masking.scrub("4761 7390 0101 0119 000123"), "a STAN after it is kept");
        assertEquals("{\"note\":\"476173******0119\"}", Masking.scrub("{\"note\":\"4761 7390-0101 0119\"}"));
        assertEquals("order 12 476173******0119 stan 000123", Masking.scrub("order 12 4761 7390 0101 0119 stan 000123"),
                "a number before or after the card is kept");
        assertEquals("476173******0119 and 541333******0442",
                Masking.scrub("4761 7390 0101 0119 and 5413-3300-8901-0442"));
        assertEquals("amount '476173******0119' is not", Masking.scrub("amount '4761.7390.0101.0119' is not"),
                "full stops, as a card number typed into an amount field");
        assertEquals("card 476173******0119.", Masking.scrub("card 4761.7390.0101.0119."));
        assertTrue(Masking.containsCardNumber("INV 4761-7390-0101-0119"));
        assertTrue(Masking.containsCardNumber("x4761739001010119x"));
    }

    @Test
    void scrubTypedMasksCardNumbersJoinedByAnySeparatorAPersonMightType() {
        for (String sep : new String[] {" ", "-", ".", ",", "/", ":", "_"}) {
            String typed = String.join(sep, "4761", "7390", "0101", "0119");
            assertEquals("got '476173******0119'", Masking.scrubTyped("got '" + typed + "'"), sep);
        }
        assertEquals("got '4761,7390,0101,0118'", Masking.scrubTyped("got '4761,7390,0101,0118'"), "Luhn fails");
        assertEquals("[4761,7390,0101,0119]", Masking.scrub("[4761,7390,0101,0119]"), "scrub leaves commas alone");
    }

    @Test
    void scrubEmbeddedMasksARunThatStartsOrEndsWithACardNumber() {
        assertEquals("48: 476173**********0000", Masking.scrubEmbedded("48: 47617390010101190000"), "PAN then padding");
        assertEquals("X476173********1912", Masking.scrubEmbedded("X476173900101011912"), "PAN then two digits");
        assertEquals("ref 000047**********0119", Masking.scrubEmbedded("ref 00004761739001010119"), "padding then PAN");
        assertEquals("476173******0119", Masking.scrubEmbedded("4761739001010119"), "a PAN alone, as scrub");
        for (String s : new String[] {"000001000000001234000000000000000000", "020000001611221041070000000000000000000000",
            "amount 000000001234 rrn 632600000001", "47617390010101180001"}) {
            assertEquals(s, Masking.scrubEmbedded(s), "no card number at an edge: " + s);
        }
        assertEquals("47617390010101190000", Masking.scrub("47617390010101190000"), "scrub leaves a longer run alone");
    }

    @Test
    void scrubMasksTheTrack2TailAfterACardNumber() {
        assertEquals("track 476173******0119=****", Masking.scrub("track 4761739001010119=28121011234"));
        assertEquals("35: 476173******0119D****F", Masking.scrub("35: 4761739001010119D28121011234F"), "BCD track 2");
        assertEquals(";476173******0119=****?", Masking.scrub(";4761 7390 0101 0119=28121011234?"));
        assertEquals("476173******0119=x", Masking.scrub("4761739001010119=x"), "no digits after '=': not a track");
        assertEquals("a=28121011234", Masking.scrub("a=28121011234"), "no card before it");
    }

    @Test
    void scrubLeavesOrdinaryNumbersAlone() {
        // each of these would pass Luhn if its digits were read as one number
        for (String s : new String[] {
            "amount 000000001234 stan 000123 rrn 632610000001",
            "stan 000123 632600000006",                 // STAN beside an RRN: 18 digits
            "reversals 000116 000117 000118",           // a list of STANs
            "from 2026-11-22 2026-11-26",               // two dates
            "4761 7390 0101 0118",                      // grouped, Luhn fails
            "4761.7390.0101.0118",                      // grouped with full stops, Luhn fails
            "host 10.0.0.1 jPOS 3.0.1 paid 1234.56",    // addresses, versions, decimals
            "[4761,7390,0101,0119]",                    // a JSON array of numbers, not a card
            "0000 0000 0000 0000",                      // grouped, starts with 0: no card does
            "47617390010101190",                        // 17 digits, Luhn fails
            "47617390010101190000000",                  // 23 digits: not a PAN
            "476173******0119=****",                    // already masked
            "no digits here"}) {
            assertEquals(s, Masking.scrub(s));
            assertFalse(Masking.containsCardNumber(s), s);
        }
        assertEquals("INV-000000******0000", Masking.scrub("INV-0000000000000000"), "scrub errs on the safe side");
        assertFalse(Masking.containsCardNumber("INV-0000000000000000"), "but no card number starts with 0");
        assertEquals(null, Masking.scrub(null));
        assertFalse(Masking.containsCardNumber(null));
    }

    @Test
    void maskedPanIsFirstSixAndLastFour() {
        assertTrue(Masking.isMaskedPan("476173******0119"));
        assertTrue(Masking.isMaskedPan("371449XXXXX8431"));
        for (String s : new String[] {"4761739001010119", "************0119", "0119", "476173 **** 0119", "", null}) {
            assertFalse(Masking.isMaskedPan(s), s);
        }
    }

    @Test
    void luhn() {
        assertTrue(Masking.luhnValid("4761739001010119"));
        assertFalse(Masking.luhnValid("4761739001010118"));
        assertFalse(Masking.luhnValid("47617390010101a9"));
    }

    @Test
    void groupsJoinedByUnderscoresSlashesOrColonsAreMaskedInFreeText() {
        for (String sep : List.of("_", "/", ":")) {
            String pan = String.join(sep, "4761", "7390", "0101", "0119");
            assertEquals("order 476173******0119 vs ORD-1", Masking.scrub("order " + pan + " vs ORD-1"), sep);
        }
        assertEquals("at 10:41:07 on 2026/11/22", Masking.scrub("at 10:41:07 on 2026/11/22"));
    }

    @Test
    void aFieldOfKnownFormatIsScrubbedButAZeroPaddedNumberIsNot() {
        assertEquals("476173******0119", Masking.scrubField("4761739001010119"));
        assertEquals("371449*****8431", Masking.scrubField("371449635398431"));
        // a 16-digit amount passing Luhn: masked by scrub (free text errs on the safe side), kept by scrubField
        assertEquals("000000******3455", Masking.scrub("0000000000123455"));
        assertEquals("0000000000123455", Masking.scrubField("0000000000123455"));
        // field 60 of an upload: MTI + STAN + field 7 is one run of 20 digits, not a card number
        assertEquals("02000001231122104107", Masking.scrubField("02000001231122104107"));
        assertEquals("HOSPITAL0000001", Masking.scrubField("HOSPITAL0000001"));
    }

    /** Free text read back for a report: bytes as hex are withheld, the numbers support needs are not. */
    @Test
    void freeTextWithholdsBytesAsHexButKeepsStansTimesAndAmounts() {
        String ordinary = "status inquiry answered 00: STATE=APPROVED;RC=00;AMOUNT=000000001099;CREDIT_DATE=20261125;"
                + " no answer to 0401 STAN 000012 within 3000 ms at 2026-11-25 01:49:29 (field 7 1125014908, RRN 632900000001)";
        assertEquals(ordinary, Masking.scrubFreeText(ordinary));
        assertEquals("PIN block " + Masking.BYTES_WITHHELD + ", MAC " + Masking.BYTES_WITHHELD + ".",
                Masking.scrubFreeText("PIN block 041234FEDCBA9876, MAC 1A:2B:3C:4D:5E:6F:70:81."));
        assertEquals("key [redacted]", Masking.scrubFreeText("key 0123456789abcdeffedcba9876543210"));
        assertEquals("card 476173******0119", Masking.scrubFreeText("card 4761739001010119"));
    }

    /**
     * A command line's refusal quotes what was typed: a key is withheld whatever its length (one digit short, with its
     * check value after it), the value of a TMK option too, a card number typed with commas is masked; the order id the
     * command is about stands, and so do the numbers a refusal names.
     */
    @Test
    void aCommandLineMessageWithholdsAKeyOfAnyLengthButNotTheOrderIdItIsAbout() {
        String key = "0123456789ABCDEFFEDCBA9876543210";
        assertEquals("merchant id must be 15 letters or digits (field 42), got '[redacted]'",
                Masking.scrubCommandLine("merchant id must be 15 letters or digits (field 42), got '" + key + "'", List.of()));
        assertEquals("Unknown option: '--key=" + Masking.BYTES_WITHHELD + "'",
                Masking.scrubCommandLine("Unknown option: '--key=" + key.substring(1) + "'", List.of()));
        assertEquals("terminal id got '" + Masking.BYTES_WITHHELD + "'",
                Masking.scrubCommandLine("terminal id got '" + key + "08D7B4'", List.of()));
        assertEquals("Unknown option: '--tmkk=[redacted]'", Masking.scrubCommandLine("Unknown option: '--tmkk=ABC'", List.of()));
        assertEquals("amount got '476173******0119'", Masking.scrubCommandLine("amount got '4761,7390,0101,0119'", List.of()));
        String uuid = "9f1c2ab4e07d4c1a8b3e5d6f7a8b9c0d";
        assertEquals("order " + uuid + " is not in the journal", Masking.scrubCommandLine("order " + uuid
                + " is not in the journal", List.of(uuid)));
        assertEquals("PIN block " + Masking.BYTES_WITHHELD, Masking.scrubCommandLine("PIN block 041234FEDCBA9876", List.of()));
        // digits alone are a number there: a temp folder's random ones, an amount typed too long
        String ordinary = "the config file /tmp/junit-4391869402718291766/till.properties; --amount got 12345678901234567890;"
                + " --port must be the host's port, 1 to 65535, got 99999999999; STAN 000123 at 10:41:07";
        assertEquals(ordinary, Masking.scrubCommandLine(ordinary, List.of()));
    }

    /**
     * A case's own identifiers stay visible in its free text where they would pass for bytes (a cashier system whose
     * order ids are 32-hex UUIDs): only a run equal to one of them; keys, PIN blocks and track 2 are still withheld.
     */
    @Test
    void freeTextKeepsTheCasesOwnIdentifiersWhole() {
        String uuid = "9f1c2e7a4b3d4c5e8f6a7b8c9d0e1f2a";
        java.util.List<String> ids = java.util.List.of(uuid, "TALLY001", "HOSPITAL0000001");
        assertEquals("LOCKED: order " + uuid + " has an unanswered attempt (STAN 000002)",
                Masking.scrubFreeText("LOCKED: order " + uuid + " has an unanswered attempt (STAN 000002)", ids));
        assertEquals("order " + uuid + ", key [redacted], PIN block " + Masking.BYTES_WITHHELD + ", track 2 "
                        + "476173******0119D****F, longer " + Masking.BYTES_WITHHELD + ", card 476173******0119",
                Masking.scrubFreeText("order " + uuid + ", key 0123456789abcdeffedcba9876543210, PIN block 041234FEDCBA9876,"
                        + " track 2 4761739001010119D30121010000000F, longer " + uuid + "00, card 4761739001010119", ids));
        assertEquals("order [redacted]", Masking.scrubFreeText("order " + uuid), "without the case, a key it may be");
        // a card number is masked even when named as an identifier
        assertEquals("card 476173******0119",
                Masking.scrubFreeText("card 4761739001010119", java.util.List.of("4761739001010119")));
    }
}
