package dev.tally.simulator.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TerminalLanesTest {

    @Test
    void anotherTerminalIsServedWhileOneWaitsAndOneTerminalsRequestsKeepTheirOrder() throws Exception {
        TerminalLanes lanes = new TerminalLanes(16);
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch releaseA1 = new CountDownLatch(1);
        CountDownLatch bDone = new CountDownLatch(1);
        CountDownLatch allDone = new CountDownLatch(3);

        // the submitting thread plays the connection's reader: submit returns while A1 is still blocked
        lanes.submit("A", () -> {
            log.add("A1 start");
            try {
                assertTrue(releaseA1.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add("A1 end");
            allDone.countDown();
        });
        lanes.submit("A", () -> {
            log.add("A2 start");
            allDone.countDown();
        });
        lanes.submit("B", () -> {
            log.add("B");
            bDone.countDown();
            allDone.countDown();
        });

        assertTrue(bDone.await(30, TimeUnit.SECONDS), "terminal B is served while terminal A's first request waits");
        assertFalse(log.contains("A2 start"), "A's second request waits for its first: " + log);
        releaseA1.countDown();
        assertTrue(allDone.await(30, TimeUnit.SECONDS));
        assertTrue(log.indexOf("A1 end") < log.indexOf("A2 start"), log.toString());
    }

    @Test
    void aTerminalsRequestsRunInTheOrderSubmittedAndAFailureDoesNotStopTheLane() throws Exception {
        TerminalLanes lanes = new TerminalLanes(4); // fewer permits than requests: submit waits, nothing is lost
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(200);
        for (int i = 0; i < 200; i++) {
            int n = i;
            lanes.submit("T", () -> {
                order.add(n);
                done.countDown();
                if (n % 50 == 0) {
                    throw new IllegalStateException("a request that fails"); // the lane goes on
                }
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "ran: " + order.size());
        assertEquals(java.util.stream.IntStream.range(0, 200).boxed().toList(), order);
    }

    /**
     * A stop waits for the requests in hand (HostServer.close, before the message log closes): a request answered just
     * before the stop still writes its line. Before, the log closed under it and the answer's line could be lost.
     */
    @Test
    void awaitIdleWaitsForTheRequestsInHandAndNoLonger() throws Exception {
        TerminalLanes lanes = new TerminalLanes(16);
        assertTrue(lanes.awaitIdle(java.time.Duration.ZERO), "nothing in hand");
        CountDownLatch release = new CountDownLatch(1);
        List<String> log = new CopyOnWriteArrayList<>();
        lanes.submit("A", () -> {
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add("answer's line written");
        });
        assertFalse(lanes.awaitIdle(java.time.Duration.ofMillis(50)), "a request still in hand");
        release.countDown();
        assertTrue(lanes.awaitIdle(java.time.Duration.ofSeconds(30)));
        assertEquals(List.of("answer's line written"), log, "done by the time awaitIdle returns");
        assertTrue(lanes.awaitIdle(java.time.Duration.ZERO), "the permits are given back");
    }
}
