package dev.tally.spec.crypto;

import org.bouncycastle.crypto.params.DESParameters;
import org.bouncycastle.crypto.params.DESedeParameters;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Working keys delivered under a terminal master key (TMK), the classic master/session scheme: a
 * double-length key travels as two 8-byte halves, each encrypted independently with two-key TDEA
 * (K1 K2 K1) in ECB mode under the KEK, and comes with its check value so the receiver can prove
 * it unwrapped the right key before using it.
 */
public final class KeyWrap {

    private KeyWrap() {
    }

    /**
     * Encrypts a double-length key under a double-length KEK, each half on its own (ECB).
     *
     * @throws IllegalArgumentException if either key is not 16 bytes
     */
    public static byte[] encryptUnderKek(byte[] kek16, byte[] key16) {
        Tdea.requireDoubleLength(kek16, "key-encryption key");
        Tdea.requireDoubleLength(key16, "key to encrypt");
        return Tdea.ecb(true, kek16, key16);
    }

    /**
     * Decrypts a double-length key encrypted under a double-length KEK. The result is only as good
     * as the KEK: prefer {@link #unwrapChecked(byte[], byte[], String)} when a check value came along.
     *
     * @throws IllegalArgumentException if either input is not 16 bytes
     */
    public static byte[] decryptUnderKek(byte[] kek16, byte[] encryptedKey16) {
        Tdea.requireDoubleLength(kek16, "key-encryption key");
        Tdea.requireDoubleLength(encryptedKey16, "encrypted key");
        return Tdea.ecb(false, kek16, encryptedKey16);
    }

    /**
     * Decrypts a key under the KEK and checks it against the check value sent with it.
     *
     * @param expectedKcvHex 6 hex characters, either case
     * @return the clear key
     * @throws KeyCheckException        if the clear key's check value differs from {@code expectedKcvHex}
     * @throws IllegalArgumentException if a key is not 16 bytes or the KCV is not 6 hex characters
     */
    public static byte[] unwrapChecked(byte[] kek16, byte[] encryptedKey16, String expectedKcvHex) {
        KeyCheckValue.parse(expectedKcvHex); // reject a malformed KCV before doing any work
        byte[] clear = decryptUnderKek(kek16, encryptedKey16);
        if (!KeyCheckValue.matches(clear, expectedKcvHex)) {
            Arrays.fill(clear, (byte) 0);
            throw new KeyCheckException(expectedKcvHex, "key unwrapped under the terminal master key does not"
                    + " have the announced check value " + expectedKcvHex.toUpperCase()
                    + ": it was encrypted under a different master key or damaged in transit;"
                    + " check which TMK is loaded (compare its KCV with the key form) and request new keys");
        }
        return clear;
    }

    /**
     * Returns a copy of {@code key} with every byte set to odd parity (the low bit of each byte is
     * the DES parity bit; the 56 key bits are unchanged).
     *
     * @throws IllegalArgumentException if the key is not 8, 16 or 24 bytes
     */
    public static byte[] adjustParity(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != 8 && key.length != 16 && key.length != 24) {
            throw new IllegalArgumentException("DES/TDEA key must be 8, 16 or 24 bytes, got " + key.length + " bytes");
        }
        byte[] copy = key.clone();
        DESParameters.setOddParity(copy);
        return copy;
    }

    /**
     * A fresh double-length TDEA key with odd parity whose halves differ (equal halves would make it
     * single DES) and neither half is a DES weak or semi-weak key.
     */
    public static byte[] randomKey16(SecureRandom rnd) {
        Objects.requireNonNull(rnd, "rnd");
        byte[] key = new byte[Tdea.DOUBLE_LENGTH];
        while (true) {
            rnd.nextBytes(key);
            DESParameters.setOddParity(key);
            if (weakness(key) == null) {
                return key;
            }
        }
    }

    /**
     * Why a double-length key given as a master key must not be used, or null when it may: all zeros (a placeholder,
     * not a key), a half that is one of the 16 DES weak or semi-weak keys (FIPS 74 §3.6, Bouncy Castle's table; such a
     * half encrypts as it decrypts), or two equal halves (two-key TDEA that is single DES). The parity bits are not
     * key bits and are ignored: {@code 0000...} is the weak key {@code 0101...}. The key itself is never in the text.
     *
     * @throws IllegalArgumentException if the key is not 16 bytes
     */
    public static String weakness(byte[] key16) {
        Tdea.requireDoubleLength(key16, "key");
        byte[] k = adjustParity(key16);
        try {
            if (Arrays.equals(k, adjustParity(new byte[Tdea.DOUBLE_LENGTH]))) {
                return "it is all zeros, a placeholder and not a key";
            }
            if (DESParameters.isWeakKey(k, 0)) {
                return "its left half is a DES weak or semi-weak key (FIPS 74), which encrypts as it decrypts";
            }
            if (DESParameters.isWeakKey(k, 8)) {
                return "its right half is a DES weak or semi-weak key (FIPS 74), which encrypts as it decrypts";
            }
            if (!DESedeParameters.isReal2Key(k, 0)) {
                return "its two halves are the same key, which makes it single DES";
            }
            return null;
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }
}
