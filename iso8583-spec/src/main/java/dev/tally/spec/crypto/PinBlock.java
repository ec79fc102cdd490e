package dev.tally.spec.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * ISO 9564-1 PIN block format 0 (the same block as ANSI X9.8, VISA-1 and ECI-1), and its two-key
 * TDEA encryption under a PIN encryption key as carried in ISO 8583 field 52.
 *
 * <p>Format 0 is the XOR of two 8-byte fields (ISO 9564-1, format 0):
 * <pre>
 *   PIN field  0 L P P P P P/F ... P/F F   control 0, PIN length L (4..C), PIN digits, F filler
 *   PAN field  0 0 0 0 A A A ... A         the 12 rightmost PAN digits, excluding the check digit
 * </pre>
 *
 * <p>No message of this class contains the PIN, a PIN digit or the full PAN.
 */
public final class PinBlock {

    static final int MIN_PIN = 4;
    static final int MAX_PIN = 12;
    // 12 account digits plus the check digit; ISO/IEC 7812 PANs are at most 19 digits.
    static final int MIN_PAN = 13;
    static final int MAX_PAN = 19;

    private PinBlock() {
    }

    /**
     * Builds the clear format 0 PIN block.
     *
     * @param pin 4 to 12 decimal digits
     * @param pan the full primary account number, 13 to 19 decimal digits (check digit included)
     * @return the 8-byte clear PIN block
     * @throws IllegalArgumentException if the PIN or the PAN is malformed (the message names the rule,
     *                                  not the value)
     */
    public static byte[] format0(String pin, String pan) {
        Objects.requireNonNull(pin, "pin");
        requirePin(pin);
        byte[] panField = panField(pan);
        byte[] pinField = new byte[Tdea.BLOCK];
        Arrays.fill(pinField, (byte) 0xFF);
        pinField[0] = (byte) pin.length(); // high nibble 0 = format 0, low nibble = PIN length
        for (int i = 0; i < pin.length(); i++) {
            int nibbleIndex = 2 + i;
            int digit = pin.charAt(i) - '0';
            int b = nibbleIndex / 2;
            pinField[b] = (nibbleIndex % 2 == 0)
                    ? (byte) ((digit << 4) | (pinField[b] & 0x0F))
                    : (byte) ((pinField[b] & 0xF0) | digit);
        }
        byte[] block = xor(pinField, panField);
        Arrays.fill(pinField, (byte) 0);
        return block;
    }

    /**
     * Recovers the PIN from a clear format 0 block; the inverse of {@link #format0(String, String)}.
     *
     * @throws IllegalArgumentException if the block is not 8 bytes, is not format 0, has a PIN length
     *                                  outside 4..12, a non-digit PIN nibble or a filler other than F.
     *                                  After a decryption this usually means the wrong PIN key or a PAN
     *                                  other than the one the terminal used.
     */
    public static String extractPin(byte[] clearBlock, String pan) {
        Tdea.requireBlock(clearBlock, "clear PIN block");
        byte[] panField = panField(pan);
        byte[] pinField = xor(clearBlock, panField);
        try {
            int control = nibble(pinField, 0);
            if (control != 0) {
                throw new IllegalArgumentException("PIN block is not ISO 9564-1 format 0: control nibble is "
                        + Integer.toHexString(control).toUpperCase()
                        + "; wrong PIN key, wrong PAN, or the terminal sent another format");
            }
            int length = nibble(pinField, 1);
            if (length < MIN_PIN || length > MAX_PIN) {
                throw new IllegalArgumentException("PIN block has a PIN length of " + length
                        + ", outside 4..12; wrong PIN key or wrong PAN");
            }
            char[] pin = new char[length];
            try {
                for (int i = 0; i < length; i++) {
                    int digit = nibble(pinField, 2 + i);
                    if (digit > 9) {
                        throw new IllegalArgumentException("PIN block holds a non-decimal PIN digit;"
                                + " wrong PIN key or wrong PAN");
                    }
                    pin[i] = (char) ('0' + digit);
                }
                for (int n = 2 + length; n < 16; n++) {
                    if (nibble(pinField, n) != 0xF) {
                        throw new IllegalArgumentException("PIN block filler after the PIN is not all F;"
                                + " wrong PIN key or wrong PAN");
                    }
                }
                return new String(pin);
            } finally {
                Arrays.fill(pin, '\0');
            }
        } finally {
            Arrays.fill(pinField, (byte) 0);
        }
    }

    /**
     * Encrypts a clear PIN block under a double-length PIN key, TDEA in ECB mode (one block).
     *
     * @throws IllegalArgumentException if the block is not 8 bytes or the key not 16 bytes
     */
    public static byte[] encrypt(byte[] clearBlock, byte[] pinKey16) {
        Tdea.requireBlock(clearBlock, "clear PIN block");
        Tdea.requireDoubleLength(pinKey16, "PIN key");
        return Tdea.ecb(true, pinKey16, clearBlock);
    }

    /**
     * Decrypts an encrypted PIN block (field 52) under a double-length PIN key; the result is the
     * clear block for {@link #extractPin(byte[], String)}.
     *
     * @throws IllegalArgumentException if the block is not 8 bytes or the key not 16 bytes
     */
    public static byte[] decrypt(byte[] encBlock, byte[] pinKey16) {
        Tdea.requireBlock(encBlock, "encrypted PIN block");
        Tdea.requireDoubleLength(pinKey16, "PIN key");
        return Tdea.ecb(false, pinKey16, encBlock);
    }

    private static void requirePin(String pin) {
        if (pin.length() < MIN_PIN || pin.length() > MAX_PIN) {
            throw new IllegalArgumentException("PIN must be 4 to 12 digits (ISO 9564-1 format 0)");
        }
        for (int i = 0; i < pin.length(); i++) {
            char c = pin.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("PIN must contain decimal digits only (ISO 9564-1 format 0)");
            }
        }
    }

    /** {@code 0000} followed by the 12 PAN digits left of the check digit. */
    private static byte[] panField(String pan) {
        Objects.requireNonNull(pan, "pan");
        if (pan.length() < MIN_PAN || pan.length() > MAX_PAN) {
            throw new IllegalArgumentException("PAN must be 13 to 19 digits for a format 0 PIN block, got "
                    + pan.length() + " characters");
        }
        for (int i = 0; i < pan.length(); i++) {
            char c = pan.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("PAN must contain decimal digits only; character "
                        + (i + 1) + " of " + pan.length() + " is not a digit");
            }
        }
        String digits = pan.substring(pan.length() - 13, pan.length() - 1);
        byte[] field = new byte[Tdea.BLOCK];
        for (int i = 0; i < 12; i++) {
            int nibbleIndex = 4 + i;
            int digit = digits.charAt(i) - '0';
            field[nibbleIndex / 2] |= (byte) (nibbleIndex % 2 == 0 ? digit << 4 : digit);
        }
        return field;
    }

    private static int nibble(byte[] b, int index) {
        int v = b[index / 2] & 0xFF;
        return index % 2 == 0 ? v >>> 4 : v & 0x0F;
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[Tdea.BLOCK];
        for (int i = 0; i < Tdea.BLOCK; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }
}
