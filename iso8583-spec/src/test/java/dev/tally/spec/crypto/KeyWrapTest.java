package dev.tally.spec.crypto;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyWrapTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private static final byte[] TMK = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
    private static final byte[] WORKING_KEY = HEX.parseHex("F1F1F1F1F1F1F1F1C1C1C1C1C1C1C1C1");

    // nickntg/thalessimulatorlibrary, Tests/ThalesSimulatorLibrary.Core.Tests/Cryptography/DES/CryptTests.cs:
    // TDEA(0123456789ABCDEF FEDCBA9876543210) encrypts 0000000000000000 to 08D7B4FB629D0885 and decrypts it
    // to C1E6E95D2166B5C4. Each half is wrapped on its own (ECB), so two zero halves give the block twice.
    @Test
    void eachHalfIsEncryptedOnItsOwn() {
        assertEquals("08D7B4FB629D0885" + "08D7B4FB629D0885", HEX.formatHex(KeyWrap.encryptUnderKek(TMK, new byte[16])));
        assertEquals("C1E6E95D2166B5C4" + "C1E6E95D2166B5C4", HEX.formatHex(KeyWrap.decryptUnderKek(TMK, new byte[16])));
    }

    @Test
    void roundTrip() {
        byte[] wrapped = KeyWrap.encryptUnderKek(TMK, WORKING_KEY);
        assertNotEquals(HEX.formatHex(WORKING_KEY), HEX.formatHex(wrapped));
        assertArrayEquals(WORKING_KEY, KeyWrap.decryptUnderKek(TMK, wrapped));
    }

    @Test
    void unwrapCheckedReturnsTheKeyWhenTheCheckValueMatches() {
        byte[] wrapped = KeyWrap.encryptUnderKek(TMK, WORKING_KEY);
        String kcv = KeyCheckValue.hex(WORKING_KEY);
        assertArrayEquals(WORKING_KEY, KeyWrap.unwrapChecked(TMK, wrapped, kcv));
        assertArrayEquals(WORKING_KEY, KeyWrap.unwrapChecked(TMK, wrapped, kcv.toLowerCase()));
    }

    @Test
    void unwrapUnderAnotherMasterKeyFailsTheCheckWithoutShowingKeyBytes() {
        byte[] wrapped = KeyWrap.encryptUnderKek(TMK, WORKING_KEY);
        String kcv = KeyCheckValue.hex(WORKING_KEY);
        byte[] otherTmk = HEX.parseHex("89ABCDEF01234567FEDCBA9876543210");

        KeyCheckException e = assertThrows(KeyCheckException.class, () -> KeyWrap.unwrapChecked(otherTmk, wrapped, kcv));

        assertEquals(kcv, e.expectedKcv());
        assertTrue(e.getMessage().contains(kcv), e.getMessage());
        byte[] garbage = KeyWrap.decryptUnderKek(otherTmk, wrapped);
        List<String> secrets = List.of(HEX.formatHex(WORKING_KEY), HEX.formatHex(WORKING_KEY, 0, 8),
                HEX.formatHex(WORKING_KEY, 8, 16), HEX.formatHex(garbage), HEX.formatHex(garbage, 0, 8),
                HEX.formatHex(garbage, 8, 16), HEX.formatHex(TMK, 0, 8), HEX.formatHex(otherTmk, 0, 8));
        for (String secret : secrets) {
            assertFalse(e.getMessage().toUpperCase().contains(secret), "message shows key bytes: " + e.getMessage());
        }
    }

    @Test
    void unwrapWithAWrongCheckValueFails() {
        byte[] wrapped = KeyWrap.encryptUnderKek(TMK, WORKING_KEY);
        assertThrows(KeyCheckException.class, () -> KeyWrap.unwrapChecked(TMK, wrapped, "000000"));
    }

    @Test
    void unwrapRejectsAMalformedCheckValue() {
        byte[] wrapped = KeyWrap.encryptUnderKek(TMK, WORKING_KEY);
        assertThrows(IllegalArgumentException.class, () -> KeyWrap.unwrapChecked(TMK, wrapped, "08D7"));
    }

    @Test
    void badLengthsAreRejectedNamingTheLength() {
        IllegalArgumentException kek = assertThrows(IllegalArgumentException.class,
                () -> KeyWrap.encryptUnderKek(new byte[8], WORKING_KEY));
        assertTrue(kek.getMessage().contains("key-encryption key") && kek.getMessage().contains("got 8 bytes"),
                kek.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> KeyWrap.encryptUnderKek(TMK, new byte[24]));
        assertTrue(key.getMessage().contains("got 24 bytes"), key.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyWrap.decryptUnderKek(TMK, new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> KeyWrap.decryptUnderKek(new byte[32], WORKING_KEY));
    }

    // FIPS 46-3 (DES), key definition: bits 8, 16, ..., 64 of the key (the low-order bit of each
    // byte) are parity bits making each byte odd parity.
    @Test
    void adjustParitySetsOddParityInTheLowBitOnly() {
        assertEquals("0101010101010101", HEX.formatHex(KeyWrap.adjustParity(new byte[8])));
        assertEquals("FEFEFEFEFEFEFEFEFEFEFEFEFEFEFEFE",
                HEX.formatHex(KeyWrap.adjustParity(HEX.parseHex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"))));
        // The classic test key already has odd parity and must come back unchanged.
        assertArrayEquals(TMK, KeyWrap.adjustParity(TMK));
    }

    @Test
    void adjustParityReturnsACopy() {
        byte[] key = new byte[16];
        byte[] adjusted = KeyWrap.adjustParity(key);
        assertArrayEquals(new byte[16], key, "input must not be modified");
        assertTrue(hasOddParity(adjusted));
    }

    @Test
    void adjustParityRejectsOddLengths() {
        assertThrows(IllegalArgumentException.class, () -> KeyWrap.adjustParity(new byte[10]));
    }

    @Test
    void randomKeysAreDoubleLengthOddParityAndDistinct() {
        SecureRandom rnd = new SecureRandom();
        byte[] a = KeyWrap.randomKey16(rnd);
        byte[] b = KeyWrap.randomKey16(rnd);
        assertEquals(16, a.length);
        assertTrue(hasOddParity(a) && hasOddParity(b));
        assertNotEquals(HEX.formatHex(a, 0, 8), HEX.formatHex(a, 8, 16));
        assertNotEquals(HEX.formatHex(a), HEX.formatHex(b));
    }

    @Test
    void randomKeyDrawsAgainWhenHalvesAreEqualOrWeak() {
        // 0101010101010101 is one of the four DES weak keys (FIPS 74, weak and semi-weak keys).
        SecureRandom scripted = scripted(
                "0123456789ABCDEF0123456789ABCDEF",  // K1 == K2: single DES in disguise
                "0101010101010101FEDCBA9876543210",  // weak first half
                "0123456789ABCDEFFEDCBA9876543211"); // fine once parity is fixed (11 -> 10)
        assertEquals("0123456789ABCDEFFEDCBA9876543210", HEX.formatHex(KeyWrap.randomKey16(scripted)));
    }

    private static SecureRandom scripted(String... draws) {
        Deque<byte[]> queue = new ArrayDeque<>();
        for (String d : draws) {
            queue.add(HEX.parseHex(d));
        }
        return new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                byte[] next = queue.remove();
                System.arraycopy(next, 0, bytes, 0, bytes.length);
            }
        };
    }

    private static boolean hasOddParity(byte[] key) {
        for (byte b : key) {
            if (Integer.bitCount(b & 0xFF) % 2 == 0) {
                return false;
            }
        }
        return true;
    }

    /** What a --tmk is refused for: all zeros, a DES weak or semi-weak half (parity ignored), equal halves. */
    @Test
    void weakMasterKeysAreNamedAndTheLabTmkIsNot() {
        assertEquals(null, KeyWrap.weakness(TMK));
        assertEquals(null, KeyWrap.weakness(HEX.parseHex("00112233445566778899AABBCCDDEEFF")));
        assertTrue(KeyWrap.weakness(new byte[16]).contains("all zeros"));
        assertTrue(KeyWrap.weakness(HEX.parseHex("0101010101010101FEFEFEFEFEFEFEFE")).contains("left half is a DES weak"));
        assertTrue(KeyWrap.weakness(HEX.parseHex("0123456789ABCDEF01FE01FE01FE01FE")).contains("right half is a DES weak"),
                "a semi-weak key");
        assertTrue(KeyWrap.weakness(HEX.parseHex("0123456789ABCDEF1E1E1E1E0E0E0E0E")).contains("right half"),
                "weak with its parity bits cleared");
        assertTrue(KeyWrap.weakness(HEX.parseHex("0123456789ABCDEF0123456789ABCDEF")).contains("single DES"));
        assertFalse(KeyWrap.weakness(new byte[16]).contains("00000000"), "the key is never in the text");
    }
}
