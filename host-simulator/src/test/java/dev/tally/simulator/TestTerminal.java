package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.crypto.PinBlock;
import dev.tally.spec.crypto.SessionKeys;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.KeyBlocks;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OriginalData;
import dev.tally.spec.message.SettlementTotals;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.channel.NACChannel;

/**
 * A minimal terminal for the tests: a plain jPOS NACChannel and the spec module's builders, nothing of
 * terminal-app. It keeps its session keys after sign-on and MACs every request that SPEC.md MACs.
 */
final class TestTerminal implements AutoCloseable {

    static final String MERCHANT = "HOSPITAL0000001";
    private static final AtomicInteger CLOCK_TICK = new AtomicInteger();

    final String terminalId;
    private final int port;
    private NACChannel channel;
    private SessionKeys keys;
    private int stan;

    TestTerminal(int port, String terminalId) throws IOException {
        this.port = port;
        this.terminalId = terminalId;
        connect();
    }

    void connect() throws IOException {
        if (channel != null) {
            channel.disconnect();
        }
        channel = new NACChannel("127.0.0.1", port, Iso87.packager(), Framing.DEFAULT_TPDU);
        channel.setTimeout(10_000);
        channel.connect();
    }

    boolean isConnected() {
        return channel.isConnected();
    }

    int nextStan() {
        return ++stan;
    }

    SessionKeys keys() {
        return keys;
    }

    void forgetKeys() {
        keys = null;
    }

    /** Signs on and unwraps the keys, checking both KCVs (KeyCheckException otherwise). */
    ISOMsg signOn() throws Exception {
        ISOMsg answer = exchange(MessageBuilder.request(MessageType.SIGN_ON).transmissionDateTime(nextField7())
                .stan(nextStan()).terminalId(terminalId).build());
        MessageView v = MessageView.of(answer);
        assertEquals("00", v.responseCode(), "sign-on answer");
        KeyBlocks kb = v.keyBlocks().orElseThrow();
        HexFormat hex = HexFormat.of();
        keys = SessionKeys.unwrap(LabKeys.tmk(), hex.parseHex(kb.pinKeyUnderTmk()), kb.pinKeyKcv(),
                hex.parseHex(kb.macKeyUnderTmk()), kb.macKeyKcv());
        return answer;
    }

    ISOMsg echo() throws Exception {
        return exchange(MessageBuilder.request(MessageType.ECHO).transmissionDateTime(nextField7()).stan(nextStan())
                .terminalId(terminalId).build());
    }

    MessageBuilder saleRequest(TestCard card, long amount, String order) {
        LocalDateTime local = LocalDateTime.now(ZoneOffset.UTC);
        return MessageBuilder.request(MessageType.SALE).pan(card.pan()).amount(amount)
                .transmissionDateTime(nextField7()).stan(nextStan()).localDateTime(local).expiry(card.expiry())
                .posEntryMode("011").posConditionCode("00").terminalId(terminalId).merchantId(MERCHANT)
                .currency(card.currency()).orderReference(order);
    }

    MessageBuilder withPin(MessageBuilder b, TestCard card, String pin) {
        return b.pinBlock(PinBlock.encrypt(PinBlock.format0(pin, card.pan()), keys.pinKey()));
    }

    MessageBuilder balanceRequest(TestCard card) {
        return MessageBuilder.request(MessageType.BALANCE_INQUIRY).pan(card.pan()).transmissionDateTime(nextField7())
                .stan(nextStan()).localDateTime(LocalDateTime.now(ZoneOffset.UTC)).expiry(card.expiry())
                .posEntryMode("011").posConditionCode("00").terminalId(terminalId).merchantId(MERCHANT)
                .currency(card.currency());
    }

    /** A reversal of a sale request; {@code reversalStan} is kept by every 0401 repeat. */
    ISOMsg reversalOf(ISOMsg sale, int reversalStan, boolean repeat, ReversalReason reason) {
        MessageView s = MessageView.of(sale);
        return MessageBuilder.request(repeat ? MessageType.REVERSAL_REPEAT : MessageType.REVERSAL).pan(s.pan())
                .amount(s.amount()).transmissionDateTime(nextField7()).stan(reversalStan).localTime(s.localTime())
                .localDate(s.localDate()).posEntryMode(s.posEntryMode()).posConditionCode(s.posConditionCode())
                .reversalReason(reason).terminalId(terminalId).merchantId(s.merchantId()).currency(s.currency())
                .orderReference(s.orderReference().orElseThrow())
                .originalData(new OriginalData("0200", s.stan(), s.transmissionDateTime())).build();
    }

    ISOMsg statusOf(ISOMsg sale) {
        MessageView s = MessageView.of(sale);
        return MessageBuilder.request(MessageType.STATUS_INQUIRY).transmissionDateTime(nextField7()).stan(nextStan())
                .terminalId(terminalId).merchantId(MERCHANT).orderReference(s.orderReference().orElseThrow())
                .originalData(new OriginalData("0200", s.stan(), s.transmissionDateTime())).build();
    }

    ISOMsg settlement(int batch, SettlementTotals totals, boolean trailer) {
        return MessageBuilder.request(trailer ? MessageType.SETTLEMENT_TRAILER : MessageType.SETTLEMENT)
                .transmissionDateTime(nextField7()).stan(nextStan()).terminalId(terminalId).merchantId(MERCHANT)
                .batchNumber(batch).settlementTotals(totals).build();
    }

    ISOMsg uploadOf(ISOMsg sale, ISOMsg saleAnswer) {
        MessageView s = MessageView.of(sale);
        MessageView a = MessageView.of(saleAnswer);
        return MessageBuilder.request(MessageType.BATCH_UPLOAD).pan(s.pan()).amount(s.amount())
                .transmissionDateTime(nextField7()).stan(nextStan()).localTime(s.localTime()).localDate(s.localDate())
                .posEntryMode(s.posEntryMode()).posConditionCode(s.posConditionCode()).rrn(a.rrn()).authCode(a.authCode())
                .terminalId(terminalId).merchantId(MERCHANT).currency(s.currency())
                .orderReference(s.orderReference().orElseThrow()).uploadOriginal("0200", s.stan(), s.transmissionDateTime())
                .build();
    }

    /** MACs (when the message type is MACed and the terminal holds keys) and sends. */
    void send(ISOMsg m) throws IOException, ISOException {
        if (keys != null && MessageMac.hasMac(m)) {
            MessageMac.apply(m, keys.macKey());
        }
        channel.send(m);
    }

    /** Sends without touching the MAC (for MAC-failure tests). */
    void sendRaw(ISOMsg m) throws IOException, ISOException {
        channel.send(m);
    }

    ISOMsg receive() throws IOException, ISOException {
        return channel.receive();
    }

    /** Waits up to {@code wait} for a message; empty when none came (the channel is then closed: reconnect). */
    Optional<ISOMsg> receiveWithin(Duration wait) throws IOException, ISOException {
        channel.setTimeout((int) wait.toMillis());
        try {
            return Optional.of(channel.receive());
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } finally {
            if (channel.isConnected()) {
                channel.setTimeout(10_000);
            }
        }
    }

    ISOMsg exchange(ISOMsg m) throws IOException, ISOException {
        send(m);
        return receive();
    }

    /** Field 7: now in UTC, made unique per message within a test run (seconds shifted by a counter). */
    static String nextField7() {
        ZonedDateTime t = ZonedDateTime.now(ZoneOffset.UTC).withNano(0).minusHours(1).plusSeconds(CLOCK_TICK.incrementAndGet());
        return t.format(java.time.format.DateTimeFormatter.ofPattern("MMddHHmmss"));
    }

    @Override
    public void close() throws IOException {
        channel.disconnect();
    }
}
