package dev.tally.terminal.engine;

import dev.tally.spec.card.LabKeys;
import dev.tally.spec.crypto.KeyCheckValue;
import dev.tally.spec.crypto.KeyWrap;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.KeyBlocks;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.channel.NACChannel;

/**
 * A tiny host for cases the simulator has no test amount for (a 0210 whose MAC does not verify): signs
 * on with real keys under the lab TMK, answers every other request through {@code answer} (null = no
 * answer), and records what it received.
 */
final class FakeHost implements AutoCloseable {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    final ServerSocket server;
    final List<ISOMsg> received = new CopyOnWriteArrayList<>();
    final byte[] macKey;
    private final byte[] pinKey;
    private final BiFunction<FakeHost, ISOMsg, ISOMsg> answer;
    private volatile Function<ISOMsg, ISOMsg> signOnAnswer = this::signOn;
    private final List<NACChannel> connections = new CopyOnWriteArrayList<>();

    FakeHost(BiFunction<FakeHost, ISOMsg, ISOMsg> answer) throws IOException {
        this.answer = answer;
        SecureRandom rnd = new SecureRandom();
        this.pinKey = KeyWrap.randomKey16(rnd);
        this.macKey = KeyWrap.randomKey16(rnd);
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                NACChannel ch = new NACChannel(Iso87.packager(), Framing.DEFAULT_TPDU.clone());
                ch.accept(server);
                connections.add(ch);
                Thread.ofVirtual().start(() -> serve(ch));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(NACChannel ch) {
        try {
            while (true) {
                ISOMsg req = ch.receive();
                received.add(req);
                ISOMsg resp = MessageView.of(req).networkManagementCode() != null && "001".equals(
                        MessageView.of(req).networkManagementCode()) ? signOnAnswer.apply(req) : answer.apply(this, req);
                if (resp != null) {
                    ch.send(resp);
                }
            }
        } catch (IOException | ISOException e) {
            try {
                ch.disconnect();
            } catch (IOException ignored) {
                // the test is over or the terminal hung up
            }
        }
    }

    /** Answers sign-ons with {@code answer} from now on (given the request); {@link #signOn} is the good one. */
    FakeHost signOnWith(Function<ISOMsg, ISOMsg> answer) {
        this.signOnAnswer = answer;
        return this;
    }

    /** The 0810 00 with this host's session keys under the lab TMK. */
    ISOMsg signOn(ISOMsg req) {
        byte[] tmk = LabKeys.tmk();
        return MessageBuilder.responseTo(req).responseCode("00")
                .keyBlocks(new KeyBlocks(HEX.formatHex(KeyWrap.encryptUnderKek(tmk, pinKey)), KeyCheckValue.hex(pinKey),
                        HEX.formatHex(KeyWrap.encryptUnderKek(tmk, macKey)), KeyCheckValue.hex(macKey)))
                .build();
    }

    /** The response to {@code req} with {@code rc}, correctly MACed. */
    ISOMsg answer(ISOMsg req, String rc) {
        MessageBuilder b = MessageBuilder.responseTo(req).responseCode(rc);
        if ("00".equals(rc) && "0200".equals(MessageView.of(req).mti())) {
            b.rrn("000000000042").authCode("OK4242");
        } else if ("0200".equals(MessageView.of(req).mti())) {
            b.rrn("000000000042");
        }
        ISOMsg m = b.build();
        MessageMac.apply(m, macKey);
        return m;
    }

    @Override
    public void close() throws IOException {
        server.close(); // and every connection: the host is gone, as when the acquirer goes down
        for (NACChannel ch : connections) {
            ch.disconnect();
        }
    }
}
