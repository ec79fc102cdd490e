package dev.tally.spec.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.WireChannel;
import dev.tally.spec.format.WireMsg;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A message is packed once: MACed answers keep the body packed for the MAC, received ones the bytes that came. */
class WireImageTest {

    /** The same fields in a plain jPOS message, packed the ordinary way. */
    private static byte[] plainPack(ISOMsg m) throws Exception {
        ISOMsg plain = new ISOMsg();
        plain.setPackager(Iso87.packager());
        for (int f = 0; f <= 128; f++) {
            if (m.hasField(f)) {
                plain.set(m.getComponent(f));
            }
        }
        return plain.pack();
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void aMacedMessageKeepsTheBodyPackedForItsMacAndItIsWhatAPlainPackGives(MessageType type) throws Exception {
        if (!type.spec().macked()) {
            return;
        }
        for (ISOMsg m : new ISOMsg[] {SampleMessages.request(type), SampleMessages.response(type)}) {
            MessageMac.apply(m, SampleMessages.MAC_KEY);
            WireMsg w = assertInstanceOf(WireMsg.class, m, "MessageBuilder builds WireMsg");
            byte[] image = w.image();
            assertNotNull(image, "the MACed body is remembered");
            assertArrayEquals(plainPack(m), image);
            assertArrayEquals(image, m.pack(), "the channel sends the remembered body");
            assertTrue(MessageMac.verify(Iso87.unpack(image), SampleMessages.MAC_KEY), "and its MAC is right");
        }
    }

    /** WireMsg builds the bitmap from the fields present; jPOS looks up every number: same bytes, any field set. */
    @Test
    void theBitmapOfAnyFieldSetIsJposOwn() throws Exception {
        java.util.Random random = new java.util.Random(7);
        ISOMsg sample = SampleMessages.request(MessageType.SALE);
        sample.set(70, "301"); // a secondary bitmap field: the sample's fields beyond 64 come from here
        int[] present = java.util.stream.IntStream.rangeClosed(2, 128).filter(sample::hasField).toArray();
        for (int round = 0; round < 500; round++) {
            WireMsg w = new WireMsg();
            w.setPackager(Iso87.packager());
            w.setMTI("0200");
            for (int f : present) {
                if (random.nextBoolean()) {
                    w.set(sample.getComponent(f));
                }
            }
            if (random.nextInt(4) == 0) {
                w.set(random.nextBoolean() ? 64 : 128, new byte[8]);
            }
            byte[] packed = w.pack();
            assertArrayEquals(plainPack(w), packed, "fields " + w.getChildren().keySet());
            w.unset(2); // a change after a pack: the bitmap follows it
            assertArrayEquals(plainPack(w), w.pack(), "fields " + w.getChildren().keySet());
        }
    }

    /** A plain ISOMsg is copied field by field; a WireMsg (a replay's recorded request) is cloned. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCopyPacksTheSameAndChangingItLeavesTheSourceAlone(boolean wireSource) throws Exception {
        ISOMsg source = wireSource ? new WireMsg() : new ISOMsg();
        source.setPackager(Iso87.packager());
        for (int f = 0; f <= 128; f++) {
            ISOMsg sample = SampleMessages.request(MessageType.SALE);
            if (sample.hasField(f)) {
                source.set(sample.getComponent(f));
            }
        }
        byte[] before = source.pack();
        WireMsg copy = WireMsg.copyOf(source);
        assertArrayEquals(before, copy.pack(), "same fields, same bytes");
        copy.set(Field.STAN.number(), "999999");
        MessageMac.apply(copy, SampleMessages.MAC_KEY);
        assertArrayEquals(before, source.pack(), "the source is untouched");
        assertArrayEquals(plainPack(copy), copy.image(), "the copy's MACed body is remembered");
        assertTrue(MessageMac.verify(Iso87.unpack(copy.pack()), SampleMessages.MAC_KEY));
    }

    @Test
    void anyChangeDropsTheImageAndThePackShowsTheChange() throws Exception {
        ISOMsg m = SampleMessages.request(MessageType.SALE);
        MessageMac.apply(m, SampleMessages.MAC_KEY);
        byte[] before = m.pack();
        m.set(11, "000999");
        assertNull(((WireMsg) m).image());
        byte[] after = m.pack();
        assertFalse(java.util.Arrays.equals(before, after));
        assertEquals("000999", Iso87.unpack(after).getString(11));
        ISOMsg copy = (ISOMsg) m.clone();
        MessageMac.apply(m, SampleMessages.MAC_KEY);
        assertNotNull(((WireMsg) m).image());
        m.unset(62);
        assertNull(((WireMsg) m).image(), "unset drops it too");
        assertNull(((WireMsg) copy).image(), "a clone taken while there was none has none");
    }

    @Test
    void aReceivedMessageIsMacCheckedOverTheBytesItArrivedAs() throws Exception {
        ISOMsg sent = SampleMessages.request(MessageType.SALE);
        MessageMac.apply(sent, SampleMessages.MAC_KEY);
        byte[] body = sent.pack();

        WireMsg rx = new WireMsg();
        rx.setPackager(Iso87.packager());
        rx.unpack(body);
        rx.remember(body);
        assertTrue(MessageMac.verify(rx, SampleMessages.MAC_KEY));

        // bytes that unpack to the same fields are not what was MACed when one of them differs: a body whose
        // terminal id was changed on the wire, remembered as received, fails although the fields repack fine
        byte[] altered = body.clone();
        int tidAt = indexOf(altered, sent.getString(41).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        altered[tidAt] ^= 0x01;
        rx.remember(altered);
        assertFalse(MessageMac.verify(rx, SampleMessages.MAC_KEY), "checked over the received bytes");
        rx.set(41, sent.getString(41)); // a change: no image, checked over a repack of the fields again
        assertTrue(MessageMac.verify(rx, SampleMessages.MAC_KEY));
    }

    @Test
    void theChannelDeliversWireMessagesWithTheBytesThatCameIn() throws Exception {
        ISOMsg sent = SampleMessages.request(MessageType.SALE);
        MessageMac.apply(sent, SampleMessages.MAC_KEY);
        byte[] body = sent.pack();
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<ISOMsg> received = CompletableFuture.supplyAsync(() -> {
                try {
                    WireChannel server = new WireChannel(Iso87.packager(), Framing.DEFAULT_TPDU.clone());
                    server.setTimeout(10_000);
                    server.accept(ss);
                    try {
                        return server.receive();
                    } finally {
                        server.disconnect();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            WireChannel client = new WireChannel("127.0.0.1", ss.getLocalPort(), Iso87.packager(), Framing.DEFAULT_TPDU.clone());
            client.setTimeout(10_000);
            client.connect();
            try {
                client.send((ISOMsg) sent.clone());
                ISOMsg rx = received.get(10, TimeUnit.SECONDS);
                WireMsg w = assertInstanceOf(WireMsg.class, rx);
                assertArrayEquals(body, w.image());
                assertTrue(MessageMac.verify(rx, SampleMessages.MAC_KEY));
            } finally {
                client.disconnect();
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
