package dev.tally.terminal.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalBackupTest {

    @TempDir
    Path dir;

    /**
     * The backup's disk filling during the copy is said as the backup's failure, as a disk full at the start is: the
     * destination named, the journal unchanged, nothing left there. It said "journal: cannot read the journal:
     * [SQLITE_FULL] ...", blaming the journal. The real copy (SQLite's VACUUM INTO from the live journal) is made to
     * write to /dev/full, where every write fails with ENOSPC, as on a full disk: SQLite's own SQLITE_FULL.
     */
    @Test
    void aDiskThatFillsDuringTheCopyIsTheBackupsFailureNotTheJournals() throws Exception {
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full here");
        Path file = dir.resolve("j.db");
        try (Journal j = Journal.open(file, JournalTest.CLOCK)) {
            j.openAttempt(JournalTest.sale("INV-BK", 100));
        }
        byte[] journal = Files.readAllBytes(file);
        Path folder = Files.createDirectory(dir.resolve("bk"));
        Path dest = folder.resolve("kb.db");

        JournalException e = assertThrows(JournalException.class, () -> JournalBackup.write(file, dest,
                JournalTest.CLOCK, (live, out) -> live.copyInto(full)));
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
