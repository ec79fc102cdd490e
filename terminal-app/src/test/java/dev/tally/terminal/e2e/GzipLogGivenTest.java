package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.Masking;
import dev.tally.terminal.cli.DecodeCommand;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gzip-compressed log (as a log rotation or a mail leaves it) given to a command that reads text (replay's LOG,
 * report's --message-log, decode --file and decode -, a cards file): bad input (64) that says it is gzip-compressed and
 * to gunzip it, and changes nothing. It was "not UTF-8 text" with advice that cannot work on it: give its hex (xxd -p,
 * then refused as a non-BCD MTI), convert it with iconv, "is this the right file?".
 */
class GzipLogGivenTest {

    static Path gzip(Path file) throws Exception {
        Path gz = file.resolveSibling(file.getFileName() + ".gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(file, out);
        }
        return gz;
    }

    @Test
    void aGzipLogIsNamedAsGzipAndToBeGunzipped(@TempDir Path dir) throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5))) {
            Path log = dir.resolve("t1.jsonl");
            assertEquals(0, lab.tally("--message-log", log.toString(), "sale", "--order", "INV-1", "--amount", "10.00")
                    .exit());
            Path gz = gzip(log);
            // (the CLI scrubs digit runs that could be a card number: a temp folder's name may hold one)
            String said = Masking.scrub(gz.toString()) + " is gzip-compressed, not text: gunzip it first (e.g. gunzip -k "
                    + Masking.scrub(gz.toString()) + ")";

            Lab.Run replay = Lab.raw("replay", gz.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(lab.sim.isoPort()), "--speed", "max");
            Lab.Run report = Lab.raw("--journal", lab.journal.toString(), "--message-log", gz.toString(), "report",
                    "--order", "INV-1");
            Lab.Run decode = Lab.raw("decode", "--file", gz.toString());
            Path cards = dir.resolve("cards.csv");
            Files.writeString(cards, "id,pan,expiry,balance\nvisa-9,4761739001010119,3012,100000\n");
            Lab.Run sale = lab.tally("--cards", gzip(cards).toString(), "sale", "--order", "INV-2", "--amount", "1.00");
            for (Lab.Run r : new Lab.Run[] {replay, report, decode}) {
                assertEquals(64, r.exit(), r.toString());
                assertTrue(r.err().contains(said), r.err());
            }
            assertEquals(64, sale.exit(), sale.toString());
            assertTrue(sale.out().contains("cards.csv.gz is gzip-compressed, not text: gunzip it first"), sale.toString());

            InputStream saved = DecodeCommand.setStdin(new ByteArrayInputStream(Files.readAllBytes(gz)));
            Lab.Run stdin;
            try {
                stdin = Lab.raw("decode", "-");
            } finally {
                DecodeCommand.setStdin(saved);
            }
            assertEquals(64, stdin.exit(), stdin.toString());
            assertTrue(stdin.err().contains("standard input is gzip-compressed, not text: gunzip it first (e.g. gunzip"
                    + " -c FILE.gz)"), stdin.err());

            for (Lab.Run r : new Lab.Run[] {replay, report, decode, sale, stdin}) {
                String all = r.out() + r.err(); // the sale ran with --json: its error is on standard output
                assertFalse(all.contains("iconv") || all.contains("xxd") || all.contains("not UTF-8")
                        || all.contains("right file"), all);
            }
            assertEquals(1, lab.sim.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all()).size(),
                    "the replay and the sale sent nothing");
        }
    }
}
