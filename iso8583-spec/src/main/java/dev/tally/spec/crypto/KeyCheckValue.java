package dev.tally.spec.crypto;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Key check value: the leftmost 3 bytes of the key's encryption of one all-zero block (X9.24-1 /
 * PCI PIN requirement 15-1, "encrypt zeros" method). A KCV identifies a key on a key form, in a
 * config file or in an 0800 response without revealing it.
 */
public final class KeyCheckValue {

    /** Bytes of KCV this class produces (6 hex characters). */
    public static final int LENGTH = 3;

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private KeyCheckValue() {
    }

    /**
     * @param key a single DES key (8 bytes) or a TDEA key (16 or 24 bytes)
     * @return the 3-byte check value
     * @throws IllegalArgumentException for any other key length
     */
    public static byte[] of(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != 8 && key.length != 16 && key.length != 24) {
            throw new IllegalArgumentException("key for a check value must be 8, 16 or 24 bytes, got "
                    + key.length + " bytes");
        }
        byte[] zeros = Tdea.encryptAnyLength(key, new byte[Tdea.BLOCK]);
        byte[] kcv = new byte[LENGTH];
        System.arraycopy(zeros, 0, kcv, 0, LENGTH);
        return kcv;
    }

    /** The check value as 6 uppercase hex characters, e.g. {@code 08D7B4}. */
    public static String hex(byte[] key) {
        return HEX.formatHex(of(key));
    }

    /**
     * Whether {@code key} has the check value {@code kcvHex} (either case), compared in constant time.
     *
     * @throws IllegalArgumentException if {@code kcvHex} is not 6 hex characters
     */
    public static boolean matches(byte[] key, String kcvHex) {
        byte[] expected = parse(kcvHex);
        return MessageDigest.isEqual(of(key), expected);
    }

    static byte[] parse(String kcvHex) {
        Objects.requireNonNull(kcvHex, "kcvHex");
        if (kcvHex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("key check value must be 6 hex characters, got "
                    + kcvHex.length() + " characters");
        }
        for (int i = 0; i < kcvHex.length(); i++) {
            if (Character.digit(kcvHex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("key check value must be 6 hex characters (0-9, A-F);"
                        + " character " + (i + 1) + " is not");
            }
        }
        return HexFormat.of().parseHex(kcvHex);
    }
}
