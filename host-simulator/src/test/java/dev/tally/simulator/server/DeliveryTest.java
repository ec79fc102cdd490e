package dev.tally.simulator.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tally.simulator.scenario.Action;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The metrics count an answer by its code only when it went out on the wire (docs/simulator.md: {@code unanswered} is
 * a request no code of which reached the terminal). Before, an answer was counted as soon as it was handed to the
 * delivery, so a late answer whose connection had gone, or one sent to a closed connection, counted as answered.
 */
class DeliveryTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final TrafficMetrics metrics = new TrafficMetrics();
    private final Delivery delivery = new Delivery(scheduler, Duration.ofMillis(50), new Traffic(null), metrics);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** A connection: takes what is sent, or refuses it as a connection the peer has closed. */
    private static final class Connection implements ISOSource {
        final List<ISOMsg> sent = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public void send(ISOMsg m) throws IOException {
            if (closed) {
                throw new IOException("Broken pipe");
            }
            sent.add(m);
        }

        @Override
        public boolean isConnected() {
            return !closed;
        }
    }

    private static ISOMsg echo() {
        return MessageBuilder.request(MessageType.ECHO).transmissionDateTime("1122104107").stan(1).terminalId("TALLY001")
                .build();
    }

    private void deliver(Connection c, Action action) {
        ISOMsg request = echo();
        ISOMsg answer = MessageBuilder.responseTo(request).responseCode("00").build();
        delivery.deliver(c, request, answer, action, new RequestName(request), "H1", System.nanoTime());
    }

    private static final Action LATE = new Action(null, null, true, false, false, false, false, false, null, null);

    @Test
    void anAnswerSentIsCountedByItsCode() {
        Connection c = new Connection();
        deliver(c, Action.NORMAL);
        assertEquals(1, c.sent.size());
        assertEquals(Map.of("00", 1L), metrics.snapshot().answersByResponseCode());
        assertEquals(0, metrics.snapshot().unanswered());
    }

    @Test
    void anAnswerToAClosedConnectionIsUnanswered() {
        Connection c = new Connection();
        c.closed = true;
        deliver(c, Action.NORMAL);
        assertEquals(Map.of(), metrics.snapshot().answersByResponseCode());
        assertEquals(1, metrics.snapshot().unanswered());
    }

    @Test
    void aLateAnswerIsCountedWhenItGoesOutOrCannot() {
        Connection open = new Connection();
        deliver(open, LATE);
        assertEquals(Map.of(), metrics.snapshot().answersByResponseCode(), "nothing sent yet, nothing counted");
        await(() -> !open.sent.isEmpty());
        await(() -> metrics.snapshot().answersByResponseCode().equals(Map.of("00", 1L)));

        // the scheduler's one thread held, so the late answer cannot go before the hang-up below, however slow the machine
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Connection gone = new Connection();
        deliver(gone, LATE);
        gone.closed = true; // the terminal hung up while the answer was held back
        hold.countDown();
        await(() -> metrics.snapshot().unanswered() == 1);
        assertEquals(Map.of("00", 1L), metrics.snapshot().answersByResponseCode(), "the lost answer is not counted");
        assertTrue(gone.sent.isEmpty());
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polling interval, not a wait for an outcome
        }
    }

    /**
     * The garbled answer carries the MTI the request's answer would have (a terminal that reads it says "MTI 0410" for
     * a garbled answer to a reversal), and still does not unpack. It was an 0210 for every request.
     */
    @Test
    void aGarbledAnswerCarriesTheMtiOfTheAnswerItReplacesAndDoesNotUnpack() {
        Map<String, String> answers = Map.of("0200", "0210", "0400", "0410", "0401", "0410", "0800", "0810",
                "0100", "0110", "0500", "0510", "0320", "0330");
        answers.forEach((request, answer) -> {
            byte[] body = Delivery.garbledBody(request);
            assertEquals(answer, java.util.HexFormat.of().formatHex(body, 0, 2), request);
            try {
                dev.tally.spec.format.Iso87.unpack(body);
                fail("the garbled answer to " + request + " unpacked");
            } catch (RuntimeException expected) {
                // garbled, as before
            }
        });
        assertEquals("0210", java.util.HexFormat.of().formatHex(Delivery.garbledBody("02A0"), 0, 2), "an MTI that does not read");
        assertEquals("0210", java.util.HexFormat.of().formatHex(Delivery.garbledBody(null), 0, 2));
    }
}
