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
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.channel.NACChannel;

/**
 * A tiny host for cases the simulator has no test amount for (a 0210 whose MAC does not verify): signs
 * on with real keys under the lab TMK, answers every other request through {@code answer} (null = no
 * answer), and records what it received. Public for the load generator's tests: it judges answers as the engine does.
 */
public final class FakeHost implements AutoCloseable {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    final ServerSocket server;
    public final List<ISOMsg> received = new CopyOnWriteArrayList<>();
    public final byte[] macKey;
    private final byte[] pinKey;
    private final BiFunction<FakeHost, ISOMsg, ISOMsg> answer;
    private volatile Function<ISOMsg, ISOMsg> signOnAnswer = this::signOn;
    private final List<NACChannel> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    /** requests a {@link #silentTo} link said to leave unanswered, by {@link #key}, with how many are still to come */
    private final Map<String, Integer> silenced = new ConcurrentHashMap<>();

    public FakeHost(BiFunction<FakeHost, ISOMsg, ISOMsg> answer) throws IOException {
        this.answer = answer;
        SecureRandom rnd = new SecureRandom();
        this.pinKey = KeyWrap.randomKey16(rnd);
        this.macKey = KeyWrap.randomKey16(rnd);
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    public int port() {
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
                if (leftUnanswered(req)) {
                    continue;
                }
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

    /** How long a terminal on a {@link #silentTo} link waits for an answer the host gives: ample on a slow machine. */
    static final Duration ANSWERED = Duration.ofSeconds(5);

    /**
     * {@code link} with this host leaving unanswered the requests {@code silent} picks; sign-ons are always answered.
     * {@code silent} is asked as each request leaves, given it and the requests that left before it through this
     * link (sign-ons too), and its verdict holds for that request whatever the test changes meanwhile. Those
     * exchanges wait {@code silence} whatever timeout the terminal gives them, every other one the terminal's own
     * ({@link #ANSWERED}): an answer the test expects is not lost to a timeout a CPU or GC stall can outlast, and a
     * silence it expects costs only {@code silence}, as no answer can come to end it sooner.
     */
    HostChannel silentTo(HostChannel link, Duration silence, BiPredicate<MessageView, List<MessageView>> silent) {
        return new Silencing(link, silence, silent);
    }

    /** How many of {@code sent} have an MTI {@code mti} starts (a count for {@link #silentTo}'s predicates). */
    public static long count(List<MessageView> sent, String mti) {
        return sent.stream().filter(m -> m.mti().startsWith(mti)).count();
    }

    private static String key(MessageView m) {
        return m.mti() + "/" + m.terminalId() + "/" + m.stan();
    }

    private static boolean signOn(MessageView m) {
        return "001".equals(m.networkManagementCode());
    }

    /** True, once for each time a link said so, when {@code req} is to go unanswered. */
    private boolean leftUnanswered(ISOMsg req) {
        boolean[] hit = {false};
        silenced.computeIfPresent(key(MessageView.of(req)), (k, n) -> {
            hit[0] = true;
            return n == 1 ? null : n - 1;
        });
        return hit[0];
    }

    private final class Silencing implements HostChannel.Forwarding {
        private final HostChannel link;
        private final Duration silence;
        private final BiPredicate<MessageView, List<MessageView>> silent;
        private final List<MessageView> sent = new ArrayList<>();

        Silencing(HostChannel link, Duration silence, BiPredicate<MessageView, List<MessageView>> silent) {
            this.link = link;
            this.silence = silence;
            this.silent = silent;
        }

        @Override
        public HostChannel link() {
            return link;
        }

        @Override
        public Exchange exchange(ISOMsg request, Duration timeout) {
            MessageView v = MessageView.of((ISOMsg) request.clone()); // as it left: the engine may reuse it
            boolean quiet;
            synchronized (sent) {
                quiet = !signOn(v) && silent.test(v, List.copyOf(sent));
                sent.add(v);
            }
            if (!quiet) {
                return link.exchange(request, timeout);
            }
            String key = key(v);
            silenced.merge(key, 1, Integer::sum); // before it leaves: the host reads it on receipt
            Exchange ex = link.exchange(request, silence);
            if (ex instanceof Exchange.Broken b && b.linkBrokeOnWrite()) {
                silenced.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1); // it never left
            }
            if (ex instanceof Exchange.Answered) {
                throw new AssertionError("the host answered " + key + ", which the test had it leave unanswered");
            }
            return ex;
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
    public ISOMsg answer(ISOMsg req, String rc) {
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

    /** Ample for the acceptor to wake from accept() on a slow machine; it never waits on anything else. */
    private static final Duration ACCEPTOR_GONE = Duration.ofSeconds(10);

    /**
     * Closes the port and every connection: the host is gone, as when the acquirer goes down, and a connect from now
     * on is refused. ServerSocket.close() returns while the acceptor is still in accept(), and until it leaves the
     * kernel still completes handshakes on the port, then resets them: a "gone" host took the next connect.
     */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            if (!acceptor.join(ACCEPTOR_GONE)) {
                throw new IOException("the fake host's acceptor did not stop within " + ACCEPTOR_GONE
                        + ": its port may still take connections");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the fake host's port closed");
        }
        for (NACChannel ch : connections) { // after the join: a connection accepted just before the close is listed
            ch.disconnect();
        }
    }
}
