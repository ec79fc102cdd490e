package dev.tally.spec.crypto;

import org.bouncycastle.crypto.Mac;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.macs.ISO9797Alg3Mac;
import org.bouncycastle.crypto.params.KeyParameter;

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
        // No padding object: Bouncy Castle then fills the last block with zero bytes and adds no
        // extra block when the data is already a multiple of 8, which is padding method 1.
        Mac mac = new ISO9797Alg3Mac(new DESEngine());
        mac.init(new KeyParameter(key16));
        mac.update(data, 0, data.length);
        byte[] out = new byte[LENGTH];
        mac.doFinal(out, 0);
        return out;
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
