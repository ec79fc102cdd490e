package dev.tally.terminal.journal;

import dev.tally.spec.format.FileIdentity;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * One process at a time uses a journal: an OS file lock on {@code <journal>.lock} beside the journal's real
 * path ({@link #lockFileOf}), released by the OS when the process dies (even by kill -9), so the next process
 * can tell an orphaned SENT attempt from one another process is still waiting on. An open that is refused removes
 * the lock file it made, while holding it; a process that was waiting on that file finds, once it has the lock, that
 * the file is no longer the one at the path, and waits for the holder of the file there now. An operator must never
 * delete it: a process holding it would not notice, and one made anew would let a second process in.
 */
final class ProcessLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private ProcessLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * The lock file of the journal at {@code journal}, beside the journal's real path ({@link #realPathOf}): every
     * path to one journal (a symbolic link to it or to its folder) meets the same lock. Found by the path as typed,
     * a link let a second tally run on the journal a serve held and "recover" (reverse) a sale the serve was still
     * waiting on.
     */
    static Path lockFileOf(Path journal) throws IOException {
        Path real = realPathOf(journal);
        return real.resolveSibling(real.getFileName() + ".lock");
    }

    /**
     * Where the journal at {@code journal} really is, symbolic links followed (SQLite keeps its {@code -wal} and
     * {@code -shm} there too): its real path; for a journal not made yet, where its folder's real path and a
     * dangling link to it lead.
     */
    static Path realPathOf(Path journal) throws IOException {
        Path p = journal.toAbsolutePath();
        if (Files.exists(p)) {
            return p.toRealPath();
        }
        for (int links = 0; Files.isSymbolicLink(p); links++) {
            if (links == 40) {
                throw new IOException(journal + ": too many levels of symbolic links");
            }
            p = p.resolveSibling(Files.readSymbolicLink(p));
        }
        Path folder = p.getParent();
        return folder == null || !Files.exists(folder) ? p : folder.toRealPath().resolve(p.getFileName());
    }

    static ProcessLock acquire(Path lockFile, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        Opened at = openAtPath(lockFile);
        FileChannel ch = at.channel();
        try {
            Object opened = at.key();
            while (true) {
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null; // held by this JVM: wait like for any other holder
                }
                if (l != null) {
                    if (opened.equals(FileIdentity.of(lockFile))) { // gone (null): not the file locked
                        return new ProcessLock(ch, l);
                    }
                    // the file this process waited on was deleted (by an open refused before it, which removes the lock
                    // file it made) or replaced meanwhile: its lock guards nothing, as another process may hold the file
                    // now at the path. Wait for that one instead
                    l.release();
                    ch.close();
                    at = openAtPath(lockFile);
                    ch = at.channel();
                    opened = at.key();
                    continue;
                }
                if (System.nanoTime() > deadline) {
                    throw new JournalBusyException("the journal is in use by another tally process (" + lockFile
                            + " is locked): nothing was done; try again when it has finished. A tally serve holds its"
                            + " journal while it runs: pay, cancel, settle or close a failed reversal through its cashier"
                            + " API, or stop it first");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new JournalException("interrupted while waiting for the journal lock " + lockFile);
                }
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private record Opened(FileChannel channel, Object key) {
    }

    /**
     * A channel on the file at {@code lockFile} (made when missing) that is known to be the file at the path: the path
     * is looked at before and after opening, and opened again until both name the same file ({@link FileIdentity}).
     */
    private static Opened openAtPath(Path lockFile) throws IOException {
        while (true) {
            Object before = FileIdentity.of(lockFile);
            // made owner-only (0600), as the journal: its name says which journal is there
            FileChannel ch = posix(lockFile)
                    ? FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(Journal.OWNER_ONLY))
                    : FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (before != null && before.equals(FileIdentity.of(lockFile))) {
                    return new Opened(ch, before);
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            ch.close(); // made just now, or replaced while opening: open it again, now that it is there
        }
    }

    private static boolean posix(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new JournalException("cannot release the journal lock: " + e.getMessage(), e);
        }
    }
}
