package dev.tally.spec.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PinBlockTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    // Common test TDEA key 0123456789ABCDEF FEDCBA9876543210 (see KeyCheckValueTest for its source).
    private static final byte[] TEST_KEY = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");

    // EFTlab, "Complete list of PIN-blocks", ISO-0 (Format 0) example, BP-Tools output
    // (https://eftlab.com.au/knowledge-base/complete-list-of-pin-blocks; the same output is reproduced in
    // ID TECH's PIN block knowledge-base page): PAN 43219876543210987, PIN 1234 -> 0412AC89ABCDEF67.
    @Test
    void eftlabIso0Example() {
        assertEquals("0412AC89ABCDEF67", HEX.formatHex(PinBlock.format0("1234", "43219876543210987")));
        assertEquals("1234", PinBlock.extractPin(HEX.parseHex("0412AC89ABCDEF67"), "43219876543210987"));
    }

    // knovichikhin/psec, tests/test_pinblock.py, test_encode_pinblock_iso_0 and
    // test_decode_pinblock_iso_0: PAN 5555555551234567 with PINs of 4, 9, 10 and 12 digits.
    @ParameterizedTest
    @CsvSource({
            "1234,         041261AAAAEDCBA9",
            "123456789,    091261032D8DCBA9",
            "1234567890,   0A1261032D82CBA9",
            "123456789012, 0C1261032D8226A9",
    })
    void psecIso0Vectors(String pin, String block) {
        assertEquals(block, HEX.formatHex(PinBlock.format0(pin, "5555555551234567")));
        assertEquals(pin, PinBlock.extractPin(HEX.parseHex(block), "5555555551234567"));
    }

    // knovichikhin/psec, tests/test_pinblock.py, test_decode_pinblock_iso_0_exception, PAN 5555555551234567:
    // control field 2, PIN length 15, PIN length 2, bad filler, non-numeric PIN.
    @ParameterizedTest
    @CsvSource({
            "241261AAAAEDCBA9, control nibble is 2",
            "0F1261AAAAEDCBA9, PIN length of 15",
            "021261AAAAEDCBA9, PIN length of 2",
            "041261AAAAEDCBAA, filler",
            "051261AAAAEDCBA9, non-decimal PIN digit",
    })
    void psecMalformedBlocksAreRejected(String block, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinBlock.extractPin(HEX.parseHex(block), "5555555551234567"));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertFalse(e.getMessage().contains("5555555551234567"), e.getMessage());
    }

    @Test
    void formatUsesTheTwelveDigitsLeftOfTheCheckDigit() {
        // PIN 1234, PAN 4111111111111111: PIN field 041234FFFFFFFFFF XOR PAN field 0000111111111111.
        assertEquals("041225EEEEEEEEEE", HEX.formatHex(PinBlock.format0("1234", "4111111111111111")));
        // Only the check digit differs: the block must not change.
        assertEquals("041225EEEEEEEEEE", HEX.formatHex(PinBlock.format0("1234", "4111111111111112")));
        // A digit inside the 12 changes the block.
        assertNotEquals("041225EEEEEEEEEE", HEX.formatHex(PinBlock.format0("1234", "4111111111111121")));
    }

    @Test
    void encryptIsTwoKeyTdeaEcbOfOneBlock() {
        // nickntg/thalessimulatorlibrary, Tests/ThalesSimulatorLibrary.Core.Tests/Cryptography/DES/CryptTests.cs:
        // TDEA(0123456789ABCDEF FEDCBA9876543210) encrypt of 0000000000000000 = 08D7B4FB629D0885,
        // decrypt = C1E6E95D2166B5C4.
        assertEquals("08D7B4FB629D0885", HEX.formatHex(PinBlock.encrypt(new byte[8], TEST_KEY)));
        assertEquals("C1E6E95D2166B5C4", HEX.formatHex(PinBlock.decrypt(new byte[8], TEST_KEY)));
    }

    @Test
    void roundTripThroughEncryption() {
        String pan = "4761739001010010";
        byte[] clear = PinBlock.format0("987654", pan);
        byte[] encrypted = PinBlock.encrypt(clear, TEST_KEY);
        assertNotEquals(HEX.formatHex(clear), HEX.formatHex(encrypted));
        assertEquals(HEX.formatHex(clear), HEX.formatHex(PinBlock.decrypt(encrypted, TEST_KEY)));
        assertEquals("987654", PinBlock.extractPin(PinBlock.decrypt(encrypted, TEST_KEY), pan));
    }

    @Test
    void wrongPinKeyIsCaughtByTheFormatChecks() {
        String pan = "4761739001010010";
        byte[] encrypted = PinBlock.encrypt(PinBlock.format0("987654", pan), TEST_KEY);
        byte[] otherKey = HEX.parseHex("89ABCDEF01234567FEDCBA9876543210");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinBlock.extractPin(PinBlock.decrypt(encrypted, otherKey), pan));
        assertTrue(e.getMessage().contains("wrong PIN key"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"123", "1234567890123", "12a4", "12 4", ""})
    void badPinsAreRejectedWithoutEchoingThePin(String pin) {
        String pan = "4111111111111111";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PinBlock.format0(pin, pan));
        assertTrue(e.getMessage().startsWith("PIN must"), e.getMessage());
        if (!pin.isEmpty()) {
            assertFalse(e.getMessage().contains(pin), e.getMessage());
        }
        assertFalse(e.getMessage().contains(pan), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"411111111111", "41111111111111111111", "41111111111111A1", "4111-1111-1111-1111"})
    void badPansAreRejectedWithoutEchoingThePan(String pan) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PinBlock.format0("4321", pan));
        assertTrue(e.getMessage().startsWith("PAN must"), e.getMessage());
        assertFalse(e.getMessage().contains(pan), e.getMessage());
        assertFalse(e.getMessage().contains("4321"), e.getMessage());
        IllegalArgumentException onExtract = assertThrows(IllegalArgumentException.class,
                () -> PinBlock.extractPin(HEX.parseHex("041225EEEEEEEEEE"), pan));
        assertFalse(onExtract.getMessage().contains(pan), onExtract.getMessage());
    }

    @Test
    void blocksAndKeysOfTheWrongLengthAreRejected() {
        IllegalArgumentException shortBlock = assertThrows(IllegalArgumentException.class,
                () -> PinBlock.encrypt(new byte[7], TEST_KEY));
        assertTrue(shortBlock.getMessage().contains("got 7 bytes"), shortBlock.getMessage());
        IllegalArgumentException singleKey = assertThrows(IllegalArgumentException.class,
                () -> PinBlock.encrypt(new byte[8], new byte[8]));
        assertTrue(singleKey.getMessage().contains("PIN key") && singleKey.getMessage().contains("got 8 bytes"),
                singleKey.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PinBlock.decrypt(new byte[8], new byte[24]));
        assertThrows(IllegalArgumentException.class, () -> PinBlock.decrypt(new byte[16], TEST_KEY));
        assertThrows(IllegalArgumentException.class, () -> PinBlock.extractPin(new byte[9], "4111111111111111"));
    }
}
