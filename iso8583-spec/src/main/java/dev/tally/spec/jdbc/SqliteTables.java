package dev.tally.spec.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The tables a SQLite database holds, so that a journal and a ledger can each refuse the other's file (or any other
 * program's) before writing to it.
 */
public final class SqliteTables {

    private SqliteTables() {
    }

    /** The names of the database's own tables (SQLite's internal ones left out), in name order; a list to change. */
    public static List<String> of(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }
}
