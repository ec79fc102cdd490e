package dev.tally.terminal.journal;

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
 * can tell an orphaned SENT attempt from one another process is still waiting on. The lock file is never
 * deleted while a process may hold it: one made anew beside it would let a second process in.
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
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null; // held by this JVM: wait like for any other holder
                }
                if (l != null) {
                    return new ProcessLock(ch, l);
                }
                if (System.nanoTime() > deadline) {
                    throw new JournalBusyException("the journal is in use by another tally process (" + lockFile
                            + " is locked): nothing was done; try again when it has finished. A tally serve holds its"
                            + " journal while it runs: pay, cancel or settle through its cashier API, or stop it first");
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
