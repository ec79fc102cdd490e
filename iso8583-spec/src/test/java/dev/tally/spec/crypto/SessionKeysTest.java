package dev.tally.spec.crypto;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionKeysTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private static final byte[] TMK = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
    private static final byte[] PIN_KEY = HEX.parseHex("F1F1F1F1F1F1F1F1C1C1C1C1C1C1C1C1");
    private static final byte[] MAC_KEY = HEX.parseHex("838652DF68A246046DAB6104583B201A");

    @Test
    void toStringIsRedacted() {
        SessionKeys keys = new SessionKeys(PIN_KEY, MAC_KEY);
        String text = keys.toString();
        assertEquals("SessionKeys[redacted]", text);
        for (String secret : new String[] {HEX.formatHex(PIN_KEY), HEX.formatHex(PIN_KEY, 0, 8),
                HEX.formatHex(MAC_KEY), HEX.formatHex(MAC_KEY, 0, 8), KeyCheckValue.hex(PIN_KEY),
                KeyCheckValue.hex(MAC_KEY)}) {
            assertFalse(text.toUpperCase().contains(secret), text);
        }
    }

    @Test
    void constructorCopiesItsArguments() {
        byte[] pin = PIN_KEY.clone();
        byte[] mac = MAC_KEY.clone();
        SessionKeys keys = new SessionKeys(pin, mac);
        pin[0] = 0;
        mac[0] = 0;
        assertArrayEquals(PIN_KEY, keys.pinKey());
        assertArrayEquals(MAC_KEY, keys.macKey());
    }

    @Test
    void accessorsReturnCopies() {
        SessionKeys keys = new SessionKeys(PIN_KEY, MAC_KEY);
        keys.pinKey()[0] = 0;
        keys.macKey()[0] = 0;
        assertArrayEquals(PIN_KEY, keys.pinKey());
        assertArrayEquals(MAC_KEY, keys.macKey());
    }

    @Test
    void equalityIsByKeyContent() {
        assertEquals(new SessionKeys(PIN_KEY, MAC_KEY), new SessionKeys(PIN_KEY.clone(), MAC_KEY.clone()));
        assertEquals(new SessionKeys(PIN_KEY, MAC_KEY).hashCode(),
                new SessionKeys(PIN_KEY.clone(), MAC_KEY.clone()).hashCode());
        assertNotEquals(new SessionKeys(PIN_KEY, MAC_KEY), new SessionKeys(MAC_KEY, PIN_KEY));
    }

    @Test
    void keysMustBeDoubleLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SessionKeys(new byte[8], MAC_KEY));
        assertTrue(e.getMessage().contains("PIN key") && e.getMessage().contains("got 8 bytes"), e.getMessage());
        IllegalArgumentException mac = assertThrows(IllegalArgumentException.class,
                () -> new SessionKeys(PIN_KEY, new byte[24]));
        assertTrue(mac.getMessage().contains("MAC key"), mac.getMessage());
    }

    @Test
    void unwrapChecksBothKeys() {
        byte[] encPin = KeyWrap.encryptUnderKek(TMK, PIN_KEY);
        byte[] encMac = KeyWrap.encryptUnderKek(TMK, MAC_KEY);

        SessionKeys keys = SessionKeys.unwrap(TMK, encPin, KeyCheckValue.hex(PIN_KEY), encMac, KeyCheckValue.hex(MAC_KEY));
        assertEquals(new SessionKeys(PIN_KEY, MAC_KEY), keys);

        // MAC key announced with the PIN key's check value: refused.
        assertThrows(KeyCheckException.class,
                () -> SessionKeys.unwrap(TMK, encPin, KeyCheckValue.hex(PIN_KEY), encMac, KeyCheckValue.hex(PIN_KEY)));
    }
}
