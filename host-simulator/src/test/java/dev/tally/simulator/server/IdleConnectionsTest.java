package dev.tally.simulator.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.tally.simulator.PeerSockets.closedByServer;

import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.scenario.ScenarioSource;
import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.channel.NACChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections gone silent are closed by the sweep (reads have no timeout of their own), and only those: a
 * connection that keeps sending complete messages stays open past the idle timeout.
 */
class IdleConnectionsTest {

    private static final List<TestCard> CARDS = TestCards.bundled().all();
    /**
     * Long enough that a client's stall on a loaded machine (a GC, a descheduled thread) does not make a healthy
     * connection look idle: the talking client below sends every quarter of it, so it may stall 1.5 s unharmed.
     */
    private static final Duration IDLE = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    private Ledger ledger;
    private HostServer server;

    @BeforeEach
    void up() throws IOException {
        ledger = Ledger.open(dir.resolve("l.db"), Clock.systemUTC(), CARDS);
        server = HostServer.start("127.0.0.1", 0, ledger, CARDS, new ScenarioSource(null), LabKeys.tmk(), false,
                Duration.ofSeconds(5), Clock.systemUTC(), null, IDLE);
    }

    @AfterEach
    void down() {
        server.close();
        ledger.close();
    }

    private Socket raw() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(30_000); // far beyond the idle timeout: closedByServer false means the server kept it open
        return s;
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws IOException {
        try (Socket s = raw()) {
            assertTrue(closedByServer(s), "a silent connection is closed after the idle timeout (still open after 30 s)");
        }
    }

    @Test
    void aConnectionStuckInHalfAMessageIsClosed() throws IOException {
        try (Socket s = raw()) {
            s.getOutputStream().write(new byte[] {0x00, 0x40, 0x60, 0x00}); // a frame of 64 bytes promised, 2 sent
            s.getOutputStream().flush();
            assertTrue(closedByServer(s), "a connection that never finishes its message is closed (still open after 30 s)");
        }
    }

    @Test
    void aConnectionThatKeepsTalkingStaysOpen() throws Exception {
        NACChannel ch = new NACChannel("127.0.0.1", server.port(), Iso87.packager(), Framing.DEFAULT_TPDU);
        ch.setTimeout(10_000);
        ch.connect();
        try {
            DateTimeFormatter f7 = DateTimeFormatter.ofPattern("MMddHHmmss").withZone(ZoneOffset.UTC);
            // the sweep closes a connection between 1 and 1.25 timeouts after its last message counted; one whose
            // messages were not counted would be closed by then, before the last echo below (sent after 1.75)
            long until = System.nanoTime() + IDLE.toNanos() * 7 / 4;
            int stan = 0;
            do {
                // a message every quarter of the timeout: never silent for a whole one
                ISOMsg echo = MessageBuilder.request(MessageType.ECHO).transmissionDateTime(f7.format(java.time.Instant.now()))
                        .stan(++stan).terminalId("IDLE0001").build();
                ch.send(echo);
                assertEquals("00", MessageView.of(ch.receive()).responseCode(), "echo " + stan + " answered");
                java.util.concurrent.locks.LockSupport.parkNanos(IDLE.toNanos() / 4);
            } while (System.nanoTime() < until);
            ISOMsg last = MessageBuilder.request(MessageType.ECHO).transmissionDateTime(f7.format(java.time.Instant.now()))
                    .stan(++stan).terminalId("IDLE0001").build();
            ch.send(last);
            assertEquals("00", MessageView.of(ch.receive()).responseCode(), "echo " + stan + ", 1.75 idle timeouts after"
                    + " the connection opened, answered");
            assertTrue(ch.isConnected(), "still open after " + stan + " echoes over 1.75 idle timeouts");
        } finally {
            ch.disconnect();
        }
    }
}
