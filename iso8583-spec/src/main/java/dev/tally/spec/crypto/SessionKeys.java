package dev.tally.spec.crypto;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The working keys a terminal holds after a key exchange: the PIN key for field 52 and the MAC key
 * for field 64/128, each a double-length TDEA key. Arrays are copied on the way in and on the way
 * out, and {@link #toString()} prints nothing about the keys (not even check values), so the holder
 * is safe to hand to a logger by mistake.
 */
public record SessionKeys(byte[] pinKey, byte[] macKey) {

    /**
     * @throws IllegalArgumentException if either key is not 16 bytes
     */
    public SessionKeys {
        Tdea.requireDoubleLength(pinKey, "PIN key");
        Tdea.requireDoubleLength(macKey, "MAC key");
        pinKey = pinKey.clone();
        macKey = macKey.clone();
    }

    /**
     * Unwraps both keys of a key exchange under the terminal master key and checks each against its
     * announced check value.
     *
     * @throws KeyCheckException if either key does not match its check value
     */
    public static SessionKeys unwrap(byte[] tmk16, byte[] encryptedPinKey, String pinKcvHex,
                                     byte[] encryptedMacKey, String macKcvHex) {
        byte[] pin = KeyWrap.unwrapChecked(tmk16, encryptedPinKey, pinKcvHex);
        byte[] mac = null;
        try {
            mac = KeyWrap.unwrapChecked(tmk16, encryptedMacKey, macKcvHex);
            return new SessionKeys(pin, mac);
        } finally {
            Arrays.fill(pin, (byte) 0);
            if (mac != null) {
                Arrays.fill(mac, (byte) 0);
            }
        }
    }

    /** A copy of the PIN key. */
    @Override
    public byte[] pinKey() {
        return pinKey.clone();
    }

    /** A copy of the MAC key. */
    @Override
    public byte[] macKey() {
        return macKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SessionKeys other)) {
            return false;
        }
        boolean samePinKey = MessageDigest.isEqual(pinKey, other.pinKey);
        boolean sameMacKey = MessageDigest.isEqual(macKey, other.macKey);
        return samePinKey & sameMacKey;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(pinKey) + Arrays.hashCode(macKey);
    }

    @Override
    public String toString() {
        return "SessionKeys[redacted]";
    }
}
