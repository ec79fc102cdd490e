package dev.tally.terminal.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class JournalBackupTest {

    @TempDir
    Path dir;

    /**
     * The backup's disk filling during the copy is said as the backup's failure, as a disk full at the start is: the
     * destination named, the journal unchanged, nothing left there. It said "journal: cannot read the journal:
     * [SQLITE_FULL] ...", blaming the journal. The copy here is SQLite's real VACUUM INTO, which leaves a file at the
     * destination, then fails as the live journal's read connection reports a disk that filled under it (SQLite's
     * SQLITE_FULL, "cannot read the journal: ..."). No device is written: a copy into /dev/full left a rollback journal,
     * /dev/full-journal, beside it, and as any user but root could not run at all.
     */
    @Test
    void aDiskThatFillsDuringTheCopyIsTheBackupsFailureNotTheJournals() throws Exception {
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, JournalTest.CLOCK)) {
            j.openAttempt(JournalTest.sale("INV-BK", 100));
        }
        byte[] journal = Files.readAllBytes(file);
        Path folder = Files.createDirectory(dir.resolve("bk"));
        Path dest = folder.resolve("kb.db");

        JournalException e = assertThrows(JournalException.class, () -> JournalBackup.write(file, dest,
                JournalTest.CLOCK, (live, out) -> {
                    live.copyInto(out); // what was written before the disk filled is left at DEST
                    SQLiteException full = new SQLiteException("[SQLITE_FULL] Insertion failed because database is full"
                            + " (database or disk is full)", SQLiteErrorCode.SQLITE_FULL);
                    throw new JournalException("cannot read the journal: " + full.getMessage(), full);
                }));
        String m = e.getMessage();
        assertTrue(m.startsWith("cannot back up the journal " + file + " to " + dest + ": [SQLITE_FULL]"), m);
        assertTrue(m.endsWith("(the journal is unchanged; nothing was left at " + dest + ")"), m);
        assertFalse(m.contains("cannot read the journal"), m);
        try (var left = Files.list(folder)) {
            assertEquals(List.of(), left.toList(), "neither the copy nor its key is left");
        }
        assertArrayEquals(journal, Files.readAllBytes(file));

        // the same backup where the disk has room: written, as the command would
        JournalBackup.Result r = JournalBackup.write(file, dest, JournalTest.CLOCK);
        assertEquals(1, r.attempts());
        assertTrue(Files.exists(Path.of(dest + ".key")));
    }
}
