package dev.tally.spec.crypto;

import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.engines.DESedeEngine;
import org.bouncycastle.crypto.params.KeyParameter;

import java.util.Objects;

/**
 * Block-by-block (ECB) DES and two-key triple DES (TDEA keying option 2, K1 K2 K1) through Bouncy
 * Castle, plus the key-length checks shared by the classes of this package. ECB is what the
 * payment formats here ask for: a PIN block and each half of a wrapped key are single blocks.
 */
final class Tdea {

    static final int BLOCK = 8;
    static final int DOUBLE_LENGTH = 16;

    private Tdea() {
    }

    /** Rejects anything but a double-length (16-byte) key; the message names the length, never the bytes. */
    static void requireDoubleLength(byte[] key, String role) {
        Objects.requireNonNull(key, role);
        if (key.length != DOUBLE_LENGTH) {
            throw new IllegalArgumentException(role + " must be a double-length TDEA key of 16 bytes"
                    + " (32 hex characters), got " + key.length + " bytes");
        }
    }

    static void requireBlock(byte[] block, String role) {
        Objects.requireNonNull(block, role);
        if (block.length != BLOCK) {
            throw new IllegalArgumentException(role + " must be one 8-byte block, got " + block.length + " bytes");
        }
    }

    /** Two-key TDEA over each 8-byte block of {@code data} (whose length must be a multiple of 8). */
    static byte[] ecb(boolean encrypt, byte[] key16, byte[] data) {
        requireDoubleLength(key16, "TDEA key");
        KeySchedules.Tdea2 t = KeySchedules.tdea(key16);
        return processBlocks(encrypt ? t.encrypt() : t.decrypt(), data);
    }

    /** Encrypts {@code data} with single DES (8-byte key) or TDEA (16- or 24-byte key). */
    static byte[] encryptAnyLength(byte[] key, byte[] data) {
        BlockCipher engine = key.length == BLOCK ? new DESEngine() : new DESedeEngine();
        engine.init(true, new KeyParameter(key));
        return processBlocks(engine, data);
    }

    private static byte[] processBlocks(BlockCipher engine, byte[] data) {
        if (data.length % BLOCK != 0) {
            throw new IllegalArgumentException("data for ECB must be a multiple of 8 bytes, got " + data.length);
        }
        byte[] out = new byte[data.length];
        for (int off = 0; off < data.length; off += BLOCK) {
            engine.processBlock(data, off, out, off);
        }
        return out;
    }
}
