package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input refused before the journal is opened: no journal, data key, lock or token file is made beside it (they
 * were, for each case here, though the exit was 64). Nothing listens on the host port: nothing may be sent either.
 */
class BadInputChangesNothingTest {

    @TempDir
    Path dir;

    /** The CLI with these arguments after the till's: a journal under {@code dir}, a host port nothing listens on. */
    private Lab.Run tally(String... args) {
        List<String> all = new ArrayList<>(List.of("--port", "1", "--timeout", "2", "--journal",
                dir.resolve("till/journal.db").toString()));
        all.addAll(List.of(args));
        return Lab.raw(all.toArray(String[]::new));
    }

    /** The files under {@code dir}, apart from the inputs the test made. */
    private List<String> made(Path... inputs) throws Exception {
        List<Path> keep = List.of(inputs);
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir) && !keep.contains(p)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    private void refused(Lab.Run r, String says, Path... inputs) throws Exception {
        assertEquals(64, r.exit(), r.err());
        assertTrue(r.err().contains(says), r.err());
        assertEquals(List.of(), made(inputs), "nothing made for bad input: " + r.err());
    }

    @Test
    void commandsAboutAnOrderNeedAJournalThere() throws Exception {
        refused(tally("status", "--order", "NOPE"), "there is no journal there (check --journal)");
        refused(tally("reverse", "--order", "NOPE"), "there is no journal there (check --journal)");
    }

    /**
     * The day's commands in a folder without the till's journal (a typo in --journal, the wrong folder): they made an
     * empty one and said "nothing pending", closed an empty batch, or told of sales the acquirer holds and the
     * terminal has "no record of".
     */
    @Test
    void theDaysCommandsNeedAJournalThere() throws Exception {
        for (List<String> c : List.of(List.of("settle"), List.of("pending"), List.of("pending", "--resolve"),
                List.of("reconcile", "--from-host", "http://127.0.0.1:1"))) {
            refused(tally(c.toArray(String[]::new)), "there is no journal at ");
        }
    }

    @Test
    void optionsAndInputFilesAreCheckedBeforeTheJournalIsMade() throws Exception {
        refused(tally("reconcile", "--statement", dir.resolve("missing.csv").toString()), "missing.csv: no such file");
        refused(tally("--message-log", dir.resolve("m.jsonl").toString(), "--message-log-size", "0", "sale", "--order",
                "A-1", "--amount", "1.00"), "--message-log-size and --message-log-keep must be at least 1");
        refused(tally("reconcile", "--from-host", "http://127.0.0.1:1", "--date", "9999-12-31"), "is not a business date");
        Path empty = Files.createFile(dir.resolve("token"));
        refused(tally("serve", "--api-port", "0", "--api-token-file", empty.toString()), "must hold one token", empty);
        Files.delete(empty);
        Path folder = Files.createDirectory(dir.resolve("tokens"));
        refused(tally("serve", "--api-port", "0", "--api-token-file", folder.toString()), "is a directory", folder);
        Files.delete(folder);
        refused(tally("serve", "--api-port", "0", "--api-token-file", dir.resolve("nowhere/token").toString()),
                "does not exist");
        // the cashier system's token in the operator's file too (or the same file): refused before the journal is made
        Path cashier = Files.writeString(dir.resolve("cashier.token"), "0123456789abcdef0123\n");
        Path operator = Files.writeString(dir.resolve("operator.token"), "0123456789abcdef0123\n");
        refused(tally("serve", "--api-port", "0", "--api-token-file", cashier.toString(), "--operator-token-file",
                operator.toString()), "holds the same token as the API token file", cashier, operator);
        Path link = Files.createSymbolicLink(dir.resolve("link.token"), cashier);
        refused(tally("serve", "--api-port", "0", "--api-token-file", cashier.toString(), "--operator-token-file",
                link.toString()), "holds the same token as the API token file", cashier, operator, link);
        Files.delete(link);
        Files.delete(operator);
        Files.delete(cashier);
        refused(tally("--config", dir.resolve("tally.properties").toString(), "journal"),
                "tally.properties: no such file"); // not the whole path: its temp folder's number may be masked
        Path config = Files.writeString(dir.resolve("bad.properties"), "terminal-id=T\\u12\n");
        refused(tally("--config", config.toString(), "journal"), "line 1: a backslash followed by 'u'", config);
        Files.delete(config);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refused(tally("serve", "--api-port", String.valueOf(taken.getLocalPort())), "choose a free port");
        }
    }

    @Test
    void aJournalPathThatIsNoJournalLeavesNoLockBehind() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("till/journal.db"));
        Lab.Run r = tally("journal");
        assertEquals(64, r.exit(), r.err());
        assertTrue(r.err().contains("is a directory"), r.err());
        assertEquals(List.of("till", "till/journal.db"), made(), "no lock beside it");
        Files.delete(folder);
        Path text = Files.writeString(dir.resolve("till/journal.db"), "not a journal\n");
        r = tally("journal");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("journal"), r.err());
        assertEquals(List.of("till", "till/journal.db"), made(), "no lock, key or write-ahead log beside it");
        assertEquals("not a journal\n", Files.readString(text));
    }

    @Test
    void aDirectoryGivenAsALogToReadIsBadInput() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("logs"));
        Lab.Run r = tally("decode", "--file", folder.toString());
        assertEquals(64, r.exit(), r.err());
        assertTrue(r.err().contains("is a directory"), r.err());
        r = tally("replay", folder.toString(), "--host", "127.0.0.1", "--port", "1");
        assertEquals(64, r.exit(), r.err());
        assertTrue(r.err().contains("is a directory"), r.err());
        refused(tally("replay", dir.resolve("messages.jsonl").toString(), "--host", "127.0.0.1", "--port", "1"),
                "messages.jsonl: no such file", folder);
        // report's --message-log: it was "internal error: java.io.IOException: Is a directory", exit 1
        Path journal = dir.resolve("till/journal.db");
        Files.createDirectories(journal.getParent());
        dev.tally.terminal.journal.Journal.open(journal, java.time.Clock.systemUTC()).close();
        r = tally("--message-log", folder.toString(), "report", "--order", "X");
        assertEquals(64, r.exit(), r.err());
        assertTrue(r.err().contains(folder.getFileName() + ": is a directory, not a file"), r.err());
    }
}
