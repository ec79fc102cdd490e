package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.spec.format.MessageLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message log shared by two journals (or one that outlived its journal): the second journal numbers its attempts
 * and STANs from 1 again, so its lines carry the same message id {@code attempt-1}. The report of the first
 * journal's order shows its own lines only.
 */
class ReportOfSharedLogTest {

    @Test
    void aReportLeavesOutAnotherJournalsLinesWithTheSameMessageId(@TempDir Path dir) throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5))) {
            Path log = dir.resolve("messages.jsonl");
            Path second = dir.resolve("second-journal.db");
            String port = String.valueOf(lab.sim.isoPort());
            Lab.Run paid = Lab.raw("--host", "127.0.0.1", "--port", port, "--journal", lab.journal.toString(),
                    "--message-log", log.toString(), "--json", "sale", "--order", "FIRST-1", "--amount", "10.00");
            assertEquals(0, paid.exit(), paid.toString());
            // an hour later (else the host takes the same terminal + STAN + field 7 for a duplicate)
            Lab.Run declined = later(Duration.ofHours(1), "--host", "127.0.0.1", "--port", port, "--journal",
                    second.toString(), "--message-log", log.toString(), "--json", "sale", "--order", "NEW-1", "--amount",
                    "10.05");
            assertEquals(2, declined.exit(), declined.toString());
            assertEquals(lab.journalStates().get("FIRST-1"), List.of("APPROVED"));
            List<MessageLog.Entry> entries = MessageLog.read(log);
            assertTrue(entries.stream().anyMatch(e -> "NEW-1".equals(e.orderRef()) && "attempt-1".equals(e.messageId())),
                    "the repro needs the second journal's sale to carry the same message id: " + entries);

            Lab.Run r = Lab.raw("--journal", lab.journal.toString(), "--message-log", log.toString(), "--json", "report",
                    "--order", "FIRST-1");
            assertEquals(0, r.exit(), r.toString());
            JsonNode p = r.json().get("payments").get(0);
            assertEquals("APPROVED", p.get("state").asText());
            String timeline = p.get("timeline").toString();
            assertTrue(timeline.contains("REQUEST 0200") && timeline.contains("RESPONSE 0210"), timeline);
            assertFalse(timeline.contains("rc 05"), "the other journal's decline is in the timeline: " + timeline);
            assertFalse(p.get("systemResponse").toString().contains("0210 05"), p.toString());
            assertEquals(2, p.get("linesLeftOut").asInt(), p.toString());

            Lab.Run md = Lab.raw("--journal", lab.journal.toString(), "--message-log", log.toString(), "report",
                    "--order", "FIRST-1");
            assertEquals(0, md.exit(), md.toString());
            assertFalse(md.out().contains("rc 05") || md.out().contains("NEW-1"), md.out());
            assertTrue(md.out().contains("(2 message-log lines with message id attempt-1 left out: another journal's"
                    + " or terminal's attempt"), md.out());
        }
    }

    /** The CLI run with its clock this much ahead. */
    static Lab.Run later(Duration ahead, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int exit;
        try (java.io.PrintStream o = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
             java.io.PrintStream e = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)) {
            exit = dev.tally.terminal.cli.TallyCli.run(args, o, e, java.time.Clock.offset(java.time.Clock.systemDefaultZone(), ahead));
        }
        return new Lab.Run(exit, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}
