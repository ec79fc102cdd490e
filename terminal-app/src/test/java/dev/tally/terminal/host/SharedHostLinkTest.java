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
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** The shared connection of {@code tally serve} against a host speaking raw frames on loopback. */
class SharedHostLinkTest {

    /** A STAN whose BCD bytes (98 76 54) occur nowhere else in the answer, so the test can find them. */
    private static final int STAN = 987_654;

    /**
     * jPOS IFB_NUMERIC unpacks any BCD nibble: field 11 bytes 00 0A 23 arrive as "000A23". Such an answer
     * matches no request, so it is garbage: the connection fails at once, the request in flight gets
     * Broken (not a timeout), and the next request connects again.
     */
    @Test
    void anAnswerWithANonDecimalStanBreaksTheLinkAtOnceAndTheNextRequestReconnects() throws Exception {
        try (FrameHost host = new FrameHost((connection, request) -> {
            byte[] body = Iso87.pack(MessageBuilder.responseTo(request).responseCode("00").build());
            if (connection == 1) {
                garbleStan(body);
            }
            return Framing.frame(body, Framing.DEFAULT_TPDU);
        })) {
            List<ISOMsg> strays = new CopyOnWriteArrayList<>();
            SharedHostLink link = new SharedHostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), strays::add);
            try {
                Exchange first = link.exchange(echo(STAN), Duration.ofSeconds(10));
                Exchange.Broken broken = assertInstanceOf(Exchange.Broken.class, first,
                        "the garbled answer breaks the link instead of leaving the request to time out");
                assertTrue(broken.why().contains("garbled"), broken.why());
                assertFalse(link.isConnected(), "a link whose reader gave up is not connected");
                assertEquals(0, link.inFlight());

                Exchange second = link.exchange(echo(STAN + 1), Duration.ofSeconds(10));
                Exchange.Answered answered = assertInstanceOf(Exchange.Answered.class, second, second.toString());
                assertEquals(STAN + 1, MessageView.of(answered.response()).stan());
                assertEquals(2, host.connections.get(), "the second request came over a new connection");
                assertTrue(strays.isEmpty(), strays.toString());
            } finally {
                link.close();
            }
        }
    }

    @Test
    void theGarbledFrameOfTheTestIsWhatJposUnpacks() throws Exception {
        byte[] body = Iso87.pack(MessageBuilder.responseTo(echo(STAN)).responseCode("00").build());
        garbleStan(body);
        ISOMsg m = new ISOMsg();
        m.setPackager(Iso87.packager());
        m.unpack(body);
        assertEquals("000A23", m.getString(11), "jPOS does not check BCD nibbles: the precondition of the defect");
    }

    private static ISOMsg echo(int stan) {
        return MessageBuilder.request(MessageType.ECHO).stan(stan).transmissionDateTime("0101000000")
                .terminalId("TALLY001").build();
    }

    /** Field 11 of a packed answer to STAN 987654 becomes the BCD bytes 00 0A 23. */
    private static void garbleStan(byte[] body) {
        int at = indexOf(body, new byte[] {(byte) 0x98, 0x76, 0x54});
        body[at] = 0x00;
        body[at + 1] = 0x0A;
        body[at + 2] = 0x23;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    /**
     * A host on a plain socket: reads each framed request (2-byte length, TPDU, body), answers with the
     * bytes {@code answer} gives for (connection number from 1, request).
     */
    private static final class FrameHost implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger connections = new AtomicInteger();
        private final BiFunction<Integer, ISOMsg, byte[]> answer;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        FrameHost(BiFunction<Integer, ISOMsg, byte[]> answer) throws IOException {
            this.answer = answer;
            this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::acceptLoop);
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
                    out.write(answer.apply(n, request));
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
}
