package dev.tally.terminal.host;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of requests waiting for their answers, kept by one platform thread: a waiting exchange blocks
 * without a timeout and its deadline wakes it by handing it a "no answer" marker.
 *
 * <p>Why not a timed wait ({@code poll(timeout)}, {@code get(timeout)}): the threads that wait are virtual
 * (the load generator's terminals, the cashier API's requests, the replayer's senders), and in JDK 25 a timed
 * park of a virtual thread schedules and cancels a timer in the scheduler's delay queue each time. Measured on
 * the bare echo server's reads, that was about 20 µs of CPU per request. Here a request's deadline is one entry
 * in this thread's queue, removed again when the answer comes first; the thread sleeps until the earliest one.
 */
final class AnswerDeadlines {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private AnswerDeadlines() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "answer-deadlines");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true); // an answered request's deadline leaves the queue at once
        return t;
    }

    /** Runs {@code ring} once {@code nanos} have passed (at once when not positive) unless cancelled first. */
    static ScheduledFuture<?> after(long nanos, Runnable ring) {
        return TIMER.schedule(ring, Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }
}
