package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.tally.simulator.PeerSockets.closedByServer;

import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageView;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad peers never hurt good ones: garbage, a lying length header, half a message, a hang-up mid-frame,
 * many idle connections. After each, a well-behaved terminal still gets its answers.
 */
class AbuseTest extends SimulatorHarness {

    private TestTerminal good;

    @BeforeEach
    void up() throws Exception {
        start();
        good = signedOn("TALLY001");
    }

    private void goodClientStillWorks(String after) throws Exception {
        assertEquals("00", MessageView.of(good.exchange(good.saleRequest(VISA, 1000, "OK-" + good.nextStan()).build()))
                .responseCode(), "a good terminal is served after " + after);
        try (TestTerminal fresh = terminal("TALLY002")) {
            assertEquals("00", MessageView.of(fresh.echo()).responseCode(), "a new connection is served after " + after);
        }
    }

    /** How long a raw peer waits for the server to close its connection before the test calls it left open. */
    private static final int CLOSE_WITHIN_MILLIS = 30_000;

    private Socket raw() throws IOException {
        Socket s = new Socket("127.0.0.1", sim.isoPort());
        s.setSoTimeout(CLOSE_WITHIN_MILLIS); // far beyond a close at once: a loaded machine does not read as "left open"
        return s;
    }

    private static String stillOpen(String what) {
        return what + " (the connection was still open after " + CLOSE_WITHIN_MILLIS / 1000 + " s)";
    }

    @Test
    void garbageBytesCloseOnlyThatConnection() throws Exception {
        try (Socket s = raw()) {
            byte[] junk = new byte[300];
            new Random(7).nextBytes(junk);
            junk[0] = 0x00;
            junk[1] = 0x40; // a plausible length, then noise
            s.getOutputStream().write(junk);
            assertTrue(closedByServer(s), stillOpen("the server drops a connection that sends garbage"));
        }
        goodClientStillWorks("garbage");
    }

    @Test
    void aLengthHeaderBeyondTheLimitClosesTheConnection() throws Exception {
        try (Socket s = raw()) {
            s.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x60, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00});
            assertTrue(closedByServer(s), stillOpen("the server drops a connection whose length header is beyond the limit"));
        }
        goodClientStillWorks("a wrong length header");
    }

    @Test
    void aLengthHeaderShorterThanTheMessageIsDroppedOrAnsweredNeverFatal() throws Exception {
        byte[] body = Iso87.pack(good.saleRequest(VISA, 1000, "SHORT").build());
        byte[] frame = Framing.frame(body, Framing.DEFAULT_TPDU);
        frame[1] = (byte) (frame[1] - 20); // claims 20 bytes fewer than follow
        try (Socket s = raw()) {
            s.getOutputStream().write(frame);
            assertTrue(closedByServer(s), stillOpen("the server drops a connection whose length header is too short"));
        }
        goodClientStillWorks("a short length header");
    }

    /**
     * A frame shorter than its 5-byte TPDU closes the connection, with one WARN line. Before, the server read the
     * TPDU's missing bytes out of the next frame and then failed on a negative length with a stack trace.
     */
    @Test
    void aFrameShorterThanItsTpduClosesTheConnection() throws Exception {
        String log = LogCapture.during(() -> {
            try (Socket s = raw()) {
                s.getOutputStream().write(new byte[] {0x00, 0x03, 0x60, 0x00, 0x01});
                s.getOutputStream().flush();
                assertTrue(closedByServer(s), stillOpen("the server drops a frame shorter than its TPDU at once"));
            }
            goodClientStillWorks("a frame shorter than its TPDU");
        });
        // the session logs its end before it closes the socket the assertion above saw closed
        assertTrue(log.contains("connection closed after unreadable input: frame length 3 is shorter than its 5-byte"
                + " TPDU"), log);
        assertTrue(!log.contains("NegativeArraySizeException") && !log.contains("\tat "), log);
    }

    /**
     * A frame whose body is shorter than an MTI and a primary bitmap (10 bytes) closes the connection at once, with the
     * WARN of any unreadable frame, and nothing after it is read as its rest. Before, a body of 1 or 2 bytes left the
     * connection waiting for more bytes, then closed it with a WARN about the next frame's bytes.
     */
    @Test
    void aBodyShorterThanAnMtiAndABitmapClosesTheConnectionAtOnce() throws Exception {
        // the reviewer's frame: length 7 (a 2-byte body) with 1 body byte sent; a TPDU alone; 1 byte; 9 bytes
        for (byte[] frame : List.of(new byte[] {0x00, 0x07, 0x60, 0x00, 0x01, 0x00, 0x00, 0x01},
                new byte[] {0x00, 0x05, 0x60, 0x00, 0x01, 0x00, 0x00},
                new byte[] {0x00, 0x06, 0x60, 0x00, 0x01, 0x00, 0x00, 0x02},
                new byte[] {0x00, 0x0E, 0x60, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00})) {
            int body = ((frame[0] & 0xFF) << 8 | (frame[1] & 0xFF)) - 5;
            String log = LogCapture.during(() -> {
                try (Socket s = raw()) {
                    s.getOutputStream().write(frame); // and nothing more: the host must not wait for the rest
                    s.getOutputStream().flush();
                    assertTrue(closedByServer(s), stillOpen("the server drops a " + body + "-byte body at once"));
                }
            });
            assertTrue(log.contains("connection closed after unreadable input: frame length " + (body + 5) + " leaves a body"
                    + " of " + body + (body == 1 ? " byte" : " bytes") + " after its 5-byte TPDU, shorter than an MTI and a"
                    + " primary bitmap (10 bytes)"), log);
            assertTrue(!log.contains("\tat "), log);
        }
        goodClientStillWorks("bodies shorter than an MTI and a bitmap");
    }

    @Test
    void halfAMessageThenHangingUpAndHalfAMessageThenSilence() throws Exception {
        byte[] frame = Framing.frame(Iso87.pack(good.saleRequest(VISA, 1000, "HALF").build()), Framing.DEFAULT_TPDU);
        try (Socket s = raw()) {
            s.getOutputStream().write(frame, 0, frame.length / 2);
            s.getOutputStream().flush();
        } // hang-up mid-message
        Socket silent = raw();
        silent.getOutputStream().write(frame, 0, frame.length / 2); // ...and one that just stops talking
        silent.getOutputStream().flush();
        goodClientStillWorks("half messages");
        silent.close();
        assertEquals(1_000_000 - 1000, ledger().balance("visa-1"), "only the good sale was applied");
    }

    @Test
    void manyIdleConnectionsWhileAGoodTerminalWorks() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                idle.add(raw());
            }
            for (int i = 0; i < 5; i++) {
                goodClientStillWorks("200 idle connections (" + i + ")");
            }
            for (Socket s : idle) {
                assertTrue(s.isConnected() && !s.isClosed());
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void aPeerThatSendsAResponseMtiGetsAFormatError() throws Exception {
        try (TestTerminal t = signedOn("TALLY003")) {
            var answer = dev.tally.spec.message.MessageBuilder.request(dev.tally.spec.message.MessageType.ECHO)
                    .transmissionDateTime(TestTerminal.nextField7()).stan(t.nextStan()).terminalId("TALLY003").build();
            answer.set(0, "0810");
            answer.set(39, "00");
            t.send(answer);
            Optional<org.jpos.iso.ISOMsg> reply = t.receiveWithin(Duration.ofSeconds(2));
            assertTrue(reply.isEmpty() || "30".equals(reply.get().getString(39)), "no answer or a format error");
        }
        goodClientStillWorks("a stray response");
    }

    /**
     * A MACed request the catalogue cannot place (a sale with an unknown processing code) is answered 30 with a MAC
     * under the terminal's session key, as every answer to a signed-on terminal is; it went without one. A response
     * MTI sent as a request is logged as that, not as the answer's missing fields (it read "field 37 missing"), and as
     * not answered: the line read "format error (30), nothing applied" though no 30 is sent to a response MTI.
     */
    @Test
    void aFormatErrorToAMacedRequestIsMacedAndAResponseMtiIsNamedAsSuch() throws Exception {
        try (TestTerminal t = signedOn("TALLY004")) {
            ISOMsg sale = t.saleRequest(VISA, 1000, "PC-20").build();
            sale.set(3, "200000");
            t.send(sale);
            ISOMsg answer = t.receive();
            assertEquals("30", answer.getString(39));
            assertTrue(dev.tally.spec.crypto.MessageMac.verify(answer, t.keys().macKey()), "the 30 is MACed");

            ISOMsg stray = t.saleRequest(VISA, 1000, "PC-21").build();
            stray.set(0, "0210");
            String log = LogCapture.watching(soFar -> {
                t.send(stray);
                assertTrue(t.receiveWithin(Duration.ofMillis(500)).isEmpty(), "an answer is not answered");
                // no answer tells when the host is done with it: its log line does (a slow machine may take longer)
                await("the host's line on the 0210", PROCESSED, () -> soFar.get().contains("0210 is a response MTI"));
            });
            assertTrue(log.contains("a host answers requests; 0210 is a response MTI") && !log.contains("field 37"), log);
            // no 30 went out, and the WARN line must not say one did
            assertTrue(log.contains("0210 TALLY004 STAN " + stray.getString(11) + ": not answered, nothing applied")
                    && !log.contains("format error (30)"), log);
        }
        goodClientStillWorks("a request of no catalogue type");
    }

    @Test
    void nothingListensOnANonLoopbackAddress() throws Exception {
        List<InetAddress> others = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (!a.isLoopbackAddress() && a instanceof Inet4Address) {
                    others.add(a);
                }
            }
        }
        Assumptions.assumeFalse(others.isEmpty(), "this machine has no non-loopback IPv4 address to try");
        for (InetAddress a : others) {
            for (int port : new int[] {sim.isoPort(), sim.adminPort()}) {
                try (Socket s = new Socket()) {
                    assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(a, port), 2000),
                            "port " + port + " must not be reachable on " + a.getHostAddress());
                }
            }
        }
        assertTrue(sim.adminUri().toString().startsWith("http://127.0.0.1:"));
        goodClientStillWorks("the bind check");
    }
}
