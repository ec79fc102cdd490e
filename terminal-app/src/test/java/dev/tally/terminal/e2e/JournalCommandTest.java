package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.spec.format.Masking;
import dev.tally.terminal.journal.Journal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally journal} is an inspection: a path with no journal is refused (64) with nothing made, an empty file is
 * not turned into a journal, and an existing journal is read as {@code tally report} reads it — without its data key,
 * while another tally (a running serve) holds it, and without recovering, reversing or contacting a host.
 */
class JournalCommandTest {

    static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aPathWithNoJournalIsRefusedAndNothingIsMade(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nonexist.db");
        Lab.Run r = Lab.raw("--journal", missing.toString(), "journal");
        assertEquals(64, r.exit(), r.toString());
        // (the CLI scrubs digit runs that could be a card number: a temp folder's name may hold one)
        assertTrue(r.err().contains(Masking.scrub("no journal at " + missing + " (give --journal FILE)")), r.err());
        assertEquals(List.of(), files(dir), "no journal, key or lock made");
        assertEquals(64, Lab.raw("--journal", missing.toString(), "--json", "journal", "--order", "A-1").exit());
        assertEquals(List.of(), files(dir));

        Path empty = Files.createFile(dir.resolve("empty.db"));
        r = Lab.raw("--journal", empty.toString(), "journal");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("is not a tally journal"), r.err());
        assertEquals(List.of("empty.db"), files(dir), "no key, lock or write-ahead log beside it");
        assertEquals(0, Files.size(empty), "the empty file is not made a journal");
    }

    @Test
    void aTextFileIsNotAJournalToTheCommandsThatWriteAsToThoseThatRead(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("x.jsonl"), "{\"order\":\"A-1\",\"amount\":1000}\n".repeat(20));
        byte[] bytes = Files.readAllBytes(text);
        Lab.Run read = Lab.raw("--journal", text.toString(), "journal");
        assertEquals(1, read.exit(), read.toString());
        String refusal = Masking.scrub(text + " is not a tally journal ([SQLITE_NOTADB]");
        assertTrue(read.err().contains(refusal), read.err());
        // pending (as sale, status, serve) opens the journal to write: the same refusal, the same exit, nothing made
        Lab.Run pending = Lab.raw("--journal", text.toString(), "pending");
        assertEquals(read.exit(), pending.exit(), pending.toString());
        assertTrue(pending.err().contains(refusal), pending.err());
        assertEquals(List.of("x.jsonl"), files(dir), "no key, lock, -wal or -shm beside it");
        assertArrayEquals(bytes, Files.readAllBytes(text), "the file was written");
    }

    @Test
    void aJournalIsReadWithoutItsKeyWhileAnotherTallyHoldsItAndNothingIsDone(@TempDir Path dir) throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5))) {
            assertEquals(0, lab.tally("sale", "--order", "INV-1", "--amount", "10.00").exit()); // the lab's 3 s: answered
            lab.timeout = "1"; // the host answers only the sign-on: each unanswered exchange costs the whole timeout
            assertEquals(4, lab.tally("sale", "--order", "INV-2", "--amount", "10.99").exit()); // reversal left pending
            lab.timeout = "3";
            Path key = Path.of(lab.journal + ".key");
            Path aside = dir.resolve("key-aside");
            try (Journal held = Journal.open(lab.journal, Clock.systemDefaultZone(), Duration.ZERO)) {
                Files.move(key, aside); // a copy sent to support without its key, held by a running serve
                String before = lab.journalDump();
                long hostRequests = lab.sim.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all().order("INV-2")).size();
                Lab.Run r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> lab.tally("journal"));
                assertEquals(0, r.exit(), r.toString());
                JsonNode attempts = r.json().get("attempts");
                assertEquals(2, attempts.size(), r.out());
                assertEquals("APPROVED", attempts.get(0).get("state").asText());
                assertEquals("476173******0119", attempts.get(0).get("maskedPan").asText());
                assertFalse(attempts.get(0).get("events").isEmpty());
                Lab.Run text = lab.tally("journal", "--order", "INV-2");
                assertEquals(0, text.exit(), text.toString());
                assertFalse(Files.exists(key), "no data key made");
                assertEquals(before, lab.journalDump(), "nothing changed: no reversal tried, nothing recovered");
                assertEquals(hostRequests, lab.sim.ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all()
                        .order("INV-2")).size(), "no host contacted");
            } finally {
                Files.move(aside, key);
            }
        }
    }
}
