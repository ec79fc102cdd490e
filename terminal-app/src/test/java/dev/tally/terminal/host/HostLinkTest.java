package dev.tally.terminal.host;

import static dev.tally.terminal.host.FrameHost.GARBLE_ME;
import static dev.tally.terminal.host.FrameHost.echo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.Framing;
import dev.tally.spec.message.MessageView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** The one-shot link against a host speaking raw frames on loopback. */
class HostLinkTest {

    /**
     * An answer jPOS unpacks but whose STAN is not decimal ("000A23") is garbage, as in the shared link:
     * Broken, never a NumberFormatException out of exchange (which the CLI reported as the operator's bad
     * input, exit 64), and the next exchange runs on a new connection.
     */
    @Test
    void anAnswerWithANonDecimalStanIsABrokenExchangeAndTheNextOneReconnects() throws Exception {
        try (FrameHost host = new FrameHost((connection, request) -> connection == 1
                ? Framing.frame(FrameHost.garbledStan(request), Framing.DEFAULT_TPDU) : FrameHost.approve(request))) {
            List<ISOMsg> strays = new CopyOnWriteArrayList<>();
            HostLink link = new HostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), strays::add);
            try {
                Exchange first = link.exchange(echo(GARBLE_ME), Duration.ofSeconds(10));
                Exchange.Broken broken = assertInstanceOf(Exchange.Broken.class, first);
                assertEquals("garbled message from the host: 38 bytes after the TPDU, MTI 0810: field 11 (SYSTEM TRACE"
                        + " AUDIT NUMBER) at offset 23 holds a digit that is not BCD; the terminal dropped the connection",
                        broken.why(), "no NumberFormatException: what came and what the terminal did");

                Exchange second = link.exchange(echo(GARBLE_ME + 1), Duration.ofSeconds(10));
                Exchange.Answered answered = assertInstanceOf(Exchange.Answered.class, second, second.toString());
                assertEquals(GARBLE_ME + 1, MessageView.of(answered.response()).stan());
                assertEquals(2, host.connections.get(), "the second exchange came over a new connection");
                assertTrue(strays.isEmpty(), strays.toString());
            } finally {
                link.close();
            }
        }
    }

    /**
     * Bytes that do not unpack (the simulator's 'garbage' answer): the reason a support engineer reads in the message
     * log, the journal and the problem report says what came and what the terminal did, in words; no jPOS or JVM text
     * ("Index 17 out of bounds for length 17 consumed=2"), no exception class, no byte of the frame.
     */
    @Test
    void bytesThatDoNotUnpackAreDescribedBySizeMtiAndFieldNotByJpos() throws Exception {
        try (FrameHost host = new FrameHost((connection, request) -> connection == 1
                ? Framing.frame(FrameHost.SIMULATOR_GARBAGE, Framing.DEFAULT_TPDU) : FrameHost.approve(request))) {
            List<ISOMsg> strays = new CopyOnWriteArrayList<>();
            List<String> logged = new CopyOnWriteArrayList<>();
            try (HostLink link = new HostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), strays::add)) {
                link.tap(FrameHost.notesOf(logged));
                Exchange.Broken broken = assertInstanceOf(Exchange.Broken.class,
                        link.exchange(echo(7), Duration.ofSeconds(10)));
                String expected = "garbled message from the host: 17 bytes after the TPDU, MTI 0210: the bitmap at offset 2"
                        + " runs past the end of the message; the terminal dropped the connection";
                assertEquals(expected, broken.why());
                assertEquals(List.of("GARBAGE " + expected), logged, "the message log's note is the same");
                assertInstanceOf(Exchange.Answered.class, link.exchange(echo(8), Duration.ofSeconds(10)));
                assertEquals(2, host.connections.get(), "the second exchange came over a new connection");
            }
        }
    }

    /**
     * A message that answers no request and does not even parse (STAN "000A23"), read after an answer: the stray
     * listener that reads its STAN (as the journal's late-answer listener does) must not throw it out of the next
     * exchange — which may be a sale already committed SENT and not yet on the wire.
     */
    @Test
    void aStrayThatDoesNotParseIsDroppedNotThrownOutOfTheNextExchange() throws Exception {
        try (FrameHost host = new FrameHost((connection, request) -> {
            byte[] answer = FrameHost.approve(request);
            if (MessageView.of(request).stan() != 1) {
                return answer;
            }
            byte[] stray = Framing.frame(FrameHost.garbledStan(echo(GARBLE_ME)), Framing.DEFAULT_TPDU);
            byte[] both = java.util.Arrays.copyOf(answer, answer.length + stray.length);
            System.arraycopy(stray, 0, both, answer.length, stray.length);
            return both;
        })) {
            List<Integer> strayStans = new CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
            HostLink link = new HostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), m -> {
                seen.incrementAndGet();
                strayStans.add(MessageView.of(m).stan()); // throws: the STAN does not parse
            });
            try {
                assertInstanceOf(Exchange.Answered.class, link.exchange(echo(1), Duration.ofSeconds(10)));
                // the stray is read by the link's reader after the first answer; once it is in, the next exchange
                // drains it before sending (one that arrives while a request is out, unreadable, could be that
                // request's answer garbled: that exchange is Broken, by design)
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (seen.get() == 0) {
                    assertTrue(System.nanoTime() < deadline, "the stray never reached the link");
                    link.drainStrays(); // must not throw either
                    Thread.sleep(5); // polling interval, not a wait for an outcome
                }
                Exchange second = link.exchange(echo(2), Duration.ofSeconds(10));
                Exchange.Answered answered = assertInstanceOf(Exchange.Answered.class, second, second.toString());
                assertEquals(2, MessageView.of(answered.response()).stan());
                assertTrue(strayStans.isEmpty(), strayStans.toString());
            } finally {
                link.close();
            }
        }
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
            try (HostLink link = new HostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), strays::add)) {
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
            try (HostLink link = new HostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), strays::add)) {
                FrameHost.assertUnpackableRequestIsBrokenButNotTheLinks(link);
            }
        }
    }

    /** A connection the host resets or closes mid-exchange is named in words, not by Java's exception. */
    @Test
    void aConnectionTheHostDropsIsNamedInPlainWords() throws Exception {
        for (byte[] drop : List.of(FrameHost.RESET, FrameHost.HANG_UP)) {
            try (FrameHost host = new FrameHost((connection, request) -> connection == 1 ? drop : FrameHost.approve(request))) {
                HostLink link = new HostLink("127.0.0.1", host.port(), Duration.ofSeconds(5), m -> { });
                try {
                    Exchange.Broken broken = assertInstanceOf(Exchange.Broken.class,
                            link.exchange(echo(7), Duration.ofSeconds(10)));
                    // jPOS's channel disconnects itself on a failed read: this one-exchange link then says "closed"
                    // (pinned: it never carried Java's words; the shared link's test is the one that checks LinkLost)
                    assertEquals("connection to the host closed", broken.why());
                    assertFalse(broken.why().contains("java."), broken.why());
                    assertInstanceOf(Exchange.Answered.class, link.exchange(echo(8), Duration.ofSeconds(10)));
                } finally {
                    link.close();
                }
            }
        }
    }
}
