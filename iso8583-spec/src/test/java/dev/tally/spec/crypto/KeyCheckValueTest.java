package dev.tally.spec.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyCheckValueTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    // nickntg/thalessimulatorlibrary, Tests/ThalesSimulatorLibrary.Core.Tests/Cryptography/DES/CryptTests.cs,
    // TripleDesEncrypt: "0123456789ABCDEFFEDCBA9876543210".DesEncrypt("0000000000000000") = 08D7B4FB629D0885,
    // so the check value (leftmost 3 bytes) is 08D7B4.
    @Test
    void doubleLengthTestKey() {
        byte[] key = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
        assertArrayEquals(HEX.parseHex("08D7B4"), KeyCheckValue.of(key));
        assertEquals("08D7B4", KeyCheckValue.hex(key));
    }

    // Same file, TripleDesEncrypt: the triple-length form 0123456789ABCDEF FEDCBA9876543210 0123456789ABCDEF
    // (K3 = K1) also encrypts zeros to 08D7B4FB629D0885.
    @Test
    void tripleLengthKeyWithK3EqualK1() {
        byte[] key = HEX.parseHex("0123456789ABCDEFFEDCBA98765432100123456789ABCDEF");
        assertEquals("08D7B4", KeyCheckValue.hex(key));
    }

    // Same file, DesEncrypt: "0123456789ABCDEF".DesEncrypt("0000000000000000") = D5D44FF720683D0D -> D5D44F.
    @Test
    void singleDesKey() {
        assertEquals("D5D44F", KeyCheckValue.hex(HEX.parseHex("0123456789ABCDEF")));
    }

    @Test
    void matchesIgnoresCase() {
        byte[] key = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
        assertTrue(KeyCheckValue.matches(key, "08D7B4"));
        assertTrue(KeyCheckValue.matches(key, "08d7b4"));
    }

    @Test
    void matchesRejectsAnotherValue() {
        byte[] key = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
        assertFalse(KeyCheckValue.matches(key, "08D7B5"));
        assertFalse(KeyCheckValue.matches(HEX.parseHex("0123456789ABCDEF0123456789ABCDEF"), "08D7B4"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"08D7", "08D7B4FB", "08D7BG", ""})
    void malformedCheckValuesAreRejected(String kcv) {
        byte[] key = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyCheckValue.matches(key, kcv));
        assertTrue(e.getMessage().contains("6 hex characters"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 9, 15, 32})
    void badKeyLengthsAreRejectedNamingTheLength(int length) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyCheckValue.of(new byte[length]));
        assertTrue(e.getMessage().contains("got " + length + " bytes"), e.getMessage());
    }
}
