package dev.tally.terminal.host;

import static dev.tally.terminal.host.FrameHost.GARBLE_ME;
import static dev.tally.terminal.host.FrameHost.echo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** The shared connection of {@code tally serve} against a host speaking raw frames on loopback. */
class SharedHostLinkTest {

    /**
     * jPOS IFB_NUMERIC unpacks any BCD nibble: field 11 bytes 00 0A 23 arrive as "000A23". Such an answer
     * matches no request, so it is garbage: the connection fails at once, the request in flight gets
     * Broken (not a timeout), and the next request connects again.
     */
    @Test
    void anAnswerWithANonDecimalStanBreaksTheLinkAtOnceAndTheNextRequestReconnects() throws Exception {
        try (FrameHost host = new FrameHost((connection, request) -> connection == 1
                ? Framing.frame(FrameHost.garbledStan(request), Framing.DEFAULT_TPDU) : FrameHost.approve(request))) {
            List<ISOMsg> strays = new CopyOnWriteArrayList<>();
            SharedHostLink link = new SharedHostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), strays::add);
            try {
                Exchange first = link.exchange(echo(GARBLE_ME), Duration.ofSeconds(10));
                Exchange.Broken broken = assertInstanceOf(Exchange.Broken.class, first,
                        "the garbled answer breaks the link instead of leaving the request to time out");
                // " (while sending 0800)" follows when the reader gave up before the request's send returned
                assertTrue(broken.why().startsWith("garbled message from the host: 38 bytes after the TPDU, MTI 0810:"
                        + " field 11 (SYSTEM TRACE AUDIT NUMBER) at offset 23 holds a digit that is not BCD; the terminal"
                        + " dropped the shared connection and every request waiting on it"), "no NumberFormatException: "
                        + broken.why());
                assertFalse(link.isConnected(), "a link whose reader gave up is not connected");
                assertEquals(0, link.inFlight());

                Exchange second = link.exchange(echo(GARBLE_ME + 1), Duration.ofSeconds(10));
                Exchange.Answered answered = assertInstanceOf(Exchange.Answered.class, second, second.toString());
                assertEquals(GARBLE_ME + 1, MessageView.of(answered.response()).stan());
                assertEquals(2, host.connections.get(), "the second request came over a new connection");
                assertTrue(strays.isEmpty(), strays.toString());
            } finally {
                link.close();
            }
        }
    }

    /** As HostLinkTest: bytes that do not unpack are described by size, MTI and field, never by jPOS's words. */
    @Test
    void bytesThatDoNotUnpackAreDescribedBySizeMtiAndFieldNotByJpos() throws Exception {
        try (FrameHost host = new FrameHost((connection, request) -> connection == 1
                ? Framing.frame(FrameHost.SIMULATOR_GARBAGE, Framing.DEFAULT_TPDU) : FrameHost.approve(request))) {
            SharedHostLink link = new SharedHostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), m -> { });
            try {
                Exchange.Broken broken = assertInstanceOf(Exchange.Broken.class,
                        link.exchange(echo(7), Duration.ofSeconds(10)));
                // " (while sending 0800)" follows when the reader gave up before the request's send returned
                assertTrue(broken.why().startsWith("garbled message from the host: 17 bytes after the TPDU, MTI 0210: the"
                        + " bitmap at offset 2 runs past the end of the message; the terminal dropped the shared connection"
                        + " and every request waiting on it"), broken.why());
                assertInstanceOf(Exchange.Answered.class, link.exchange(echo(8), Duration.ofSeconds(10)));
            } finally {
                link.close();
            }
        }
    }

    @Test
    void theGarbledFrameOfTheTestIsWhatJposUnpacks() throws Exception {
        ISOMsg m = new ISOMsg();
        m.setPackager(Iso87.packager());
        m.unpack(FrameHost.garbledStan(echo(GARBLE_ME)));
        assertEquals("000A23", m.getString(11), "jPOS does not check BCD nibbles: the precondition of the defect");
    }

    /**
     * The wait for an answer has no timeout of its own: the deadline ends it ({@link AnswerDeadlines}). No answer
     * within it is NoAnswer, not before it; the late answer, sent with the next request's, is a stray, and the next
     * exchange gets its own answer.
     */
    @Test
    void noAnswerWithinTheTimeoutIsNoAnswerAndItsLateAnswerIsAStray() throws Exception {
        try (FrameHost host = new FrameHost(FrameHost.stanOneAnsweredLate())) {
            List<ISOMsg> strays = new CopyOnWriteArrayList<>();
            try (SharedHostLink link = new SharedHostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), strays::add)) {
                FrameHost.assertLateAnswerIsAStray(link, strays);
            }
        }
    }

    /**
     * A request that cannot be packed is not sent: Broken, but not a link that broke on the write (the reversal loop
     * counts such a try, as the message would fail every time), and the next exchange goes on.
     */
    @Test
    void aRequestThatCannotBePackedIsBrokenButNotTheLinks() throws Exception {
        try (FrameHost host = new FrameHost((connection, request) -> FrameHost.approve(request))) {
            List<ISOMsg> strays = new CopyOnWriteArrayList<>();
            try (SharedHostLink link = new SharedHostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), strays::add)) {
                FrameHost.assertUnpackableRequestIsBrokenButNotTheLinks(link);
            }
        }
    }

    /** A connection the host resets or closes mid-exchange is named in the socket's words, not Java's exception. */
    @Test
    void aConnectionTheHostDropsIsNamedInPlainWords() throws Exception {
        for (byte[] drop : List.of(FrameHost.RESET, FrameHost.HANG_UP)) {
            try (FrameHost host = new FrameHost((connection, request) -> connection == 1 ? drop : FrameHost.approve(request))) {
                SharedHostLink link = new SharedHostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), m -> { });
                try {
                    Exchange.Broken broken = assertInstanceOf(Exchange.Broken.class,
                            link.exchange(echo(7), Duration.ofSeconds(10)));
                    String expected = "connection to the host lost: "
                            + (drop == FrameHost.RESET ? "Connection reset" : "the host closed it");
                    assertTrue(broken.why().startsWith(expected), broken.why());
                    assertFalse(broken.why().contains("java."), broken.why());
                    assertInstanceOf(Exchange.Answered.class, link.exchange(echo(8), Duration.ofSeconds(10)));
                } finally {
                    link.close();
                }
            }
        }
    }

    /**
     * A request whose write fails drops the connection under the requests already out on it: they left whole, so each
     * is told the link broke while it was out, not the failed request's "could not send ..." (which the message log
     * and the journal showed as if that request had not been sent).
     */
    @Test
    void theRequestsOutWhenAnotherWriteFailsAreToldTheLinkBrokeNotThatTheyWereNotSent() throws Exception {
        try (FrameHost host = new FrameHost((connection, request) -> new byte[0])) { // never answers
            try (SharedHostLink link = new SharedHostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), m -> { })) {
                java.util.concurrent.CompletableFuture<Exchange> out = new java.util.concurrent.CompletableFuture<>();
                Thread.ofVirtual().start(() -> out.complete(link.exchange(echo(1), Duration.ofSeconds(30))));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (link.inFlight() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5); // polling interval, not a wait for an outcome
                }
                assertEquals(1, link.inFlight(), "the first request is out");
                ISOMsg unwritable = echo(7);
                unwritable.set(11, "1234567");
                Exchange.Broken failed = assertInstanceOf(Exchange.Broken.class,
                        link.exchange(unwritable, Duration.ofSeconds(10)));
                assertTrue(failed.why().startsWith("could not send 0800"), failed.why());

                Exchange.Broken first = assertInstanceOf(Exchange.Broken.class,
                        out.get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(first.why().startsWith("the link broke while this request was out: writing another 0800 to"
                        + " 127.0.0.1:" + host.port() + " failed ("), first.why());
                assertFalse(first.linkBrokeOnWrite(), "it left: the host may have it");
            }
        }
    }
}
