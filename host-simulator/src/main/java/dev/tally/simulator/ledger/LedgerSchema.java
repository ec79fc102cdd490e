package dev.tally.simulator.ledger;

import dev.tally.spec.jdbc.SqliteTables;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * The ledger's schema as numbered migrations. {@code schema_version} holds the versions applied; a
 * migration runs once, in its own transaction, on the first start that finds it missing.
 */
final class LedgerSchema {

    /** Migration n is {@code MIGRATIONS.get(n - 1)}. Append only; never edit a released one. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE business_day (
              id INTEGER PRIMARY KEY CHECK (id = 1),
              business_date TEXT NOT NULL)""",
            """
            CREATE TABLE counters (
              name TEXT PRIMARY KEY,
              value INTEGER NOT NULL)""",
            """
            CREATE TABLE cards (
              id TEXT PRIMARY KEY,
              masked_pan TEXT NOT NULL,
              currency TEXT NOT NULL,
              opening_balance INTEGER NOT NULL,
              balance INTEGER NOT NULL)""",
            """
            CREATE TABLE terminal_sessions (
              terminal_id TEXT PRIMARY KEY,
              pin_key_under_tmk TEXT NOT NULL,
              mac_key_under_tmk TEXT NOT NULL,
              tmk_kcv TEXT NOT NULL,
              signed_on_at TEXT NOT NULL)""",
            """
            CREATE TABLE settlement_batches (
              id INTEGER PRIMARY KEY,
              terminal_id TEXT NOT NULL,
              merchant_id TEXT NOT NULL,
              batch_number INTEGER NOT NULL,
              status TEXT NOT NULL CHECK (status IN ('UPLOAD_REQUESTED', 'CLOSED')),
              terminal_totals TEXT NOT NULL,
              host_totals TEXT NOT NULL,
              differences TEXT,
              business_date TEXT NOT NULL,
              opened_at TEXT NOT NULL,
              closed_at TEXT,
              UNIQUE (terminal_id, batch_number))""",
            """
            CREATE TABLE transactions (
              id INTEGER PRIMARY KEY,
              terminal_id TEXT NOT NULL,
              merchant_id TEXT NOT NULL,
              stan INTEGER NOT NULL,
              transmission_time TEXT NOT NULL,
              order_ref TEXT,
              mti TEXT NOT NULL,
              amount INTEGER NOT NULL CHECK (amount >= 0),
              currency TEXT NOT NULL,
              card_id TEXT REFERENCES cards (id),
              masked_pan TEXT NOT NULL,
              response_code TEXT NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('APPROVED', 'DECLINED', 'REVERSED')),
              rrn TEXT,
              auth_code TEXT,
              business_date TEXT NOT NULL,
              received_at TEXT NOT NULL,
              reversal_policy INTEGER NOT NULL DEFAULT 0,
              settlement_batch_id INTEGER REFERENCES settlement_batches (id),
              UNIQUE (terminal_id, stan, transmission_time))""",
            "CREATE INDEX transactions_order ON transactions (order_ref)",
            "CREATE INDEX transactions_merchant_date ON transactions (merchant_id, business_date)",
            """
            CREATE TABLE merchant_credits (
              transaction_id INTEGER PRIMARY KEY REFERENCES transactions (id),
              merchant_id TEXT NOT NULL,
              amount INTEGER NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('CREDITED', 'PENDING', 'NOT_CREDITED', 'NONE')),
              credit_date TEXT,
              due_at TEXT,
              due_at_cutover INTEGER NOT NULL DEFAULT 0)""",
            """
            CREATE TABLE reversals (
              id INTEGER PRIMARY KEY,
              transaction_id INTEGER NOT NULL UNIQUE REFERENCES transactions (id),
              reason TEXT,
              restored_amount INTEGER NOT NULL,
              reversal_stan INTEGER NOT NULL,
              reversal_transmission_time TEXT NOT NULL,
              applied_at TEXT NOT NULL)""",
            """
            CREATE TABLE reversal_messages (
              id INTEGER PRIMARY KEY,
              transaction_id INTEGER REFERENCES transactions (id),
              terminal_id TEXT NOT NULL,
              mti TEXT NOT NULL,
              stan INTEGER NOT NULL,
              transmission_time TEXT NOT NULL,
              original_stan INTEGER NOT NULL,
              original_transmission_time TEXT NOT NULL,
              reason TEXT,
              outcome TEXT NOT NULL CHECK (outcome IN ('ACKNOWLEDGED', 'NOT_FOUND', 'DROPPED')),
              received_at TEXT NOT NULL)""",
            "CREATE INDEX reversal_messages_txn ON reversal_messages (transaction_id)",
            """
            CREATE TABLE batch_uploads (
              id INTEGER PRIMARY KEY,
              batch_id INTEGER REFERENCES settlement_batches (id),
              terminal_id TEXT NOT NULL,
              original_mti TEXT NOT NULL,
              original_stan INTEGER NOT NULL,
              original_transmission_time TEXT NOT NULL,
              amount INTEGER NOT NULL,
              rrn TEXT,
              auth_code TEXT,
              order_ref TEXT,
              transaction_id INTEGER REFERENCES transactions (id),
              received_at TEXT NOT NULL,
              UNIQUE (terminal_id, batch_id, original_stan, original_transmission_time))"""
    ), List.of(
            // version 2 (issue 7): every request's read runs the "credits now due" update, which scanned
            // every merchant credit (one per approved sale) — the simulator slowed down as its ledger grew.
            // Only PENDING credits with a due time can become due; index just those.
            "CREATE INDEX merchant_credits_pending_due ON merchant_credits (due_at) WHERE state = 'PENDING' AND due_at IS NOT NULL"
    ), List.of(
            // version 3: every sale looks for a reversal of it that came first and was answered 25 (Ledger.recordSaleIn:
            // such a sale is refused, not booked); a point lookup by the original's key, not a scan of every reversal
            """
            CREATE INDEX reversal_messages_original
              ON reversal_messages (terminal_id, original_stan, original_transmission_time)"""
    ), List.of(
            // version 4: a sale records the terminal's batch it is in (field 60; null when the sale does not say), so
            // a settlement's cut leaves out the sales of the terminal's next batch
            "ALTER TABLE transactions ADD COLUMN terminal_batch INTEGER",
            // and a batch answered 95 holds the sales cut at its first 0500 (settlement_batch_id set then, not
            // at its close), so the sales of the terminal's next batch stay out of it. A batch waiting for its upload
            // from before takes the terminal's sales in no batch that the host received before that batch was opened
            // (its first 95), the oldest such batch first; julianday, as Instant.toString varies its fraction digits
            """
            UPDATE transactions SET settlement_batch_id = (
                SELECT MIN(b.id) FROM settlement_batches b
                WHERE b.terminal_id = transactions.terminal_id AND b.status = 'UPLOAD_REQUESTED'
                  AND julianday(transactions.received_at) <= julianday(b.opened_at))
            WHERE state = 'APPROVED' AND settlement_batch_id IS NULL
              AND EXISTS (SELECT 1 FROM settlement_batches b
                          WHERE b.terminal_id = transactions.terminal_id AND b.status = 'UPLOAD_REQUESTED'
                            AND julianday(transactions.received_at) <= julianday(b.opened_at))"""
    ), List.of(
            // version 5: a reversal answered 25 refuses a later sale under its key only when it describes that sale (its
            // amount, card and order: ClaimedOriginal), as a key is unique per terminal journal only. Rows written before
            // hold NULL here and keep their old meaning: they refuse any sale under their key (the cautious choice)
            "ALTER TABLE reversal_messages ADD COLUMN claimed_amount INTEGER",
            "ALTER TABLE reversal_messages ADD COLUMN claimed_masked_pan TEXT",
            "ALTER TABLE reversal_messages ADD COLUMN claimed_order_ref TEXT"
    ));

    private LedgerSchema() {
    }

    static int latest() {
        return MIGRATIONS.size();
    }

    /**
     * Refuses another program's database (a terminal journal given as --ledger): one with tables but no
     * {@code business_day}, or whose {@code schema_version} names a version without it (migration 1 makes both in one
     * transaction). A database with no table, or only an empty {@code schema_version} (a ledger whose first migration
     * failed), is a ledger still to be made.
     */
    static void refuseForeign(Connection c) throws SQLException {
        List<String> tables = SqliteTables.of(c);
        if (tables.contains("business_day")) {
            return;
        }
        boolean versioned = tables.remove("schema_version") && hasRows(c, "schema_version");
        if (!tables.isEmpty() || versioned) {
            throw new IllegalStateException("the file is not a Tally ledger: it holds "
                    + (tables.isEmpty() ? "only another program's schema_version table" : "the tables " + tables)
                    + (tables.contains("attempts") ? " of a terminal journal" : "") + "; give --ledger a new file or a"
                    + " ledger a simulator made (nothing was changed)");
        }
    }

    private static boolean hasRows(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM " + table + " LIMIT 1")) {
            return rs.next();
        }
    }

    /** Brings the schema to the latest version; returns the version found before. */
    static int migrate(Connection c, Instant now) throws SQLException {
        refuseForeign(c); // Ledger.open asked already, read-only; asked again under the writer
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        }
        c.commit();
        int current;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            current = rs.getInt(1);
        }
        if (current > latest()) {
            throw new IllegalStateException("the ledger file has schema version " + current + " but this simulator knows only up to "
                    + latest() + ": use a newer simulator or another ledger file");
        }
        for (int v = current + 1; v <= latest(); v++) {
            try (Statement s = c.createStatement()) {
                for (String sql : MIGRATIONS.get(v - 1)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO schema_version (version, applied_at) VALUES (" + v + ", '" + now + "')");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return current;
    }
}
