package dev.tally.terminal.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.jpos.iso.ISOMsg;

/**
 * A host on a plain socket: reads each framed request (2-byte length, TPDU, body), answers with the
 * bytes {@code answer} gives for (connection number from 1, request).
 */
final class FrameHost implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger connections = new AtomicInteger();
    private final BiFunction<Integer, ISOMsg, byte[]> answer;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    FrameHost(BiFunction<Integer, ISOMsg, byte[]> answer) throws IOException {
        this.answer = answer;
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    /**
     * The body the simulator sends for its 'garbage' action (host-simulator Delivery): an 0210 whose bitmap claims a
     * secondary bitmap of 8 bytes, followed by only 7 ("GARBLED").
     */
    static final byte[] SIMULATOR_GARBAGE = java.util.HexFormat.of().parseHex("0210FFFFFFFFFFFFFFFF474152424C4544");

    /** A wire tap that keeps "EVENT note" of every request left unanswered, as the message log writes it. */
    static HostLink.WireTap notesOf(List<String> notes) {
        return new HostLink.WireTap() {
            @Override
            public void sent(ISOMsg request, String peer) {
            }

            @Override
            public void answered(ISOMsg request, ISOMsg response, String peer, long latencyMs) {
            }

            @Override
            public void unanswered(ISOMsg request, String peer, long waitedMs, boolean garbled, boolean disconnected,
                                   String why) {
                notes.add((garbled ? "GARBAGE " : disconnected ? "DISCONNECTED " : "TIMEOUT ") + why);
            }

            @Override
            public void stray(ISOMsg message, String peer) {
            }
        };
    }

    /** As an answer: the host resets the connection (RST) instead of answering. */
    static final byte[] RESET = new byte[0];
    /** As an answer: the host closes the connection (FIN) instead of answering. */
    static final byte[] HANG_UP = new byte[0];

    /** A STAN whose BCD bytes (98 76 54) occur nowhere else in the answer, so {@link #garbledStan} finds them. */
    static final int GARBLE_ME = 987_654;

    /** An echo request (0800, network code 301) of TALLY001. */
    static ISOMsg echo(int stan) {
        return MessageBuilder.request(MessageType.ECHO).stan(stan).transmissionDateTime("0101000000")
                .terminalId("TALLY001").build();
    }

    /** The framed 00 answer to {@code request}. */
    static byte[] approve(ISOMsg request) {
        return Framing.frame(Iso87.pack(MessageBuilder.responseTo(request).responseCode("00").build()), Framing.DEFAULT_TPDU);
    }

    /**
     * The 00 answer to a request with STAN {@link #GARBLE_ME}, packed, with field 11 turned into the BCD bytes
     * 00 0A 23: jPOS IFB_NUMERIC does not check nibbles, so it unpacks as STAN "000A23".
     */
    static byte[] garbledStan(ISOMsg request) {
        byte[] body = Iso87.pack(MessageBuilder.responseTo(request).responseCode("00").build());
        byte[] stan = {(byte) 0x98, 0x76, 0x54};
        for (int i = 0; i + stan.length <= body.length; i++) {
            if (Arrays.equals(body, i, i + stan.length, stan, 0, stan.length)) {
                body[i] = 0x00;
                body[i + 1] = 0x0A;
                body[i + 2] = 0x23;
                return body;
            }
        }
        throw new AssertionError("the answer does not carry STAN " + GARBLE_ME);
    }

    /**
     * Answers that leave STAN 1 unanswered until the next request, then send its answer just before that request's
     * own: a late answer, for a request whose deadline has passed.
     */
    static BiFunction<Integer, ISOMsg, byte[]> stanOneAnsweredLate() {
        java.util.concurrent.atomic.AtomicReference<ISOMsg> held = new java.util.concurrent.atomic.AtomicReference<>();
        return (connection, request) -> {
            if (MessageView.of(request).stan() == 1) {
                held.set(request);
                return new byte[0];
            }
            byte[] late = approve(held.get());
            byte[] now = approve(request);
            byte[] both = Arrays.copyOf(late, late.length + now.length);
            System.arraycopy(now, 0, both, late.length, now.length);
            return both;
        };
    }

    /**
     * Against a host of {@link #stanOneAnsweredLate}: no answer to STAN 1 within 300 ms is NoAnswer, given no sooner;
     * its late answer, read with STAN 2's, reaches {@code strays}; STAN 2 gets its own answer.
     */
    /**
     * A request that cannot be packed is not sent: Broken, but not a link that broke on the write (the reversal loop
     * counts such a try, as the message would fail every time), and the next exchange on {@code link} goes on.
     */
    static void assertUnpackableRequestIsBrokenButNotTheLinks(HostChannel link) {
        ISOMsg unwritable = echo(7);
        unwritable.set(11, "1234567");
        Exchange.Broken broken = assertInstanceOf(Exchange.Broken.class,
                link.exchange(unwritable, java.time.Duration.ofSeconds(10)));
        assertFalse(broken.linkBrokeOnWrite(), broken.toString());
        assertTrue(broken.why().startsWith("could not send 0800"), broken.why());
        assertInstanceOf(Exchange.Answered.class, link.exchange(echo(8), java.time.Duration.ofSeconds(10)));
    }

    static void assertLateAnswerIsAStray(HostChannel link, List<ISOMsg> strays) throws InterruptedException {
        long start = System.nanoTime();
        Exchange first = link.exchange(echo(1), java.time.Duration.ofMillis(300));
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        Exchange.NoAnswer none = assertInstanceOf(Exchange.NoAnswer.class, first, first.toString());
        assertTrue(none.why().contains("within 300 ms"), none.why());
        assertTrue(waitedMs >= 300, "gave up after " + waitedMs + " ms, before its deadline");

        Exchange second = link.exchange(echo(2), java.time.Duration.ofSeconds(10));
        Exchange.Answered answered = assertInstanceOf(Exchange.Answered.class, second, second.toString());
        assertEquals(2, MessageView.of(answered.response()).stan());
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (strays.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling interval, not a wait for an outcome
        }
        assertEquals(1, strays.size(), "the late answer is a stray: " + strays);
        assertEquals(1, MessageView.of(strays.getFirst()).stan());
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int n = connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(n, s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(int n, Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            while (true) {
                byte[] frame = new byte[in.readUnsignedShort()];
                in.readFully(frame);
                ISOMsg request = Iso87.unpack(Arrays.copyOfRange(frame, Framing.DEFAULT_TPDU.length, frame.length));
                byte[] reply = answer.apply(n, request);
                if (reply == RESET || reply == HANG_UP) {
                    s.setSoLinger(reply == RESET, 0);
                    return;
                }
                out.write(reply);
                out.flush();
            }
        } catch (IOException e) {
            // the terminal hung up or the test is over
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
