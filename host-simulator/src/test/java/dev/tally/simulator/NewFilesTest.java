package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a start that fails after making its files leaves behind (a port taken between the start's check and its
 * listening, which a test cannot time): nothing it made, and what was there as it was.
 */
class NewFilesTest {

    @TempDir
    Path dir;

    @Test
    void removesWhatTheStartMadeAndEmptiesAgainTheEmptyFileItWasGiven() throws Exception {
        Path ledger = dir.resolve("lab").resolve("day1").resolve("ledger.db");
        Path log = dir.resolve("lab").resolve("day1").resolve("messages.jsonl");
        Path given = Files.createFile(dir.resolve("touched.db"));
        Path other = Files.writeString(dir.resolve("other.txt"), "kept");
        NewFiles made = new NewFiles();
        for (Path p : List.of(ledger, ledger.resolveSibling("ledger.db-wal"), ledger.resolveSibling("ledger.db-shm"), log,
                given, given.resolveSibling("touched.db-wal"), other)) {
            made.watch(p);
        }
        // what the start made before it failed
        Files.createDirectories(ledger.getParent());
        for (Path p : List.of(ledger, ledger.resolveSibling("ledger.db-wal"), ledger.resolveSibling("ledger.db-shm"), log,
                given.resolveSibling("touched.db-wal"))) {
            Files.writeString(p, "written");
        }
        Files.writeString(given, "a ledger's pages");

        made.remove();

        try (var s = Files.list(dir)) {
            assertEquals(List.of("other.txt", "touched.db"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the new directories and files are gone");
        }
        assertEquals(0, Files.size(given), "the empty file given is empty again");
        assertEquals("kept", Files.readString(other), "a file that was there is left as it was");
    }

    @Test
    void aDirectoryThatHoldsSomethingElseIsKept() throws Exception {
        Path ledger = dir.resolve("lab").resolve("ledger.db");
        NewFiles made = new NewFiles();
        made.watch(ledger);
        Files.createDirectories(ledger.getParent());
        Files.writeString(ledger, "written");
        Files.writeString(dir.resolve("lab").resolve("notes.txt"), "someone else's");

        made.remove();

        assertTrue(Files.notExists(ledger));
        assertEquals("someone else's", Files.readString(dir.resolve("lab").resolve("notes.txt")));
    }
}
