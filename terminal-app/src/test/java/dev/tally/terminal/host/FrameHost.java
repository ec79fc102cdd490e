package dev.tally.terminal.host;

import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
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
