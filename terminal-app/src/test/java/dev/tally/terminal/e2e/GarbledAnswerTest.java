package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.SimulatorConfig;
import dev.tally.spec.format.MessageLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's 'garbage on the wire' rule (docs/simulator.md §scenarios) against a sale: what the message log,
 * the journal's audit trail and {@code tally report} say of the garbled answer is what came and what the terminal did,
 * in words a support engineer can act on; never jPOS's or the JVM's words, an exception's name or the card number.
 */
class GarbledAnswerTest {

    /** The note the link writes for the simulator's garbled answer (an 0210 cut short in its secondary bitmap). */
    static final String GARBLED = "garbled message from the host: 17 bytes after the TPDU, MTI 0210: the bitmap at offset 2"
            + " runs past the end of the message; the terminal dropped the connection";

    @Test
    void aGarbledAnswerIsDescribedInTheMessageLogTheJournalAndTheReport(@TempDir Path dir) throws Exception {
        Path scenario = dir.resolve("garbage.json");
        Files.writeString(scenario, """
                {"testAmounts": true, "rules": [
                  {"name": "garbage on the wire", "match": {"mti": "0200", "amount": 4242}, "action": {"garbage": true}}
                ]}""");
        try (Lab lab = new Lab(dir, SimulatorConfig.defaults(dir.resolve("ledger.db")).withScenarioFile(scenario))) {
            Path messages = dir.resolve("messages.jsonl");
            Lab.Run sale = lab.tally("--message-log", messages.toString(), "sale", "--order", "G-1", "--amount", "42.42");
            assertEquals(4, sale.exit(), "no approval: the outcome was uncertain, " + sale);
            assertEquals("REVERSED", sale.status(), sale.toString());
            assertEquals(0, lab.standingDebits("G-1"), "the garbage applied the debit, the reversal took it back");

            List<String> trail = events(lab.journal, "G-1");
            assertTrue(trail.contains(GARBLED + ": outcome unknown, reversing"), String.join("\n", trail));

            List<MessageLog.Entry> garbage = MessageLog.read(messages).stream()
                    .filter(e -> e.event() == MessageLog.Event.GARBAGE).toList();
            assertEquals(1, garbage.size(), garbage.toString());
            assertEquals(GARBLED, garbage.getFirst().note());

            Lab.Run report = Lab.raw("--journal", lab.journal.toString(), "--message-log", messages.toString(), "report",
                    "--order", "G-1");
            assertEquals(0, report.exit(), report.toString());
            String md = report.out();
            assertTrue(md.contains(GARBLED + ": outcome unknown, reversing"), md);
            for (String jvm : List.of("Exception", "out of bounds", "consumed=", "Index ", Lab.PAN)) {
                assertFalse(md.contains(jvm), "'" + jvm + "' in the report:\n" + md);
                assertFalse(Files.readString(messages).contains(jvm), "'" + jvm + "' in the message log");
            }
            lab.assertInvariant();
        }
    }

    /** The audit trail's lines of the order's attempts, read with plain JDBC. */
    static List<String> events(Path journal, String order) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + journal);
             PreparedStatement ps = c.prepareStatement("SELECT e.detail FROM attempt_events e JOIN attempts a"
                     + " ON a.id = e.attempt_id WHERE a.order_ref = ? ORDER BY e.id")) {
            ps.setString(1, order);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
