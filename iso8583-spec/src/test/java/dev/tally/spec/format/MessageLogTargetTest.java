package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a message log may be written: never on another file of the command (the same path, a link, a path not made
 * yet), never on a file that is there and is no message log; a log of an earlier run, rotated files included, as before.
 */
class MessageLogTargetTest {

    @TempDir
    Path dir;

    /** A message log of an earlier run: one line as the writer writes it. */
    private Path earlierLog(String name) throws Exception {
        Path f = dir.resolve(name);
        try (MessageLog log = new MessageLog(f, 1 << 20, 3, Clock.systemUTC())) {
            log.event(MessageLog.Direction.OUT, "127.0.0.1:8583", "TALLY001", "INV-1", "000001", "m-1",
                    MessageLog.Event.TIMEOUT, 60_000L, null);
        }
        return f;
    }

    private String refused(Path file, Map<Path, String> others) {
        return assertThrows(IllegalArgumentException.class, () -> MessageLogTarget.check(file, 5, others)).getMessage();
    }

    /**
     * A message log whose first line is longer than what the check reads (a request full of escaped control bytes, as a
     * lab's abuse traffic sends, logs as 100 KB and more) is a message log: it was refused as "no message log".
     */
    @Test
    void aMessageLogWhoseFirstLineIsVeryLongPasses() throws Exception {
        Path f = dir.resolve("long.jsonl");
        try (MessageLog log = new MessageLog(f, 1 << 22, 3, Clock.systemUTC())) {
            log.event(MessageLog.Direction.IN, "127.0.0.1:8583", "TALLY001", "INV-1", "000001", "m-1",
                    MessageLog.Event.TIMEOUT, 60_000L, "\u0001".repeat(30_000));
        }
        String first = Files.readAllLines(f).getFirst();
        assertTrue(first.length() > 100_000, "the first line is " + first.length() + " characters");
        assertDoesNotThrow(() -> MessageLogTarget.check(f, 5, Map.of()));
        Path text = dir.resolve("long.txt");
        Files.writeString(text, "x".repeat(100_000) + "\n");
        assertTrue(refused(text, Map.of()).contains("its first line is not a message-log line"));
    }

    @Test
    void aFileOfTheCommandIsRefusedByPathLinkOrHardLinkMadeOrNot() throws Exception {
        Path key = Files.write(dir.resolve("journal.db.key"), new byte[32]);
        String m = refused(key, Map.of(key, "the journal's data key"));
        assertEquals("the message log " + key + " is the journal's data key: a message log is appended to, which would"
                + " damage it; give the message log a file of its own (a new one, e.g. messages.jsonl, or the message"
                + " log of an earlier run); nothing was written", m);
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), key);
        assertTrue(refused(link, Map.of(key, "the journal's data key")).contains("is the journal's data key"));
        Path hard = Files.createLink(dir.resolve("hard.jsonl"), key);
        assertTrue(refused(hard, Map.of(key, "the journal's data key")).contains("is the journal's data key"));
        // neither made yet: the journal of a first run, spelt two ways
        Files.createDirectory(dir.resolve("sub"));
        Path journal = dir.resolve("new.db");
        assertTrue(refused(dir.resolve("sub/../new.db"), Map.of(journal, "the journal (--journal)"))
                .contains("is the journal (--journal)"));
        Path dangling = Files.createSymbolicLink(dir.resolve("later.jsonl"), journal);
        assertTrue(refused(dangling, Map.of(journal, "the journal (--journal)")).contains("is the journal"));
        assertArrayEquals(new byte[32], Files.readAllBytes(key));
        assertEquals(List.of("hard.jsonl", "journal.db.key", "later.jsonl", "link.jsonl", "sub"), names());
    }

    @Test
    void aFileTheRotationWouldMoveIsRefused() throws Exception {
        Path journal = dir.resolve("till.db.2");
        String m = refused(dir.resolve("till.db"), Map.of(journal, "the journal (--journal)"));
        assertTrue(m.startsWith("the message log " + dir.resolve("till.db") + " rotates to " + journal + ", which is the"
                + " journal (--journal): rotating would move it away"), m);
    }

    @Test
    void anExistingFileThatIsNoMessageLogIsRefusedAndLeftAsItWas() throws Exception {
        Path db = Files.write(dir.resolve("ledger.db"), "SQLite format 3\0 and pages".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(refused(db, Map.of()).startsWith("the message log " + db + " is there already and is no message log"
                + " (an SQLite database: a terminal's journal or a simulator's ledger): "), refused(db, Map.of()));
        Path bin = Files.write(dir.resolve("capture.bin"), new byte[] {0x02, 0x00, (byte) 0xFF, '\n', 'x'});
        assertTrue(refused(bin, Map.of()).contains("(binary, not text)"));
        Path nul = Files.write(dir.resolve("nul.bin"), new byte[] {'a', 0, 'b'});
        assertTrue(refused(nul, Map.of()).contains("(binary, not text)"));
        Path scenario = Files.writeString(dir.resolve("scenario.json"), "{\"rules\": []}\n");
        assertTrue(refused(scenario, Map.of()).contains("(its first line is not a message-log line)"));
        Path notes = Files.writeString(dir.resolve("notes.txt"), "\n\nlab notes\n");
        assertTrue(refused(notes, Map.of()).contains("(its first line is not a message-log line)"));
        // a rotated file that is someone's: the rotation would move it on, and in time delete it
        Path log = earlierLog("messages.jsonl");
        Files.writeString(dir.resolve("messages.jsonl.3"), "keep me\n");
        assertTrue(refused(log, Map.of()).startsWith("the message log " + log + " rotates to " + log + ".3, which is"
                + " there already and is no message log (its first line is not a message-log line): "));
        assertEquals("keep me\n", Files.readString(dir.resolve("messages.jsonl.3")));
        assertEquals("{\"rules\": []}\n", Files.readString(scenario));
    }

    @Test
    void aMessageLogOfAnEarlierRunItsRotatedFilesAndNewOrEmptyFilesPass() throws Exception {
        Path log = earlierLog("messages.jsonl");
        Files.copy(log, dir.resolve("messages.jsonl.1"));
        Files.copy(log, dir.resolve("messages.jsonl.2"));
        assertDoesNotThrow(() -> MessageLogTarget.check(log, 5, Map.of(dir.resolve("journal.db"), "the journal")));
        // its first line cut short by a crash, the writer's next line after it
        String line = Files.readString(log);
        Path cut = Files.writeString(dir.resolve("cut.jsonl"), line.substring(0, 30) + "\n" + line);
        assertDoesNotThrow(() -> MessageLogTarget.check(cut, 5, Map.of()));
        Path cutOnly = Files.writeString(dir.resolve("cutonly.jsonl"), line.substring(0, 30));
        assertDoesNotThrow(() -> MessageLogTarget.check(cutOnly, 5, Map.of()));
        Path empty = Files.createFile(dir.resolve("empty.jsonl"));
        assertDoesNotThrow(() -> MessageLogTarget.check(empty, 5, Map.of()));
        assertDoesNotThrow(() -> MessageLogTarget.check(dir.resolve("new/messages.jsonl"), 5, Map.of()));
        Path folder = Files.createDirectory(dir.resolve("logs"));
        assertDoesNotThrow(() -> MessageLogTarget.check(folder, 5, Map.of()), "the writer says what it cannot do");
    }

    private List<String> names() throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
