package dev.tally.simulator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start of the simulator makes (a new ledger with its -wal and -shm, a new message log, the directories
 * they go in), so that a start that fails once they are made (a port taken after the start checked it, a ledger or
 * message log that cannot be opened) leaves nothing behind: bad input
 * changes nothing. Only what was not there when {@link #watch} looked is removed; a file that was there empty
 * (a ledger "created" with {@code touch}) is emptied again.
 */
final class NewFiles {

    private static final Logger LOG = LoggerFactory.getLogger(NewFiles.class);

    /** Paths that did not exist, parents before children, in the order they were watched. */
    private final List<Path> absent = new ArrayList<>();
    private final List<Path> empty = new ArrayList<>();

    /** Notes whether {@code file} and its parent directories exist yet. */
    void watch(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = abs; p != null && Files.notExists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.push(p);
        }
        absent.addAll(missing);
        if (missing.isEmpty() && Files.isRegularFile(abs) && Files.size(abs) == 0) {
            empty.add(abs);
        }
    }

    /**
     * Removes what was not there, the deepest first (a directory only once empty), and empties again what was
     * empty. Call after everything writing to them is closed. A failure is logged, not thrown: the start's own
     * error is the one to report.
     */
    void remove() {
        for (int i = absent.size() - 1; i >= 0; i--) {
            Path p = absent.get(i);
            try {
                Files.deleteIfExists(p);
            } catch (DirectoryNotEmptyException e) {
                // kept: it holds something else (a directory two files share is listed before each: tried again)
            } catch (IOException e) {
                LOG.warn("could not remove {}, made by the start that failed: {}", p, e.toString());
            }
        }
        for (Path p : empty) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            } catch (IOException e) {
                LOG.warn("could not empty {} again after the start failed: {}", p, e.toString());
            }
        }
    }
}
