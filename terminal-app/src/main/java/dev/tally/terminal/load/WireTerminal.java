package dev.tally.terminal.load;

import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.codes.TerminalAction;
import dev.tally.spec.crypto.KeyCheckException;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.crypto.PinBlock;
import dev.tally.spec.crypto.SessionKeys;
import dev.tally.spec.message.KeyBlocks;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OriginalData;
import dev.tally.terminal.card.CardData;
import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.engine.PaymentEngine;
import dev.tally.terminal.engine.ReversalVerdict;
import dev.tally.terminal.engine.SaleVerdict;
import dev.tally.terminal.engine.TerminalProfile;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.host.SignOnException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import org.jpos.iso.ISOMsg;

/**
 * A terminal of the pure load generator ({@code --no-journal}): the same messages the engine sends (built,
 * PIN-blocked and MACed with the spec module, over one jPOS NACChannel through {@link HostLink}), with no
 * journal. A sale without an answer is reversed once (0400, reason 98), as a terminal would; an answer is judged as
 * the engine judges it ({@link SaleVerdict}): one whose MAC fails or is missing is reversed (A0), and so is one
 * without field 39, answered 94 or with a code the catalogue does not know (06). The reversal's answer is judged as
 * the engine's reversal loop judges it ({@link ReversalVerdict}): a 00 or 25 whose MAC fails or is missing is not
 * trusted, and the sale stays REVERSAL_PENDING. An A0/A1 to either drops the session keys: the next message signs on
 * first, as the engine's session does.
 *
 * <p>Against a bare echo server ({@code bareHost}) there is no key exchange: the sign-on answer carries no
 * keys, so the messages are PIN-blocked and MACed under fixed lab keys — same work, same bytes on the wire.
 */
final class WireTerminal implements LoadTerminal {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final DateTimeFormatter F7 = DateTimeFormatter.ofPattern("MMddHHmmss");
    /** Only for a bare echo host, which exchanges no keys: any double-length key does the same work. */
    private static final byte[] BARE_HOST_KEY = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");

    private final HostLink link;
    private final TerminalProfile profile;
    private final byte[] tmk;
    private final CardReader reader;
    private final Clock clock;
    private final boolean bareHost;
    private int stan;
    private SessionKeys keys;

    WireTerminal(String host, int port, TerminalProfile profile, byte[] tmk, CardReader reader, Clock clock,
                 boolean bareHost, LoadStats stats) {
        this.profile = profile;
        this.tmk = tmk.clone();
        this.reader = reader;
        this.clock = clock;
        this.bareHost = bareHost;
        this.link = new HostLink(host, port, profile.timeout(), m -> stats.stray());
    }

    @Override
    public String terminalId() {
        return profile.terminalId();
    }

    private int nextStan() {
        stan = stan >= 999_999 ? 1 : stan + 1;
        return stan;
    }

    @Override
    public void signOn() {
        ISOMsg req = MessageBuilder.request(MessageType.SIGN_ON)
                .stan(nextStan())
                .transmissionDateTime(clock.instant().atZone(ZoneOffset.UTC))
                .terminalId(profile.terminalId())
                .build();
        Exchange ex = link.exchange(req, profile.timeout());
        if (!(ex instanceof Exchange.Answered a)) {
            throw new SignOnException("sign-on of " + profile.terminalId() + " to " + link.address() + " failed: "
                    + ex, null);
        }
        MessageView v = MessageView.of(a.response());
        if (!ResponseCodes.APPROVED.equals(v.responseCode())) {
            throw new SignOnException("the host refused the sign-on of " + profile.terminalId() + " with "
                    + v.responseCode(), null);
        }
        if (bareHost) {
            keys = new SessionKeys(BARE_HOST_KEY, BARE_HOST_KEY);
            return;
        }
        KeyBlocks kb = v.keyBlocks().orElseThrow(() -> new SignOnException("the sign-on answer carries no session keys"
                + " (field 61); is this a bare echo server? then use --bare-host", null));
        try {
            keys = SessionKeys.unwrap(tmk, HEX.parseHex(kb.pinKeyUnderTmk()), kb.pinKeyKcv(),
                    HEX.parseHex(kb.macKeyUnderTmk()), kb.macKeyKcv());
        } catch (KeyCheckException e) {
            throw new SignOnException("session keys failed their check value: the TMK differs from the host's", e);
        }
    }

    @Override
    public SaleOutcome sale(String orderId, long amountMinor, String cardRef) {
        CardData card = reader.read(cardRef);
        try {
            signOnIfStale();
        } catch (HostUnavailableException e) { // a SignOnException too, as the engine's sale counts it
            return SaleOutcome.failed("host_unavailable");
        }
        byte[] clear = PinBlock.format0(card.pin(), card.pan());
        byte[] pinBlock;
        try {
            pinBlock = PinBlock.encrypt(clear, keys.pinKey());
        } finally {
            Arrays.fill(clear, (byte) 0);
        }
        LocalDateTime local = LocalDateTime.now(clock);
        String f7 = clock.instant().atZone(ZoneOffset.UTC).format(F7);
        int saleStan = nextStan();
        ISOMsg request = PaymentEngine.saleRequest(profile, card, amountMinor, orderId, f7, saleStan, pinBlock)
                .localDateTime(local)
                .build();
        MessageMac.apply(request, keys.macKey());
        Exchange ex;
        try {
            ex = link.exchange(request, profile.timeout());
        } catch (HostUnavailableException e) {
            return SaleOutcome.failed("host_unavailable");
        }
        if (ex instanceof Exchange.Answered a) {
            MessageView v = MessageView.of(a.response());
            String rc = v.responseCode();
            SessionKeys saleKeys = keys;
            staleIfResign(v);
            // a bare echo host has no keys to MAC under (it echoes the request's field 64): its answers taken as MACed
            boolean macPresent = bareHost || v.mac().isPresent();
            SaleVerdict verdict = SaleVerdict.of(rc, macPresent,
                    bareHost || macPresent && MessageMac.verify(a.response(), saleKeys.macKey()));
            return switch (verdict) {
                case APPROVE -> new SaleOutcome("APPROVED", rc, true, 0, null);
                case DECLINE -> new SaleOutcome("DECLINED", rc, true, 0, null);
                default -> reverse(request, card, amountMinor, saleStan, f7, orderId, rc,
                        SaleOutcome.reversedFor(verdict, rc), true, verdict.reversal());
            };
        }
        String kind = ex instanceof Exchange.NoAnswer ? "no_answer" : "broken_link";
        return reverse(request, card, amountMinor, saleStan, f7, orderId, null, kind, false, ReversalReason.NO_RESPONSE);
    }

    /** Drops the keys on an A0/A1, as {@code HostSession.Signed.staleIfResign} does: the host holds other keys or none. */
    private void staleIfResign(MessageView v) {
        if (v.response().action() == TerminalAction.RESIGN_ON) {
            keys = null;
        }
    }

    /** Signs on again when an A0/A1 dropped the keys, as {@code HostSession.signed()} does. */
    private void signOnIfStale() {
        if (keys == null) {
            signOn();
        }
    }

    /** One 0400 for a sale whose outcome is unknown. */
    private SaleOutcome reverse(ISOMsg sale, CardData card, long amount, int saleStan, String f7, String orderId,
                                String rc, String why, boolean answered, ReversalReason reason) {
        ISOMsg rev = MessageBuilder.request(MessageType.REVERSAL)
                .pan(card.pan())
                .amount(amount)
                .transmissionDateTime(clock.instant().atZone(ZoneOffset.UTC))
                .stan(nextStan())
                .localTime(sale.getString(12))
                .localDate(sale.getString(13))
                .posEntryMode("011")
                .posConditionCode("00")
                .reversalReason(reason)
                .terminalId(profile.terminalId())
                .merchantId(profile.merchantId())
                .currency(profile.currency())
                .orderReference(orderId)
                .originalData(new OriginalData(MessageType.SALE.spec().requestMti(), saleStan, f7))
                .build();
        Exchange ex;
        SessionKeys revKeys;
        try {
            signOnIfStale(); // after an A1: under the keys the host holds now, as the engine's reversal goes
            revKeys = keys;
            MessageMac.apply(rev, revKeys.macKey());
            ex = link.exchange(rev, profile.timeout());
        } catch (HostUnavailableException e) {
            return new SaleOutcome("REVERSAL_PENDING", rc, answered, 0, why);
        }
        if (ex instanceof Exchange.Answered a) {
            MessageView v = MessageView.of(a.response());
            staleIfResign(v);
            boolean macPresent = bareHost || v.mac().isPresent(); // a bare echo host's answers taken as MACed, as a sale's
            ReversalVerdict verdict = ReversalVerdict.of(v.responseCode(), macPresent,
                    bareHost || macPresent && MessageMac.verify(a.response(), revKeys.macKey()));
            return switch (verdict) {
                case REVERSED -> new SaleOutcome("REVERSED", rc, answered, 1, why);
                // not trusted: what the host did with the reversal is not known, as when no answer came
                case MAC_FAILED -> new SaleOutcome("REVERSAL_PENDING", rc, answered, 1, why, "reversal_mac_failure");
                case MAC_MISSING -> new SaleOutcome("REVERSAL_PENDING", rc, answered, 1, why, "reversal_mac_missing");
                case NOT_REVERSED -> new SaleOutcome("REVERSAL_FAILED", rc, answered, 1, why);
            };
        }
        return new SaleOutcome("REVERSAL_PENDING", rc, answered, 1, why);
    }

    @Override
    public void close() {
        link.close();
    }
}
