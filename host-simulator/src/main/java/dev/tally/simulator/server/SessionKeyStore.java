package dev.tally.simulator.server;

import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.ledger.StoredSessionKeys;
import dev.tally.spec.crypto.KeyCheckValue;
import dev.tally.spec.crypto.KeyWrap;
import dev.tally.spec.crypto.SessionKeys;
import dev.tally.spec.message.KeyBlocks;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The terminals' session keys (SPEC.md §4.1). A sign-on draws a fresh PIN key and MAC key, encrypts them
 * under the TMK and stores only that cryptogram in the ledger, exactly as it goes out in field 61. The
 * clear keys live only in this process's memory (as a terminal's do): loaded from the ledger on a
 * terminal's first request after a start, replaced at its next sign-on. Keys stored under another TMK (the
 * simulator restarted with a different {@code --tmk}) count as no keys: the terminal must sign on again.
 */
final class SessionKeyStore {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final Ledger ledger;
    private final byte[] tmk;
    private final String tmkKcv;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentMap<String, SessionKeys> current = new ConcurrentHashMap<>();

    SessionKeyStore(Ledger ledger, byte[] tmk) {
        this.ledger = ledger;
        this.tmk = tmk.clone();
        this.tmkKcv = KeyCheckValue.hex(tmk);
    }

    /** New session keys for the terminal, replacing its earlier ones at once; returns field 61. */
    KeyBlocks signOn(String terminalId) {
        byte[] pin = KeyWrap.randomKey16(random);
        byte[] mac = KeyWrap.randomKey16(random);
        try {
            String pinUnderTmk = HEX.formatHex(KeyWrap.encryptUnderKek(tmk, pin));
            String macUnderTmk = HEX.formatHex(KeyWrap.encryptUnderKek(tmk, mac));
            ledger.storeSessionKeys(terminalId, pinUnderTmk, macUnderTmk, tmkKcv);
            // after the commit; a load of the old keys racing with it finishes first (same map bin), then this replaces it
            current.put(terminalId, new SessionKeys(pin, mac));
            return new KeyBlocks(pinUnderTmk, KeyCheckValue.hex(pin), macUnderTmk, KeyCheckValue.hex(mac));
        } finally {
            Arrays.fill(pin, (byte) 0);
            Arrays.fill(mac, (byte) 0);
        }
    }

    /** The terminal's current session keys, when it has signed on under this TMK. */
    Optional<SessionKeys> keysFor(String terminalId) {
        if (terminalId == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(current.computeIfAbsent(terminalId, t -> stored(t).orElse(null)));
    }

    /** The keys the ledger holds for the terminal under this TMK, decrypted. */
    private Optional<SessionKeys> stored(String terminalId) {
        Optional<StoredSessionKeys> stored = ledger.sessionKeys(terminalId);
        if (stored.isEmpty() || !stored.get().tmkKcv().equals(tmkKcv)) {
            return Optional.empty();
        }
        byte[] pin = KeyWrap.decryptUnderKek(tmk, HEX.parseHex(stored.get().pinKeyUnderTmk()));
        byte[] mac = KeyWrap.decryptUnderKek(tmk, HEX.parseHex(stored.get().macKeyUnderTmk()));
        try {
            return Optional.of(new SessionKeys(pin, mac));
        } finally {
            Arrays.fill(pin, (byte) 0);
            Arrays.fill(mac, (byte) 0);
        }
    }
}
