package dev.tally.terminal.host;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.codes.TerminalAction;
import dev.tally.spec.crypto.KeyCheckException;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.crypto.PinBlock;
import dev.tally.spec.crypto.SessionKeys;
import dev.tally.spec.message.KeyBlocks;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.IntSupplier;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal's security session with the host over a {@link HostLink}: sign-on with key exchange
 * (SPEC.md §4.1, keys checked by KCV), echo, the PIN block (field 52) and the MAC (field 64) of every
 * MACed message. Session keys live only in memory: a new process signs on again.
 */
public final class HostSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HostSession.class);
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final HostChannel link;
    private final String terminalId;
    private final byte[] tmk;
    private final IntSupplier stans;
    private final Clock clock;
    private final Duration timeout;
    private volatile SessionKeys keys;

    /**
     * @param stans the terminal's STAN source (the journal), so sign-on and echo never reuse a STAN
     */
    public HostSession(HostChannel link, String terminalId, byte[] tmk16, IntSupplier stans, Clock clock, Duration timeout) {
        this.link = link;
        this.terminalId = terminalId;
        this.tmk = tmk16.clone();
        this.stans = stans;
        this.clock = clock;
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The terminal id this session signs on as; its keys MAC only that terminal's messages. */
    public String terminalId() {
        return terminalId;
    }

    /** The one-shot link; {@link #channel()} for any kind of channel. */
    public HostLink link() {
        if (link instanceof HostLink one) {
            return one;
        }
        throw new IllegalStateException("this session runs over a " + link.getClass().getSimpleName() + ", not a HostLink");
    }

    public HostChannel channel() {
        return link;
    }

    public boolean hasKeys() {
        return keys != null;
    }

    /** Signs on when the session holds no keys. */
    public void ensureSignedOn() {
        if (keys == null) {
            synchronized (this) { // many payments at once (serve): one sign-on for all of them
                if (keys == null) {
                    signOn();
                }
            }
        }
    }

    /** The session keys, signing on first when there are none (read once: another thread may drop them). */
    private SessionKeys current() {
        SessionKeys k;
        while ((k = keys) == null) {
            ensureSignedOn();
        }
        return k;
    }

    /** Drops the session keys (after A0/A1): the next financial message signs on first. */
    public void invalidateKeys() {
        keys = null;
    }

    /** Drops {@code k} when it is still the session's: keys a newer sign-on brought are kept. */
    private synchronized void dropKeys(SessionKeys k) {
        if (keys == k) {
            keys = null;
        }
    }

    /** 0800 sign-on; on 00 the keys of field 61 are unwrapped under the TMK and checked against their KCVs. */
    public synchronized void signOn() {
        link.connect(); // before a STAN is drawn: an unreachable host leaves the journal as it was
        ISOMsg req = MessageBuilder.request(MessageType.SIGN_ON)
                .stan(stans.getAsInt())
                .transmissionDateTime(clock.instant().atZone(clock.getZone()))
                .terminalId(terminalId)
                .build();
        Exchange ex = link.exchange(req, timeout);
        if (!(ex instanceof Exchange.Answered a)) {
            throw new SignOnException("sign-on to " + link.address() + " failed: " + describe(ex)
                    + "; nothing was charged, try again when the host answers", null);
        }
        MessageView v = MessageView.of(a.response());
        if (!ResponseCodes.APPROVED.equals(v.responseCode())) {
            throw new SignOnException("the host refused the sign-on with " + v.responseCode() + " ("
                    + v.response().operatorText() + ")", null);
        }
        KeyBlocks kb;
        try {
            kb = v.keyBlocks().orElseThrow(() ->
                    new SignOnException("the sign-on answer carries no session keys (field 61)", null));
        } catch (IllegalArgumentException e) {
            // the host's fault, not the operator's input: a sign-on failure like a missing field 61 (the
            // message names lengths only, never key material)
            throw new SignOnException("the sign-on answer's session keys (field 61) are malformed: " + e.getMessage()
                    + "; nothing was charged, have the host's key exchange checked", e);
        }
        try {
            keys = SessionKeys.unwrap(tmk, HEX.parseHex(kb.pinKeyUnderTmk()), kb.pinKeyKcv(),
                    HEX.parseHex(kb.macKeyUnderTmk()), kb.macKeyKcv());
        } catch (KeyCheckException e) {
            throw new SignOnException("session keys from the host failed their check value: the terminal's TMK"
                    + " (--tmk) differs from the host's; load the right TMK and sign on again", e);
        }
        log.debug("signed on to {} as {}", link.address(), terminalId);
    }

    /** 0800 echo (network code 301); true when the host answered 00. */
    public Exchange echo() {
        link.connect();
        ISOMsg req = MessageBuilder.request(MessageType.ECHO)
                .stan(stans.getAsInt())
                .transmissionDateTime(clock.instant().atZone(clock.getZone()))
                .terminalId(terminalId)
                .build();
        return link.exchange(req, timeout);
    }

    /**
     * The session keys in force now (signing on first when there are none), kept whatever happens to the
     * session afterwards: a sale's PIN block and MAC come from one sign-on, and MACing with them needs no host.
     */
    public Signed signed() {
        ensureSignedOn();
        return new Signed(this, current());
    }

    /** PIN blocks and MACs under one set of session keys. */
    public static final class Signed {
        private final HostSession session;
        private final SessionKeys keys;

        private Signed(HostSession session, SessionKeys keys) {
            this.session = session;
            this.keys = keys;
        }

        /**
         * The host holds other keys than these: it answered A0/A1, or MACed its answer under keys these do not
         * verify (another device signed on as this terminal id, the host was re-keyed). Drops them if they are still
         * the session's, so the next message signs on first and gets the host's; without it a long-running
         * {@code tally serve} would be refused every payment until restarted.
         */
        public void stale() {
            session.dropKeys(keys);
        }

        /**
         * For every answer to a request MACed under these keys: an A0/A1 says the host holds other keys or none
         * (another device signed on as this terminal id, the host was re-keyed or restarted on a new ledger), whether
         * its MAC verifies here or not (the host MACs an A0 under the keys it holds): the keys are {@link #stale}.
         * Any other answer keeps them, even one whose MAC fails (damaged, or not the host's): re-keying would turn
         * every other payment in flight under them into an A0.
         */
        public void staleIfResign(ResponseCode code) {
            if (code != null && code.action() == TerminalAction.RESIGN_ON) {
                stale();
            }
        }

        /** Field 52: the ISO 9564 format 0 PIN block under these keys' PIN key. */
        public byte[] pinBlock(String pin, String pan) {
            byte[] clear = PinBlock.format0(pin, pan);
            try {
                return PinBlock.encrypt(clear, keys.pinKey());
            } finally {
                java.util.Arrays.fill(clear, (byte) 0);
            }
        }

        /** Sets field 64 of {@code msg} under these keys' MAC key. */
        public void mac(ISOMsg msg) {
            MessageMac.apply(msg, keys.macKey());
        }

        /**
         * Whether the answer to a request MACed with these keys carries a MAC that verifies under them. The
         * host MACs its answer with the keys the request came under; the session's keys may have changed
         * meanwhile (another payment's A0/A1, a new sign-on), which says nothing about this answer.
         */
        public boolean verifies(ISOMsg response) {
            return MessageMac.verify(response, keys.macKey()); // false without a MAC field
        }
    }

    /** Sends a request already MACed; a thin pass-through so callers use one object. */
    public Exchange exchange(ISOMsg request) {
        return link.exchange(request, timeout);
    }

    public static String describe(Exchange ex) {
        return switch (ex) {
            case Exchange.Answered a -> "answered " + MessageView.of(a.response()).responseCode();
            case Exchange.NoAnswer n -> n.why();
            case Exchange.Broken b -> b.why();
        };
    }

    @Override
    public void close() {
        link.close();
    }
}
