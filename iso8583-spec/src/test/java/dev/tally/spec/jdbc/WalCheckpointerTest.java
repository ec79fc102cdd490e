package dev.tally.spec.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalCheckpointerTest {

    @TempDir
    Path dir;

    private static final int ROW_BYTES = 2_000;

    private Connection open(Path db) throws Exception {
        Properties p = new Properties();
        p.setProperty("journal_mode", "WAL");
        p.setProperty("synchronous", "NORMAL");
        p.setProperty("busy_timeout", "5000");
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, p);
        c.setAutoCommit(true);
        return c;
    }

    /** Writes {@code batches} transactions of 20 rows, calling the checkpointer between them; the WAL's largest size. */
    private static long write(Connection c, WalCheckpointer checkpoints, Path wal, int from, int batches) throws Exception {
        long largest = 0;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, randomblob(" + ROW_BYTES + "))");
             Statement st = c.createStatement()) {
            int k = from;
            for (int b = 0; b < batches; b++) {
                st.execute("BEGIN IMMEDIATE");
                for (int i = 0; i < 20; i++) {
                    ps.setInt(1, k++);
                    ps.executeUpdate();
                }
                st.execute("COMMIT");
                if (checkpoints != null) {
                    checkpoints.betweenTransactions(c);
                }
                largest = Math.max(largest, Files.size(wal));
            }
        }
        return largest;
    }

    /** What the test below lets the WAL file keep after a restart (PRAGMA journal_size_limit). */
    private static final long WAL_LIMIT = 1_048_576;

    /**
     * The writer never stops, and the WAL starts again from its beginning at each of the writer's finishing
     * checkpoints: the first commit after one leaves the file at the size limit, not at everything written since the
     * start. Asserted at each finish rather than as a bound on the largest size seen: how large the WAL grows between
     * two finishes depends on how fast the background thread copies against the writer (a slow CI disk once let it
     * reach 11 MB of 21 MB written before the first finish), which is the benchmark's business, not a test's.
     */
    @Test
    void theWalStartsAgainWhileTheWriterKeepsWritingAndNoRowIsLost() throws Exception {
        Path db = dir.resolve("w.db");
        Path wal = dir.resolve("w.db-wal");
        try (Connection c = open(db)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA wal_autocheckpoint = 0");
                st.execute("PRAGMA journal_size_limit = " + WAL_LIMIT);
                st.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
            }
            WalCheckpointer checkpoints = new WalCheckpointer("test", open(db), Duration.ofMillis(10));
            int rows = 0;
            int restartsSeen = 0;
            long largestAfterRestart = 0;
            long largest = 0;
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                // one transaction of 20 rows at a time, until the writer has finished a few checkpoints with rows
                // written on after each (a deadline, not a sleep; and at most 200 MB of rows if none ever comes)
                while ((restartsSeen < 3 || rows < 10_000) && rows < 100_000 && System.nanoTime() < deadline) {
                    long finished = checkpoints.finished();
                    largest = Math.max(largest, write(c, checkpoints, wal, rows, 1));
                    rows += 20;
                    if (checkpoints.finished() > finished) {
                        // the writer's finishing checkpoint just ran: its next commit starts the WAL again
                        long after = write(c, null, wal, rows, 1);
                        rows += 20;
                        largestAfterRestart = Math.max(largestAfterRestart, after);
                        restartsSeen++;
                    }
                }
                assertTrue(restartsSeen >= 3, "the writer finished checkpoints: " + restartsSeen + " in " + rows
                        + " rows, background rounds " + checkpoints.rounds());
            } finally {
                checkpoints.close();
            }
            long oneTransaction = 20L * 2 * 4_200; // 20 rows of 2,000 bytes: at most two 4 KB pages (and a frame header) each
            assertTrue(largestAfterRestart <= WAL_LIMIT + oneTransaction, "WAL of " + largestAfterRestart
                    + " bytes after a restart (largest seen " + largest + ", " + (long) rows * ROW_BYTES + " written)");
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
                rs.next();
                assertEquals(rows, rs.getInt(1));
            }
        }
        try (Connection again = open(db); Statement st = again.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertEquals("ok", rs.getString(1));
        }
    }

    @Test
    void withoutIt_theSameWritesGrowTheWalByAllOfThem() throws Exception {
        // the control for the test above: it is the checkpointer that keeps the WAL short
        Path db = dir.resolve("n.db");
        try (Connection c = open(db)) {
            table(c);
            long largest = write(c, null, dir.resolve("n.db-wal"), 0, 50);
            assertTrue(largest > 50L * 20 * ROW_BYTES, "WAL " + largest + " bytes");
        }
    }

    /**
     * Another process reads the database in one long transaction (a report over a whole journal): the writer's
     * RESTART at its pause used to wait the writer's busy timeout for that reader (here 60 s), with every commit
     * behind it. It now returns at once, the writes go on, and once the reader is done the WAL starts again.
     */
    @Test
    void aLongReaderDoesNotHoldTheWriterAndTheWalStartsAgainAfterIt() throws Exception {
        Path db = dir.resolve("r.db");
        Path wal = dir.resolve("r.db-wal");
        try (Connection c = open(db); Connection reader = open(db)) {
            table(c);
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 60000");
            }
            WalCheckpointer checkpoints = new WalCheckpointer("reader-test", open(db), Duration.ofMillis(10));
            try {
                write(c, checkpoints, wal, 0, 5);
                holdSnapshot(reader); // the read transaction stays open until the rollback below
                int[] rows = {100};
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                    long rounds = checkpoints.rounds();
                    while (checkpoints.rounds() < rounds + 5) { // the writer is asked to finish in these rounds
                        write(c, checkpoints, wal, rows[0], 5);
                        rows[0] += 100;
                    }
                }, "the writer waited for the reader");
                reader.rollback();
                long finished = checkpoints.finished();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (checkpoints.finished() == finished) {
                    assertTrue(System.nanoTime() < deadline, "the WAL never started again after the reader");
                    write(c, checkpoints, wal, rows[0], 1);
                    rows[0] += 20;
                }
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
                    rs.next();
                    assertEquals(rows[0], rs.getInt(1));
                }
            } finally {
                checkpoints.close();
            }
        }
    }

    /**
     * After data is deleted, its old pages stay in the WAL's frames: truncateNow cuts the WAL to nothing. With a
     * reader in the way it does not wait for it (the writer would stall every commit); the writer's next finishing
     * checkpoint after the reader is done truncates instead.
     */
    @Test
    void truncateNowEmptiesTheWalOrWhenAReaderIsInTheWayTheWritersNextFinishDoes() throws Exception {
        Path db = dir.resolve("t.db");
        Path wal = dir.resolve("t.db-wal");
        try (Connection c = open(db); Connection reader = open(db)) {
            table(c);
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 60000");
            }
            WalCheckpointer checkpoints = new WalCheckpointer("truncate-test", open(db), Duration.ofMillis(10));
            try {
                write(c, checkpoints, wal, 0, 5);
                assertTrue(Files.size(wal) > 0);
                assertTrue(checkpoints.truncateNow(c), "no reader: truncated");
                assertEquals(0, Files.size(wal));
                assertFalse(checkpoints.truncatePending());

                write(c, checkpoints, wal, 100, 5);
                holdSnapshot(reader); // the read transaction stays open until the rollback below
                write(c, checkpoints, wal, 200, 1); // the reader's snapshot is not the newest
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertFalse(checkpoints.truncateNow(c)),
                        "truncateNow waited for the reader");
                assertTrue(checkpoints.truncatePending());
                long heldBefore = Files.size(wal);
                long finishedBefore = checkpoints.finished();
                reader.rollback();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                int k = 300;
                while (checkpoints.truncatePending()) {
                    assertTrue(System.nanoTime() < deadline, "the WAL was never truncated after the reader");
                    write(c, checkpoints, wal, k, 1);
                    k += 20;
                }
                // truncated by the writer's finishing checkpoint or by the background thread (whichever came first);
                // at most the last write is in the WAL since
                assertTrue(checkpoints.finished() > finishedBefore);
                assertTrue(Files.size(wal) < heldBefore, Files.size(wal) + " bytes, " + heldBefore + " before");
            } finally {
                checkpoints.close();
            }
        }
    }

    /**
     * A WAL truncateNow could not empty (a reader in the way) is emptied by the background thread once the reader is
     * done, with the writer idle: a serve with no sale after its settlement. Before, only the writer's next commit
     * did it, and the purged data stayed in the WAL overnight.
     */
    @Test
    void aTruncateLeftPendingIsDoneInTheBackgroundWhileTheWriterIsIdle() throws Exception {
        Path db = dir.resolve("idle.db");
        Path wal = dir.resolve("idle.db-wal");
        try (Connection c = open(db); Connection reader = open(db)) {
            table(c);
            WalCheckpointer checkpoints = new WalCheckpointer("idle-test", open(db), Duration.ofMillis(10));
            try {
                write(c, checkpoints, wal, 0, 5);
                holdSnapshot(reader); // the read transaction stays open until the rollback below
                write(c, checkpoints, wal, 100, 1);
                assertFalse(checkpoints.truncateNow(c), "the reader is in the way");
                reader.rollback(); // the reader is done; the writer writes nothing more
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (checkpoints.truncatePending()) {
                    assertTrue(System.nanoTime() < deadline, "the WAL was never emptied while the writer was idle");
                    Thread.sleep(10); // polling interval, not a wait for an outcome
                }
                assertEquals(0, Files.size(wal));
            } finally {
                checkpoints.close();
            }
        }
    }

    @Test
    void closingStopsTheThreadAndClosesItsConnection() throws Exception {
        Path db = dir.resolve("c.db");
        Connection own;
        try (Connection c = open(db)) {
            own = open(db);
            WalCheckpointer checkpoints = new WalCheckpointer("close-test", own, Duration.ofMillis(5));
            checkpoints.close();
            assertTrue(own.isClosed());
            assertFalse(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("wal-checkpoint close-test") && t.isAlive()));
        }
    }

    /** The test table, with the connection's automatic checkpoints off (the checkpointer's job). */
    private static void table(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA wal_autocheckpoint = 0");
            st.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
        }
    }

    /** Opens a read transaction on {@code reader} and reads: its snapshot stays until it rolls back. */
    private static void holdSnapshot(Connection reader) throws SQLException {
        reader.setAutoCommit(false);
        try (Statement st = reader.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
        }
    }
}
