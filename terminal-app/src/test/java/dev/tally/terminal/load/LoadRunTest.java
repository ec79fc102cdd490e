package dev.tally.terminal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The warm-up of a load run, driven with stand-in terminals (no host). */
class LoadRunTest {

    /** A terminal whose first sale hangs until the terminal is closed; it counts sales made at the same time. */
    static final class HangingTerminal implements LoadTerminal {
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicInteger inSale = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger sales = new AtomicInteger();

        @Override
        public String terminalId() {
            return "HANG0001";
        }

        @Override
        public void signOn() {
        }

        @Override
        public SaleOutcome sale(String orderId, long amountMinor, String cardRef) {
            if (inSale.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                if (sales.incrementAndGet() == 1) {
                    closed.await();
                }
                return new SaleOutcome("APPROVED", "00", true, 0, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return SaleOutcome.failed("interrupted");
            } finally {
                inSale.decrementAndGet();
            }
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void aRunsOrderReferencesSortInSaleOrderAndFitTheField() {
        assertEquals("000000007", LoadRun.sequence(7));
        assertTrue(LoadRun.sequence(99).compareTo(LoadRun.sequence(100)) < 0, "zero-padded: 99 sorts before 100");
        assertEquals("1234567890", LoadRun.sequence(1_234_567_890L));
        String longest = "L" + Long.toString(Long.MAX_VALUE, 36) + "W-" + LoadRun.sequence(999_999_999L) + "-TERM0001";
        assertEquals(null, dev.tally.spec.message.OrderReference.problem(longest), longest);
    }

    @Test
    void aWarmUpSaleStillOutAfterTheGraceEndsTheRunWithoutMeasuringAndNeverOverlaps() throws Exception {
        HangingTerminal t = new HangingTerminal();
        // long enough for the warm-up's (hanging) sale to start before it ends on a slow machine: else the measured
        // phase's sale hangs instead, and the run ends "still_out_at_end" 30 s later
        LoadPlan plan = new LoadPlan(1, Duration.ofSeconds(30), 0, 0, LoadMix.approvals(), Duration.ofSeconds(2));
        // grace: the larger of 5 s and 3 x the answer timeout
        LoadReport r = new LoadRun(plan, (i, stats) -> t, Duration.ofMillis(100), null,
                new java.util.concurrent.atomic.AtomicBoolean()).run("test");
        assertEquals(Map.of("still_out_at_end_of_warmup", 1L), r.errors());
        assertEquals(0, r.requests(), "nothing measured");
        assertTrue(r.warmupSeconds() >= 2, String.valueOf(r.warmupSeconds()));
        assertEquals(0, t.overlaps.get(), "the terminal was never driven twice at once");
        assertEquals(1, t.sales.get(), "no measured sale started");
    }
}
