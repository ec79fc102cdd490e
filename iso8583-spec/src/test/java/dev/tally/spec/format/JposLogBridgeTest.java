package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;
import org.jpos.util.LogEvent;
import org.junit.jupiter.api.Test;

/**
 * What the bridge hands to SLF4J at DEBUG. jPOS's {@code BaseChannel.receive} adds a hexdump of a frame it
 * cannot unpack to the event; the PAN in it is spaced hex that masking cannot see, so it must not pass.
 */
class JposLogBridgeTest {

    static final TestCard CARD = TestCards.bundled().defaultCard();
    static final AtomicInteger NAMES = new AtomicInteger();

    /** A sale as the wire carries it: its PAN is BCD, so the hexdump shows "47 61 73 90 01 01 01 19". */
    static byte[] saleBody() {
        ISOMsg sale = MessageBuilder.request(MessageType.SALE).pan(CARD.pan()).expiry(CARD.expiry()).amount(1234)
                .transmissionDateTime("1122104107").stan(42).localDateTime(LocalDateTime.of(2026, 11, 22, 10, 41, 7))
                .posEntryMode("011").posConditionCode("00").terminalId("TALLY001").merchantId("HOSPITAL0000001")
                .currency("840").orderReference("INV-42").pinBlock(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).build();
        return Iso87.pack(sale);
    }

    /** A logger name logged at DEBUG (slf4j-simple reads the level when the logger is made). */
    static String debugLogger() {
        String name = "dev.tally.spec.format.JposLogBridgeTest.wire" + NAMES.incrementAndGet();
        System.setProperty("org.slf4j.simpleLogger.log." + name, "debug");
        return name;
    }

    /** What slf4j-simple wrote to standard error while {@code r} ran. */
    static String logged(ThrowingRunnable r) throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static void assertNoPan(String out) {
        String pan = CARD.pan();
        String spaced = String.join(" ", pan.split("(?<=\\G..)")); // "47 61 73 90 01 01 01 19"
        assertFalse(out.contains(pan), out);
        assertFalse(out.contains(spaced.substring(0, 11)), "PAN as spaced hex (47 61 73 90): " + out);
        assertFalse(out.replaceAll("\\s", "").contains(pan), "PAN across hexdump columns or lines: " + out);
    }

    @Test
    void aReceiveEventWithTheHexdumpOfAFrameHoldingAPanLogsNoneOfItsBytes() throws Exception {
        byte[] body = saleBody();
        // the event BaseChannel.receive builds when unpack fails (jPOS 3.0.1)
        LogEvent ev = new LogEvent("receive");
        ev.addMessage(new ISOException("org.jpos.iso.IFB_NUMERIC: Problem unpacking field 7"));
        ev.addMessage("--- header ---");
        ev.addMessage(ISOUtil.hexdump(Framing.DEFAULT_TPDU));
        ev.addMessage("--- data ---");
        ev.addMessage(ISOUtil.hexdump(body));
        // and the other shapes raw bytes come in: a byte array, contiguous hex, hex inside text
        ev.addMessage(body);
        ev.addMessage(HexFormat.of().withUpperCase().formatHex(body));
        ev.addMessage("garbage from the host: " + HexFormat.ofDelimiter(" ").formatHex(body));
        JposLogBridge bridge = new JposLogBridge(debugLogger());
        String out = logged(() -> bridge.log(ev));
        assertNoPan(out);
        assertTrue(out.contains(JposLogBridge.RAW_WITHHELD), out);
        assertTrue(out.contains("--- data ---") && out.contains("Problem unpacking field 7"), "the rest is kept: " + out);
    }

    @Test
    void aRealChannelThatCannotUnpackAFrameLogsNoneOfItsBytes() throws Exception {
        byte[] body = saleBody();
        byte[] cut = Arrays.copyOf(body, 30); // MTI, bitmap, PAN, processing code, amount, then field 7 cut short
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread host = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); OutputStream o = s.getOutputStream()) {
                    o.write(Framing.frame(cut, Framing.DEFAULT_TPDU));
                    o.flush();
                    s.getInputStream().read(); // hold the connection until the terminal closes it
                } catch (Exception ignored) {
                    // the test's assertions are on the terminal side
                }
            });
            WireChannel ch = new WireChannel("127.0.0.1", server.getLocalPort(), Iso87.packager(), Framing.DEFAULT_TPDU);
            ch.setLogger(JposLogBridge.logger(debugLogger()), "test-link");
            String out = logged(() -> {
                ch.connect();
                try {
                    assertThrows(ISOException.class, ch::receive);
                } finally {
                    ch.disconnect();
                }
            });
            host.join(5_000);
            assertTrue(out.contains("<receive>"), "the receive event was logged: " + out);
            assertNoPan(out);
            assertTrue(out.contains("--- data ---\n    " + JposLogBridge.RAW_WITHHELD), out);
        }
    }

    @Test
    void aMessageIsStillLoggedMasked() throws Exception {
        LogEvent ev = new LogEvent("send");
        ev.addMessage(Iso87.unpack(saleBody()));
        JposLogBridge bridge = new JposLogBridge(debugLogger());
        String out = logged(() -> bridge.log(ev));
        assertTrue(out.contains("476173******0119"), out);
        assertTrue(out.contains("INV-42"), out);
        assertNoPan(out);
    }

    /** Another terminal's order reference that is a card number in groups is withheld at the source (not left to scrub). */
    @Test
    void anOrderReferenceThatLooksLikeACardNumberIsWithheld() throws Exception {
        org.jpos.iso.ISOMsg m = Iso87.unpack(saleBody());
        m.set(62, "4761-7390-0101-0119");
        LogEvent ev = new LogEvent("receive");
        ev.addMessage(m);
        JposLogBridge bridge = new JposLogBridge(debugLogger());
        String out = logged(() -> bridge.log(ev));
        assertFalse(out.contains("7390"), out);
        assertTrue(out.contains(dev.tally.spec.message.OrderReference.WITHHELD), out);
    }

    /**
     * The PIN block (52, binary) is logged as the word "[hidden]", not as bytes: set as a string, jPOS read
     * "[hidden]" as hex, and every trace showed field 52 as the same meaningless FFFDDEFF, as if a PIN block.
     */
    @Test
    void aBinarySecretFieldIsLoggedAsHiddenNotAsMadeUpHex() throws Exception {
        LogEvent ev = new LogEvent("send");
        ev.addMessage(Iso87.unpack(saleBody()));
        JposLogBridge bridge = new JposLogBridge(debugLogger());
        String out = logged(() -> bridge.log(ev));
        assertTrue(out.contains("<field id=\"52\" value=\"[hidden]\"/>"), out);
        assertTrue(out.contains("<field id=\"14\" value=\"[hidden]\"/>"), out);
        assertFalse(out.contains("0102030405060708"), out);
        assertFalse(out.contains("FFFDDEFF"), out);
    }

    /** A key in a private field (120) is withheld in jPOS's log as in the decoder; a short private text stays. */
    @Test
    void aKeyInAFieldTallyGivesNoMeaningIsWithheld() throws Exception {
        org.jpos.iso.ISOMsg m = Iso87.unpack(saleBody());
        m.set(120, MessageDecoderTest.KEY);
        m.set(121, "LANE 7");
        LogEvent ev = new LogEvent("receive");
        ev.addMessage(m);
        JposLogBridge bridge = new JposLogBridge(debugLogger());
        String out = logged(() -> bridge.log(ev));
        assertFalse(out.contains(MessageDecoderTest.KEY) || out.contains("FEDCBA98"), out);
        assertTrue(out.contains("<field id=\"120\" value=\"[redacted] (32 characters)\"/>"), out);
        assertTrue(out.contains("<field id=\"121\" value=\"LANE 7\"/>"), out);
    }

    /** Another system's key in field 48 (a text field of Tally's) is withheld in jPOS's log too. */
    @Test
    void aKeyInField48IsWithheld() throws Exception {
        org.jpos.iso.ISOMsg m = Iso87.unpack(saleBody());
        m.set(48, "PINKEY " + MessageDecoderTest.KEY);
        LogEvent ev = new LogEvent("receive");
        ev.addMessage(m);
        JposLogBridge bridge = new JposLogBridge(debugLogger());
        String out = logged(() -> bridge.log(ev));
        assertFalse(out.contains(MessageDecoderTest.KEY) || out.contains("FEDCBA98"), out);
        assertTrue(out.contains("<field id=\"48\" value=\"PINKEY [redacted] (39 characters)\"/>"), out);
    }
}
