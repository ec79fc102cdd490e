package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.simulator.ledger.SettlementBatch;
import dev.tally.spec.message.SettlementTotals;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code tally settle} in the middle of the batch upload: the next {@code settle} resumes
 * the same batch (re-sends the upload the host may already hold, then the rest and the trailer). One
 * closed batch at the host and in the journal, totals right, the batch number moved on once.
 */
class SettlementCrashTest {

    @TempDir
    Path dir;

    @Test
    void aSettlementKilledDuringTheUploadIsResumedByTheNextSettle() throws Exception {
        Path scenario = dir.resolve("scenario.json");
        // the first batch upload is applied at once but answered only after a minute: the child waits there
        Files.writeString(scenario, """
                {"testAmounts": true, "rules": [
                  {"name": "first upload hangs", "match": {"mti": "0320", "occurrence": 1}, "action": {"delay": "60s"}}
                ]}""");
        SimulatorConfig config = SimulatorConfig.defaults(dir.resolve("ledger.db")).withScenarioFile(scenario);
        try (Lab lab = new Lab(dir, config)) {
            assertEquals(0, lab.tally("sale", "--order", "K-1", "--amount", "20.00").exit());
            assertEquals(0, lab.tally("sale", "--order", "K-2", "--amount", "30.00").exit());
            // .99 with a single reversal try: REVERSAL_FAILED at once, the host keeps the debit -> totals differ
            lab.timeout = "1";
            Lab.Run failed = lab.tally("--reversal-attempts", "1", "sale", "--order", "K-3", "--amount", "40.99");
            lab.timeout = "3";
            assertEquals("REVERSAL_FAILED", failed.status(), failed.toString());

            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElseThrow());
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.tally.terminal.cli.TallyCli", "--host", "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()),
                    "--journal", lab.journal.toString(), "--timeout", "30", "--json", "settle"));
            Path out = dir.resolve("child.out");
            Path err = dir.resolve("child.err");
            Process child = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                Lab.await("the child to be uploading", Duration.ofSeconds(30), () -> !child.isAlive()
                        || TestDay.rows(lab, "SELECT state FROM batches").equals(List.of("UPLOADING")));
                assertTrue(child.isAlive(), "the child ended early: " + Files.readString(err) + Files.readString(out));
                Lab.await("the host to hold the first upload", Duration.ofSeconds(10), () ->
                        lab.sim.ledger().batches("TALLY001").stream().anyMatch(b -> b.uploads() == 1));
            } finally {
                child.destroyForcibly();
                child.waitFor();
            }
            assertEquals(List.of("UPLOADING|0"), TestDay.rows(lab, "SELECT state, uploaded FROM batches"));
            // the cashier goes on while batch 1 waits: this sale is in batch 2, at the host too when batch 1 resumes
            assertEquals(0, lab.tally("sale", "--order", "K-4", "--amount", "12.00").exit());

            Lab.Run resumed = lab.tally("settle");
            assertEquals(0, resumed.exit(), resumed.toString());
            JsonNode r = resumed.json();
            assertEquals("CLOSED", r.get("status").asText());
            assertTrue(r.get("resumed").asBoolean(), resumed.toString());
            assertEquals("000001", r.get("batchNumber").asText());
            assertEquals(2, r.get("terminalTotals").get("debitCount").asInt());
            assertEquals("50.00", r.get("terminalTotals").get("debitAmount").asText());
            assertEquals(2, r.get("uploaded").asInt());

            List<SettlementBatch> host = lab.sim.ledger().batches("TALLY001");
            assertEquals(1, host.size(), host.toString());
            assertEquals("CLOSED", host.getFirst().status());
            assertEquals(new SettlementTotals(3, 9099, 0, 0), SettlementTotals.decode(host.getFirst().hostTotals()),
                    "the host's batch 1: K-1, K-2 and K-3 (its debit stands), not K-4 of batch 2");
            assertEquals(2, host.getFirst().uploads(), "the re-sent upload is not counted twice");
            assertEquals(List.of("000001|CLOSED|2|5000"), TestDay.rows(lab,
                    "SELECT printf('%06d', batch_number), state, debit_count, debit_amount FROM batches"));
            assertEquals(List.of("2"), TestDay.rows(lab, "SELECT batch_number FROM terminal_state"));
            assertEquals("SETTLED", lab.lastState("K-1"));
            assertEquals("SETTLED", lab.lastState("K-2"));

            // and once more (as a person reads it): nothing is settled twice, batch 2 (K-4) closes with 00: both sides agree
            List<String> human = new ArrayList<>(lab.baseArgs().stream().filter(a -> !a.equals("--json")).toList());
            human.add("settle");
            Lab.Run next = Lab.raw(human.toArray(String[]::new));
            assertEquals(0, next.exit(), next.toString());
            assertTrue(next.out().startsWith("CLOSED  batch 000002  (0500 answered 00)"), next.out());
            assertTrue(next.out().contains("new sales go into batch 000003"), next.out());
            assertEquals(2, lab.sim.ledger().batches("TALLY001").size());
            assertEquals("SETTLED", lab.lastState("K-4"));
            for (Path p : List.of(out, err, lab.journal)) {
                assertFalse(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(Lab.PAN),
                        "full PAN in " + p);
            }
        }
    }
}
