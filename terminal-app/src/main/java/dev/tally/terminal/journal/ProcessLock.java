package dev.tally.terminal.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * One process at a time uses a journal: an OS file lock on {@code <journal>.lock}, released by the OS
 * when the process dies (even by kill -9), so the next process can tell an orphaned SENT attempt from
 * one another process is still waiting on.
 */
final class ProcessLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private ProcessLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
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
