package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.MessageLog;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A --message-log that names another file of the till, or someone's file, against a host that answers: the JSON lines
 * went into it, exit 0. The journal's data key was then "damaged (641 bytes, expected 32)" for every later command,
 * and the journal took them into its SQLite file. Now bad input (64) naming the file and what it is, refused before
 * the journal is opened: the file's bytes as they were, nothing made. A message log of an earlier run is appended to.
 */
class MessageLogOnAnotherFileTest {

    @TempDir
    Path dir;
    Lab lab;

    @BeforeEach
    void till() throws Exception {
        lab = new Lab(dir, Duration.ofSeconds(3));
        assertEquals(0, lab.tally("sale", "--order", "INV-1", "--amount", "3.00").exit(), "the till's journal and key");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Refused with 64 saying {@code says}; {@code victim}'s bytes and the folder's files as they were. */
    private void refused(Path victim, String says, String... args) throws Exception {
        refused(victim, says, () -> lab.tally(args));
    }

    private void refused(Path victim, String says, Supplier<Lab.Run> command) throws Exception {
        byte[] before = Files.exists(victim) ? Files.readAllBytes(victim) : null;
        List<String> files = files();
        Lab.Run r = command.get();
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains(says) && r.err().contains("nothing was written"), r.err());
        if (before != null) {
            assertArrayEquals(before, Files.readAllBytes(victim), victim + " is left as it was");
        }
        assertEquals(files, files(), "nothing made");
    }

    @Test
    void theJournalsDataKeyIsRefusedAndStillOpensTheJournal() throws Exception {
        Path key = Path.of(lab.journal + ".key");
        refused(key, "is the journal's data key: a message log is appended to", "--message-log", key.toString(), "echo");
        Lab.Run next = lab.tally("status", "--order", "INV-1");
        assertEquals(0, next.exit(), next.toString());
        assertEquals("APPROVED", next.status());
    }

    @Test
    void theJournalItselfIsRefusedMadeOrNot() throws Exception {
        refused(lab.journal, "is the journal (--journal)", "--message-log", lab.journal.toString(), "echo");
        refused(Path.of(lab.journal + "-wal"), "is the journal's write-ahead log", "--message-log", lab.journal + "-wal",
                "sale", "--order", "INV-2", "--amount", "4.00");
        Path fresh = dir.resolve("fresh.db");
        refused(fresh, "is the journal (--journal)", () -> Lab.raw("--port", String.valueOf(lab.sim.isoPort()),
                "--journal", fresh.toString(), "--message-log", dir.resolve("./fresh.db").toString(), "echo"));
        assertEquals(0, lab.ledger("INV-2").size(), "the sale was not sent");
    }

    @Test
    void otherFilesOfTheCommandAndSomeonesFileAreRefused() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "lab notes, day 1\n");
        refused(notes, "is there already and is no message log (its first line is not a message-log line)",
                "--message-log", notes.toString(), "echo");
        Path ledger = Files.copy(dir.resolve("ledger.db"), dir.resolve("ledger-copy.db")); // a simulator's, sent to support
        refused(ledger, "is there already and is no message log (an SQLite database", "--message-log", ledger.toString(),
                "echo");
        Path log = dir.resolve("messages.jsonl");
        assertEquals(0, lab.tally("--message-log", log.toString(), "echo").exit());
        refused(log, "is the LOG given to replay", "--message-log", log.toString(), "replay", log.toString(), "--host",
                "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()), "--speed", "max");
        // serve's operator token file, not made yet: refused before the token files, the port or the journal
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refused(Path.of(lab.journal + ".operator-token"), "is the operator token file (beside the journal)",
                    "--message-log", lab.journal + ".operator-token", "serve", "--api-port",
                    String.valueOf(taken.getLocalPort()));
        }
    }

    @Test
    void aMessageLogOfAnEarlierRunAndItsRotatedFileAreAppendedToAsBefore() throws Exception {
        Path log = dir.resolve("messages.jsonl");
        assertEquals(0, lab.tally("--message-log", log.toString(), "sale", "--order", "A-1", "--amount", "3.00").exit());
        Path rotated = Files.copy(log, dir.resolve("messages.jsonl.1"));
        int lines = MessageLog.read(log).size();
        Lab.Run r = lab.tally("--message-log", log.toString(), "sale", "--order", "A-2", "--amount", "4.00");
        assertEquals(0, r.exit(), r.toString());
        List<MessageLog.Entry> after = MessageLog.read(log);
        assertTrue(after.size() > lines, "appended");
        assertEquals("A-2", after.getLast().orderRef());
        assertEquals(lines, MessageLog.read(rotated).size(), "the rotated file as it was");
    }
}
