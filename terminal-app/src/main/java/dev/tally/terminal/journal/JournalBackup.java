package dev.tally.terminal.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * A backup of a live journal ({@code tally backup}): a consistent copy as of one commit, taken with SQLite's online
 * {@code VACUUM INTO} on a read-only connection (no process lock: it runs while {@code tally serve} writes), so what
 * is still in the write-ahead log is in it and a checkpoint cannot tear it. A plain {@code cp JOURNAL} misses the
 * sales only the {@code -wal} holds (a sale told APPROVED showed SENT in the copy, and was reversed once restored).
 * The copy and its data key ({@code DEST.key}) are made owner-only (0600), synced, and checked: the copy opens as a
 * journal, passes {@code PRAGMA integrity_check}, and its recorded key check value is the key's.
 */
public final class JournalBackup {

    /** What a backup wrote. */
    public record Result(Path journal, Path dest, Path keyDest, long attempts, Instant latestAttempt,
                         String keyCheckValue, long bytes) {
    }

    private JournalBackup() {
    }

    /**
     * Backs up the journal at {@code journal} (with its data key) to {@code dest} and {@code dest.key}.
     *
     * @throws IllegalArgumentException {@code dest} or {@code dest.key} exists, or its folder does not: nothing written
     * @throws JournalException the journal or its key cannot be read, the copy cannot be written (its disk full), or
     *                          it failed its check: what this backup had written is removed, the journal is unchanged
     */
    public static Result write(Path journal, Path dest, Clock clock) {
        return write(journal, dest, clock, Journal::copyInto);
    }

    /** The copy of the live journal into the backup's file (a test makes it write where the disk is full). */
    @FunctionalInterface
    interface Copy {
        void into(Journal live, Path out);
    }

    /** {@link #write(Path, Path, Clock)}, the journal copied by {@code copy}. */
    static Result write(Path journal, Path dest, Clock clock, Copy copy) {
        Path abs = journal.toAbsolutePath();
        Path out = dest.toAbsolutePath();
        Path keyOut = out.resolveSibling(out.getFileName() + ".key");
        for (Path p : new Path[] {out, keyOut}) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(p + " exists: a backup never replaces a file; give a new name"
                        + " (nothing was changed)");
            }
        }
        if (out.getParent() == null || !Files.isDirectory(out.getParent())) {
            throw new IllegalArgumentException("the folder " + out.getParent() + " of the backup does not exist: make it"
                    + " first (nothing was changed)");
        }
        // a file that is no tally journal (a text file, a simulator's ledger) is said to be one, as every command says
        // it, before its data key is looked for ("the key is missing: restore it" sent the user after a key); the one
        // open the copy is made from
        try (Journal live = Journal.openReadOnly(abs, clock)) {
            return write(live, abs, out, keyOut, clock, copy);
        }
    }

    /** {@link #write(Path, Path, Clock)} from the journal {@code live} at {@code abs}, once it is open. */
    private static Result write(Journal live, Path abs, Path out, Path keyOut, Clock clock, Copy copying) {
        Path keyFile;
        byte[] key;
        try {
            Path real = ProcessLock.realPathOf(abs);
            keyFile = real.resolveSibling(real.getFileName() + ".key");
            if (!Files.exists(keyFile)) {
                throw new JournalException("the journal's data key " + keyFile + " is missing, and a backup without it"
                        + " cannot read the card numbers the journal stores: restore the key first (nothing was written)");
            }
            key = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw new JournalException("cannot read the journal's data key beside " + abs + ": " + e.getMessage(), e);
        }
        boolean madeOut = false;
        boolean madeKey = false;
        try {
            try {
                ownerOnly(out, null);
                madeOut = true;
                ownerOnly(keyOut, key);
                madeKey = true;
            } catch (FileAlreadyExistsException e) {
                throw new IllegalArgumentException(e.getFile() + " exists: a backup never replaces a file; give a new"
                        + " name (nothing was changed)");
            }
            try {
                copying.into(live, out);
            } catch (JournalDamagedException e) {
                throw e; // the journal's own pages: said as every command says it
            } catch (JournalException e) {
                // the copy's writes to DEST failing (its disk filling during the copy: SQLITE_FULL) came out of the
                // journal's read connection as "cannot read the journal", blaming the journal: said as a backup that
                // cannot be written, as when that disk is full at the start
                throw new IOException(JournalException.storageReason(e), e);
            }
            sync(out);
            sync(out.getParent());
            Journal.Contents contents;
            try (Journal copy = Journal.openReadOnly(out, clock)) {
                String check = copy.integrityCheck();
                if (!"ok".equals(check)) {
                    throw new JournalException("the backup " + out + " failed its integrity check (" + check + ")");
                }
                contents = copy.contents();
            }
            String kcv = PanVault.checkValueOf(key);
            if (contents.keyCheckValue() != null && !contents.keyCheckValue().equals(kcv)) {
                throw new JournalException("the data key " + keyFile + " (check value " + kcv + ") is not the key the"
                        + " journal records (" + contents.keyCheckValue() + ")");
            }
            return new Result(abs, out, keyOut, contents.attempts(), contents.latest(), kcv, Files.size(out));
        } catch (IOException | RuntimeException e) {
            // what this backup made, and only that (a name taken meanwhile by another program is left alone)
            for (Path p : madeKey ? new Path[] {out, keyOut} : madeOut ? new Path[] {out} : new Path[0]) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException deleting) {
                    e.addSuppressed(deleting);
                }
            }
            if (e instanceof IllegalArgumentException || e instanceof JournalException) {
                throw (RuntimeException) e;
            }
            throw new JournalException("cannot back up the journal " + abs + " to " + out + ": " + e.getMessage()
                    + " (the journal is unchanged; nothing was left at " + out + ")", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** Makes {@code file} new (never replacing one), owner-only (0600), with {@code content} (or empty), synced. */
    private static void ownerOnly(Path file, byte[] content) throws IOException {
        var opts = java.util.EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileChannel ch = file.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? FileChannel.open(file, opts, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : FileChannel.open(file, opts);
        try (ch) {
            if (content != null) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // made here and not whole (a full backup disk): removed, as the caller removes only what was made whole,
            // or the next backup to that name would be refused for a partial key left behind
            try {
                Files.deleteIfExists(file);
            } catch (IOException deleting) {
                e.addSuppressed(deleting);
            }
            throw e;
        }
    }

    /** fsync: SQLite does not sync what VACUUM INTO writes; a folder, so the new names survive a crash too. */
    private static void sync(Path p) throws IOException {
        boolean folder = Files.isDirectory(p);
        try (FileChannel ch = FileChannel.open(p, folder ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!folder) {
                throw e;
            } // a file system that cannot sync a folder: the file itself is synced
        }
    }
}
