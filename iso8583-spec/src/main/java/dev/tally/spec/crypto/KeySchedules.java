package dev.tally.spec.crypto;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.engines.DESedeEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Bouncy Castle engines already initialised for the keys in use, so a request does not rebuild DES key
 * schedules (in the simulator's profile, {@code DESEngine.generateWorkingKey} was the largest single cost:
 * nine schedules per sale, three for each of MAC check, PIN block and MAC). An initialised DES/TDEA
 * engine keeps no state between blocks, so one engine serves every thread. Bounded: past
 * {@link #MAX_KEYS} keys the cache starts again (a host with that many terminals pays the schedule once
 * more per key). The cache lives in memory only, beside the session keys it is derived from.
 */
final class KeySchedules {

    static final int MAX_KEYS = 4096;

    /** Two-key TDEA, one engine per direction. */
    record Tdea2(BlockCipher encrypt, BlockCipher decrypt) {
    }

    /** X9.19: single DES under K1 (encrypt) and K2 (decrypt). */
    record RetailKeys(BlockCipher k1Encrypt, BlockCipher k2Decrypt) {
    }

    private static final ConcurrentMap<ByteBuffer, Tdea2> TDEA = new ConcurrentHashMap<>();
    private static final ConcurrentMap<ByteBuffer, RetailKeys> RETAIL = new ConcurrentHashMap<>();

    private KeySchedules() {
    }

    static Tdea2 tdea(byte[] key16) {
        Tdea2 t = TDEA.get(ByteBuffer.wrap(key16));
        if (t == null) {
            BlockCipher enc = new DESedeEngine();
            enc.init(true, new KeyParameter(key16)); // DESedeEngine takes K1 K2 and reuses K1 as K3
            BlockCipher dec = new DESedeEngine();
            dec.init(false, new KeyParameter(key16));
            t = new Tdea2(enc, dec);
            bound(TDEA);
            TDEA.put(ByteBuffer.wrap(key16.clone()), t);
        }
        return t;
    }

    static RetailKeys retail(byte[] key16) {
        RetailKeys r = RETAIL.get(ByteBuffer.wrap(key16));
        if (r == null) {
            BlockCipher k1 = new DESEngine();
            k1.init(true, new KeyParameter(key16, 0, 8));
            BlockCipher k2 = new DESEngine();
            k2.init(false, new KeyParameter(key16, 8, 8));
            r = new RetailKeys(k1, k2);
            bound(RETAIL);
            RETAIL.put(ByteBuffer.wrap(key16.clone()), r);
        }
        return r;
    }

    private static void bound(ConcurrentMap<?, ?> m) {
        if (m.size() >= MAX_KEYS) {
            m.clear();
        }
    }
}
