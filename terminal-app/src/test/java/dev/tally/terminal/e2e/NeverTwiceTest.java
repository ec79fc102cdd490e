package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two tills paying the same order at once on one journal: one payment, one refusal, one debit. */
class NeverTwiceTest {

    @TempDir
    Path dir;

    @Test
    void concurrentSalesOfOneOrderChargeOnce() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3));
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Callable<Lab.Run> sale = () -> lab.tally("sale", "--order", "INV-RACE", "--amount", "9.00");
            List<Future<Lab.Run>> runs = List.of(pool.submit(sale), pool.submit(sale));
            List<String> statuses = runs.stream().map(f -> {
                try {
                    return f.get().status();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).sorted().toList();
            assertEquals(List.of("ALREADY_PAID", "APPROVED"), statuses);
            assertEquals(1, lab.ledger("INV-RACE").size());
            assertEquals(1, lab.standingDebits("INV-RACE"));
            lab.assertInvariant();
        }
    }
}
