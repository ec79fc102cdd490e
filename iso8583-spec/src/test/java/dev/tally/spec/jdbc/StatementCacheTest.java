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
}
