package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log that holds a reversal but not the sale it reverses (it starts after the sale, or the sale's file was
 * rotated away): field 90 cannot be rewritten to a replayed original, and as recorded it names the real sale. Sent
 * to the host that holds that sale it reverses it. So it is not replayed (SKIPPED, with a warning naming the line
 * and STAN) unless --send-unmatched-reversals says to send it.
 */
class ReplayUnmatchedOriginalTest {

    @Test
    void aReversalWhoseSaleIsNotInTheLogIsSkippedUnlessAskedFor(@TempDir Path dir) throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5));
             Simulator other = Simulator.start(SimulatorConfig.defaults(dir.resolve("other.db")))) {
            Path log = dir.resolve("messages.jsonl");
            assertEquals(0, lab.tally("--message-log", log.toString(), "sale", "--order", "U-1", "--amount", "10.00").exit());
            assertEquals(0, lab.tally("--message-log", log.toString(), "status", "--order", "U-1").exit());
            // cancelled at the till against another host, which never had the sale (25): the lab host still holds it
            Lab.Run reversed = Lab.raw("--host", "127.0.0.1", "--port", String.valueOf(other.isoPort()), "--journal",
                    lab.journal.toString(), "--message-log", log.toString(), "--json", "reverse", "--order", "U-1");
            assertEquals(0, reversed.exit(), reversed.toString());
            assertEquals(1, lab.standingDebits("U-1"));
            Path cut = dir.resolve("after-the-sale.jsonl");
            List<String> lines = Files.readAllLines(log).stream()
                    .filter(l -> !l.contains("\"mti\":\"0200\"") && !l.contains("\"mti\":\"0210\"")).toList();
            assertTrue(lines.stream().anyMatch(l -> l.contains("\"mti\":\"0400\"")), lines.toString());
            Files.write(cut, lines);
            int line = 1 + lines.indexOf(lines.stream().filter(l -> l.contains("\"mti\":\"0400\"")).findFirst().orElseThrow());

            Lab.Run r = Lab.raw("--json", "replay", cut.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(lab.sim.isoPort()), "--speed", "max", "--timeout", "3");
            assertEquals(0, r.exit(), r.toString());
            JsonNode reversal = null;
            for (JsonNode m : r.json().get("messages")) {
                if ("0400".equals(m.get("mti").asText())) {
                    reversal = m;
                }
            }
            assertEquals("SKIPPED", reversal.get("result").asText(), r.out());
            assertTrue(reversal.get("skipReason").asText().contains("--send-unmatched-reversals"), r.out());
            assertTrue(r.err().contains("tally: warning: line " + line + " (0400 STAN ")
                    && r.err().contains("which is not in the log: field 90 could not be rewritten"), r.err());
            assertEquals(2, r.json().get("warnings").size(), r.out());
            // a status inquiry changes nothing at the host: sent as recorded, with a warning
            assertTrue(r.err().contains("(0100 STAN ") && r.err().contains("sent as recorded: it asks this host about"
                    + " that original"), r.err());
            assertEquals(1, lab.standingDebits("U-1"), "the real sale was not reversed");
            Lab.Run text = Lab.raw("replay", cut.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(lab.sim.isoPort()), "--speed", "max", "--timeout", "3");
            assertTrue(text.out().contains("request(s) not replayed, so not compared"),
                    "the result line does not pass over what was skipped: " + text.out());

            Lab.Run sent = Lab.raw("--json", "replay", cut.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(lab.sim.isoPort()), "--speed", "max", "--timeout", "3", "--send-unmatched-reversals");
            assertTrue(sent.err().contains("sent as recorded (--send-unmatched-reversals)"), sent.err());
            assertEquals(1, sent.exit(), sent.toString());
            JsonNode sentReversal = null;
            for (JsonNode m : sent.json().get("messages")) {
                if ("0400".equals(m.get("mti").asText())) {
                    sentReversal = m;
                }
            }
            // recorded 25 (the other host never had the sale); here 00: it reversed the sale this host holds
            assertEquals("DIFFERS", sentReversal.get("result").asText(), sent.out());
            assertEquals("answered 00", sentReversal.get("replayed").asText(), sent.out());
            assertEquals(0, lab.standingDebits("U-1"), "asked for: the recorded field 90 reverses the real sale");
        }
    }
}
