package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Charged twice?": a till's log of a sale the host answered twice (.72) replayed against a lab host, which answers
 * it twice again. The duplicate is listed, not compared, and named by the request it answers (recorded STAN and
 * order), not only by the replay's own STAN, which appears nowhere in the till's log.
 */
class ReplayStrayAnswersTest {

    @Test
    void aDuplicateAnswerNamesTheRecordedStanAndOrder(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("till.jsonl");
        try (Lab till = new Lab(dir, Duration.ofSeconds(5))) {
            assertEquals(0, till.tally("--message-log", log.toString(), "sale", "--order", "INV-DUP", "--amount", "10.72")
                    .exit());
            // a sale after it, replayed on the same connection at the recorded pace: the copy the host sends right
            // after the first answer is read before this sale's answer, so before the replay ends (TCP keeps order)
            assertEquals(0, till.tally("--message-log", log.toString(), "sale", "--order", "INV-NEXT", "--amount", "10.00")
                    .exit());
        }
        try (Simulator lab = Simulator.start(SimulatorConfig.defaults(dir.resolve("lab-ledger.db")))) {
            Lab.Run r = Lab.raw("replay", log.toString(), "--host", "127.0.0.1", "--port", String.valueOf(lab.isoPort()),
                    "--speed", "1", "--timeout", "5");
            assertEquals(0, r.exit(), r.toString());
            String recordedStan = r.out().replaceFirst("(?s).*0200 STAN (\\d{6}) order INV-DUP.*", "$1");
            String replayedStan = r.out().replaceFirst("(?s).*order INV-DUP .*?replayed as STAN (\\d{6})\\).*", "$1");
            assertTrue(r.out().contains("late or duplicate answers seen (not compared): 0210 STAN " + replayedStan
                    + " rc 00 (recorded STAN " + recordedStan + ", order INV-DUP)"), r.out());
        }
    }
}
