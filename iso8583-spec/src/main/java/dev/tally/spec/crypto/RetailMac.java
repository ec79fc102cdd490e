package dev.tally.spec.crypto;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * The ANSI X9.19 retail MAC, which ISO/IEC 9797-1 names MAC algorithm 3 with DES: single-DES CBC
 * under K1 over every block, then decrypt with K2 and encrypt with K1 on the last one. Data is
 * padded with zero bits to a whole block (ISO/IEC 9797-1 padding method 1) and the MAC is the full
 * 8 bytes, as carried in ISO 8583 field 64/128.
 */
public final class RetailMac {

    /** Length of the MAC this class computes and verifies. */
    public static final int LENGTH = 8;

    private RetailMac() {
    }

    /**
     * @param key16 the double-length MAC key (K1 K2), 16 bytes
     * @param data  the bytes to authenticate, any length (an empty array is one zero block)
     * @return the 8-byte MAC
     * @throws IllegalArgumentException if the key is not 16 bytes
     */
    public static byte[] compute(byte[] key16, byte[] data) {
        Tdea.requireDoubleLength(key16, "MAC key");
        Objects.requireNonNull(data, "data");
        // ISO/IEC 9797-1 MAC algorithm 3 on Bouncy Castle's DES engines, initialised once per key
        // (KeySchedules): CBC under K1 over the data zero-padded to whole blocks (padding method 1: no
        // extra block when the length is a multiple of 8; empty data is one zero block), then the last
        // block decrypted under K2 and encrypted under K1. RetailMacTest checks it against
        // ISO9797Alg3Mac and the published vectors.
        KeySchedules.RetailKeys k = KeySchedules.retail(key16);
        byte[] x = new byte[LENGTH];
        int blocks = Math.max(1, (data.length + LENGTH - 1) / LENGTH);
        for (int b = 0, off = 0; b < blocks; b++, off += LENGTH) {
            for (int i = 0; i < LENGTH && off + i < data.length; i++) {
                x[i] ^= data[off + i];
            }
            k.k1Encrypt().processBlock(x, 0, x, 0);
        }
        k.k2Decrypt().processBlock(x, 0, x, 0);
        k.k1Encrypt().processBlock(x, 0, x, 0);
        return x;
    }

    /**
     * Recomputes the MAC and compares it with {@code mac8} in time independent of where they differ.
     *
     * @throws IllegalArgumentException if the key is not 16 bytes or {@code mac8} is not 8 bytes
     *                                  (a packager bug, not a forged message)
     */
    public static boolean verify(byte[] key16, byte[] data, byte[] mac8) {
        Objects.requireNonNull(mac8, "mac8");
        if (mac8.length != LENGTH) {
            throw new IllegalArgumentException("MAC to verify must be 8 bytes, got " + mac8.length
                    + " bytes; check that field 64/128 is unpacked as 8 binary bytes");
        }
        return MessageDigest.isEqual(compute(key16, data), mac8);
    }
}
