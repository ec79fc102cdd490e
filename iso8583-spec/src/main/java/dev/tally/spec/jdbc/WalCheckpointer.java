package dev.tally.spec.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a SQLite WAL short without stalling the writer for the length of a checkpoint.
 *
 * <p>A checkpoint copies the WAL's pages into the database file and syncs it; under load that took 50 to
 * 90 ms every half second on the simulator's ledger, and when the writer ran it every request queued behind
 * the writer waited that long (it was the host's p99). Here a background thread, on its own connection, runs
 * PASSIVE checkpoints (they never block the writer) until only a few pages are left to copy, then asks the
 * writer to finish: between two of its transactions the writer calls {@link #betweenTransactions}, which, when
 * asked, runs a RESTART checkpoint on the writer's connection. That copies the few pages left, and the next
 * write starts the WAL from its beginning, so the file stops growing. Nothing committed depends on a
 * checkpoint: one that fails is logged and tried again at the next round.
 *
 * <p>Thread-safe: the background pass and the writer's finishing checkpoint never run at the same time (the
 * writer skips its turn rather than wait).
 */
public final class WalCheckpointer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);
    /** The writer finishes when at most this many WAL frames are left to copy (a few ms of work). */
    static final int FEW_FRAMES = 256;
    /** Most background passes per round before the writer is asked to finish anyway. */
    private static final int MAX_PASSES = 6;

    private final String name;
    private final Connection background;
    private final Duration every;
    private final ReentrantLock checkpointing = new ReentrantLock();
    private final Thread thread;
    private volatile boolean finishWanted;
    /** A {@link #truncateNow} found a reader in the way: the writer's finishing checkpoints truncate until one does. */
    private volatile boolean truncateWanted;
    private volatile boolean closed;
    private volatile long rounds;
    private volatile long finished;

    /**
     * Starts the background thread. {@code background} is a connection of its own to the same database file
     * (autocommit, never used for anything else); it is closed with this checkpointer.
     */
    public WalCheckpointer(String name, Connection background, Duration every) {
        this.name = name;
        this.background = background;
        this.every = every;
        this.thread = Thread.ofPlatform().daemon().name("wal-checkpoint " + name).unstarted(this::loop);
        thread.start();
    }

    /**
     * Takes the checkpoints of the SQLite database {@code file} over from its writer: SQLite's automatic
     * checkpoint (inside the commit that passes 1,000 WAL pages) is turned off on {@code writer}, and the
     * background thread runs on a connection of its own to {@code file} (autocommit, synchronous=FULL: the WAL
     * is synced before its pages are copied, the database file after). The writer then calls
     * {@link #betweenTransactions} between two of its transactions.
     */
    public static WalCheckpointer start(String name, Path file, Connection writer, Duration every) throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("PRAGMA wal_autocheckpoint = 0");
        }
        Properties p = new Properties();
        p.setProperty("synchronous", "FULL");
        Connection background = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), p);
        background.setAutoCommit(true);
        return new WalCheckpointer(name, background, every);
    }

    /**
     * For the writer, with no transaction open on {@code writer}: finishes the checkpoint when the background
     * pass asked for it (a RESTART of the few frames left). Costs a volatile read otherwise.
     *
     * <p>The RESTART does not wait for readers: a RESTART waits (the connection's busy timeout, seconds) until
     * no reader uses the WAL, and the writer — every commit queued behind it — would wait with it, for as long
     * as another process's long read lasts ({@code tally report} over a whole journal while {@code tally serve}
     * writes it, a lab's query of the ledger). With a reader in the way it copies what it can and returns; the
     * WAL starts again after the next background round.
     */
    public void betweenTransactions(Connection writer) {
        if (!finishWanted || !checkpointing.tryLock()) {
            return;
        }
        try {
            boolean truncating = truncateWanted;
            boolean done = !checkpointWithoutWaiting(writer, truncating ? "TRUNCATE" : "RESTART").busy();
            finishWanted = false;
            if (done) {
                finished++;
                if (truncating) {
                    truncateWanted = false;
                }
            }
        } catch (SQLException e) {
            LOG.warn("{}: WAL checkpoint failed (tried again shortly): {}", name, e.getMessage());
        } finally {
            checkpointing.unlock();
        }
    }

    /**
     * A RESTART checkpoint on the writer's connection now (no transaction open on it), after any background
     * pass in progress; true when it copied everything. For tests and maintenance, not the hot path.
     */
    public boolean restartNow(Connection writer) throws SQLException {
        checkpointing.lock();
        try {
            Result r = checkpoint(writer, "RESTART");
            finishWanted = false;
            return !r.busy();
        } finally {
            checkpointing.unlock();
        }
    }

    /**
     * A TRUNCATE checkpoint on the writer's connection now (no transaction open on it), after any background pass
     * in progress, without waiting for readers: every frame is copied into the database file and the WAL file is
     * cut to 0 bytes, so nothing the WAL held before (pages as they were before a change, e.g. data since deleted)
     * is left in it. True when done; with a reader in the way it copies what it can and returns false, and the
     * writer's finishing checkpoints ({@link #betweenTransactions}) truncate instead of restarting until one is done.
     */
    public boolean truncateNow(Connection writer) throws SQLException {
        checkpointing.lock();
        try {
            boolean done = !checkpointWithoutWaiting(writer, "TRUNCATE").busy();
            truncateWanted = !done;
            if (done) {
                finishWanted = false;
            }
            return done;
        } finally {
            checkpointing.unlock();
        }
    }

    /** Whether a {@link #truncateNow} found a reader in the way and no checkpoint has truncated the WAL since. */
    public boolean truncatePending() {
        return truncateWanted;
    }

    /** Rounds the background thread has run, and checkpoints the writer has finished (for tests). */
    public long rounds() {
        return rounds;
    }

    public long finished() {
        return finished;
    }

    /**
     * The WAL a {@link #truncateNow} could not empty (a reader was in the way), emptied from this thread: a writer
     * left idle after it (a serve with no sale after its settlement) takes no turn, and the purged data would stay in
     * the WAL until its next commit. Without waiting for a reader or the writer: busy, it is tried on the next round.
     */
    private void truncateIdle() {
        if (!checkpointing.tryLock()) {
            return;
        }
        try {
            // copied first without the writer's lock (PASSIVE); the TRUNCATE, which takes it, only once nothing is left
            // to copy, so it holds the writer up for no more than cutting the file
            Result copied = checkpoint(background, "PASSIVE");
            if (copied.walFrames() == copied.checkpointed() && !checkpointWithoutWaiting(background, "TRUNCATE").busy()) {
                truncateWanted = false;
                finishWanted = false;
                finished++;
            }
        } catch (SQLException e) {
            LOG.debug("{}: WAL truncate not done now (tried again shortly): {}", name, e.getMessage());
        } finally {
            checkpointing.unlock();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            if (truncateWanted) {
                truncateIdle();
                continue;
            }
            if (finishWanted) {
                continue; // the writer has not taken its turn yet (idle, or busy): nothing new to copy then
            }
            checkpointing.lock();
            try {
                // each pass copies what the WAL held when it started; the next one what came in meanwhile,
                // fewer frames each time, until a pass had only a few to copy
                Result r = null;
                int before = -1;
                for (int pass = 0; pass < MAX_PASSES && !closed; pass++) {
                    r = checkpoint(background, "PASSIVE");
                    if (r.walFrames() - Math.max(before, 0) <= FEW_FRAMES) {
                        break;
                    }
                    before = r.walFrames();
                }
                if (r != null && r.walFrames() > 0) {
                    finishWanted = true; // frames in the WAL: the writer restarts it at its next pause
                }
                rounds++;
            } catch (SQLException e) {
                if (!closed) {
                    LOG.warn("{}: WAL checkpoint failed (tried again shortly): {}", name, e.getMessage());
                }
            } finally {
                checkpointing.unlock();
            }
        }
    }

    /** What SQLite's wal_checkpoint answers: blocked?, frames in the WAL, frames copied into the database. */
    private record Result(boolean busy, int walFrames, int checkpointed) {
    }

    /** {@link #checkpoint} with the connection's busy timeout at 0 for it (restored after): busy, not blocked. */
    private static Result checkpointWithoutWaiting(Connection c, String mode) throws SQLException {
        int timeout;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA busy_timeout")) {
            rs.next();
            timeout = rs.getInt(1);
        }
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            try {
                return checkpoint(c, mode);
            } finally {
                st.execute("PRAGMA busy_timeout = " + timeout);
            }
        }
    }

    private static Result checkpoint(Connection c, String mode) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("PRAGMA wal_checkpoint(" + mode + ")"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Result(rs.getInt(1) != 0, rs.getInt(2), rs.getInt(3));
        }
    }

    /** Stops the thread (waiting for a pass in progress) and closes the background connection. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            background.close();
        } catch (SQLException e) {
            LOG.warn("{}: closing the checkpoint connection: {}", name, e.getMessage());
        }
    }
}
