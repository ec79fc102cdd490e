package dev.tally.spec.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatementCacheTest {

    @TempDir
    Path dir;

    @Test
    void aStatementIsPreparedOnceReusedWithFreshParametersAndNestedUseStillWorks() throws Exception {
        try (StatementCache cache = new StatementCache(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db")))) {
            Connection c = cache.connection();
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
            }
            for (int i = 1; i <= 5; i++) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, ?)")) {
                    ps.setInt(1, i);
                    ps.setString(2, "v" + i);
                    assertEquals(1, ps.executeUpdate());
                }
            }
            assertEquals(1, cache.size(), "one cached statement for five uses");
            String select = "SELECT v FROM t WHERE k = ?";
            try (PreparedStatement outer = c.prepareStatement(select)) {
                outer.setInt(1, 2);
                try (ResultSet rs = outer.executeQuery()) {
                    assertTrue(rs.next());
                    // the same SQL while the outer one is open: a separate statement, the outer result intact
                    try (PreparedStatement inner = c.prepareStatement(select)) {
                        inner.setInt(1, 4);
                        try (ResultSet rs2 = inner.executeQuery()) {
                            assertTrue(rs2.next());
                            assertEquals("v4", rs2.getString(1));
                        }
                    }
                    assertEquals("v2", rs.getString(1));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(select)) {
                assertFalse(ps.isClosed());
                ps.setInt(1, 5);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("v5", rs.getString(1));
                }
                assertFalse(ps.isClosed());
            }
            assertEquals(2, cache.size());
        }
    }

    @Test
    void aStatementReturnedToTheCacheCannotBeUsedByWhoeverClosedIt() throws Exception {
        try (StatementCache cache = new StatementCache(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("d.db")))) {
            Connection c = cache.connection();
            PreparedStatement first = c.prepareStatement("SELECT 1");
            first.close();
            assertTrue(first.isClosed());
            SQLException e = assertThrows(SQLException.class, first::executeQuery);
            assertTrue(e.getMessage().contains("already closed"), e.getMessage());
            try (PreparedStatement again = c.prepareStatement("SELECT 1"); ResultSet rs = again.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
            assertEquals(1, cache.size());
        }
    }

    /**
     * sqlite-jdbc finalizes a statement whose step fails with an error other than busy, locked or a constraint
     * (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR): handed out again from the cache it failed every later use with
     * "statement is not executing", so one passing failure (a disk full for a moment, then space freed) broke that SQL
     * for the rest of a long-lived process (tally serve, the simulator's ledger). Such a statement is prepared anew.
     */
    @Test
    void aStatementTheDriverGaveUpOnAfterAFailureIsPreparedAnew() throws Exception {
        try (StatementCache cache = new StatementCache(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("e.db")))) {
            Connection c = cache.connection();
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
                s.execute("PRAGMA max_page_count = 3"); // a full disk: SQLITE_FULL
            }
            String returning = "INSERT INTO t (v) VALUES (?) RETURNING k";
            String insert = "INSERT INTO t (v) VALUES (?)";
            for (String sql : new String[] {returning, insert}) {
                SQLException full = assertThrows(SQLException.class, () -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, "x".repeat(20_000));
                        if (sql.equals(returning)) {
                            ps.executeQuery().close();
                        } else {
                            ps.executeUpdate();
                        }
                    }
                });
                assertTrue(full.getMessage().contains("SQLITE_FULL"), full.getMessage());
                assertEquals(0, full.getSuppressed().length, "closing it adds nothing to the failure");
            }
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA max_page_count = 100000"); // space again
            }
            try (PreparedStatement ps = c.prepareStatement(returning)) {
                ps.setString(1, "a");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                }
            }
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setString(1, "b");
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setString(1, "c");
                assertEquals(1, ps.executeUpdate(), "and cached again");
            }
            assertEquals(2, cache.size());
        }
    }
}
