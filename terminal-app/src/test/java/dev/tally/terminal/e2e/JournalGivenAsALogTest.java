package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.Masking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A till's journal sent to support beside its message log, given where a log goes (replay's LOG, report's
 * --message-log, decode --file): bad input (64) that says it is a database and which option takes it, and changes
 * nothing. It used to say "not UTF-8 text" and advise converting it with iconv, or giving its hex.
 */
class JournalGivenAsALogTest {

    @Test
    void aJournalGivenAsALogIsNamedAsADatabaseAndSentToTheRightOption(@TempDir Path dir) throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5))) {
            assertEquals(0, lab.tally("sale", "--order", "INV-1", "--amount", "10.00").exit());
            byte[] before = Files.readAllBytes(lab.journal);
            // (the CLI scrubs digit runs that could be a card number: a temp folder's name may hold one)
            String journal = Masking.scrub(lab.journal.toString());

            Lab.Run replay = Lab.raw("replay", lab.journal.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(lab.sim.isoPort()), "--speed", "max");
            assertEquals(64, replay.exit(), replay.toString());
            assertTrue(replay.err().contains(journal + " is an SQLite database")
                    && replay.err().contains("give it as --journal " + journal), replay.err());

            Lab.Run report = Lab.raw("--journal", lab.journal.toString(), "--message-log", lab.journal.toString(),
                    "report", "--order", "INV-1");
            assertEquals(64, report.exit(), report.toString());
            assertTrue(report.err().contains(journal + " is an SQLite database")
                    && report.err().contains("the journal goes to --journal"), report.err());

            Lab.Run decode = Lab.raw("decode", "--file", lab.journal.toString());
            assertEquals(64, decode.exit(), decode.toString());
            assertTrue(decode.err().contains(journal + " is an SQLite database")
                    && decode.err().contains("'tally --journal " + journal + " journal'"), decode.err());

            for (Lab.Run r : new Lab.Run[] {replay, report, decode}) {
                assertFalse(r.err().contains("iconv") || r.err().contains("xxd") || r.err().contains("not UTF-8"), r.err());
            }
            assertArrayEquals(before, Files.readAllBytes(lab.journal), "the journal is left as it was");
            assertEquals(1, lab.sim.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all()).size(),
                    "the replay sent nothing");
        }
    }
}
