package dev.tally.terminal.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The settlement batches of a {@link Journal} (SPEC.md §4.7, DESIGN.md §4). Each method is one journal
 * transaction: starting a settlement freezes the open batch's totals and opens the next batch in the same
 * commit; each 0330 that comes back 00 is recorded before the next upload leaves; closing the batch
 * settles its approved attempts and purges the PANs no reversal or upload can need any more.
 *
 * <p>Attempts whose reversal is pending or failed are not in the totals (the terminal never approved
 * them) and keep their encrypted PAN: their reversal still needs it.
 */
public final class Batches {

    private final Journal journal;

    Batches(Journal journal) {
        this.journal = journal;
    }

    /** The batch new sales of the terminal go into. */
    public int openBatch(String terminalId) {
        synchronized (journal) {
            return journal.query("SELECT batch_number FROM terminal_state WHERE terminal_id = ?",
                    ps -> ps.setString(1, terminalId), rs -> rs.getInt(1)).stream().findFirst().orElse(1);
        }
    }

    /** The batch whose settlement started and has not closed (at most one per terminal, by constraint). */
    public Optional<Batch> inProgress(String terminalId) {
        synchronized (journal) { // the journal's one connection is used by one thread at a time
            return journal.query("SELECT * FROM batches WHERE terminal_id = ? AND state <> 'CLOSED'",
                    ps -> ps.setString(1, terminalId), Batches::batch).stream().findFirst();
        }
    }

    /** Every batch whose settlement started, newest first. */
    public List<Batch> all(String terminalId) {
        synchronized (journal) {
            return journal.query("SELECT * FROM batches WHERE terminal_id = ? ORDER BY started_at DESC, batch_number DESC",
                    ps -> ps.setString(1, terminalId), Batches::batch);
        }
    }

    /**
     * Starts settling the open batch: its totals are the APPROVED attempts of the batch; new sales go into
     * the next batch from this commit on. Returns the batch already in progress instead, if there is one.
     */
    public Batch begin(String terminalId, String merchantId) {
        return journal.inTransaction(c -> {
            Optional<Batch> running = inProgress(c, terminalId);
            if (running.isPresent()) {
                return running.get();
            }
            long now = journal.clock().millis();
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT OR IGNORE INTO terminal_state (terminal_id, next_stan, batch_number, updated_at) VALUES (?, 1, 1, ?)")) {
                ins.setString(1, terminalId);
                ins.setLong(2, now);
                ins.executeUpdate();
            }
            int number = journal.currentBatch(c, terminalId);
            long count;
            long amount;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM attempts
                    WHERE terminal_id = ? AND batch_number = ? AND state = 'APPROVED'""")) {
                ps.setString(1, terminalId);
                ps.setInt(2, number);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    count = rs.getLong(1);
                    amount = rs.getLong(2);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO batches (terminal_id, batch_number, merchant_id, state, debit_count, debit_amount,
                        started_at, updated_at) VALUES (?, ?, ?, 'SETTLING', ?, ?, ?, ?)""")) {
                ps.setString(1, terminalId);
                ps.setInt(2, number);
                ps.setString(3, merchantId);
                ps.setLong(4, count);
                ps.setLong(5, amount);
                ps.setLong(6, now);
                ps.setLong(7, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE terminal_state SET batch_number = ?, updated_at = ? WHERE terminal_id = ?")) {
                ps.setInt(1, number >= 999_999 ? 1 : number + 1);
                ps.setLong(2, now);
                ps.setString(3, terminalId);
                ps.executeUpdate();
            }
            return inProgress(c, terminalId).orElseThrow();
        });
    }

    /** How many APPROVED sales batch {@code batchNumber} of the terminal holds (the open batch: what a settle would close). */
    public long approvedIn(String terminalId, int batchNumber) {
        return read(() -> journal.query("""
                SELECT COUNT(*) FROM attempts WHERE terminal_id = ? AND batch_number = ? AND state = 'APPROVED'""", ps -> {
            ps.setString(1, terminalId);
            ps.setInt(2, batchNumber);
        }, rs -> rs.getLong(1))).getFirst();
    }

    /** The APPROVED attempts of the batch not uploaded yet, oldest first. */
    public List<Attempt> toUpload(Batch b) {
        return read(() -> journal.query("""
                SELECT * FROM attempts a WHERE a.terminal_id = ? AND a.batch_number = ? AND a.state = 'APPROVED'
                  AND NOT EXISTS (SELECT 1 FROM batch_uploads u WHERE u.terminal_id = a.terminal_id
                                  AND u.batch_number = a.batch_number AND u.attempt_id = a.id)
                ORDER BY a.id""", ps -> {
            ps.setString(1, b.terminalId());
            ps.setInt(2, b.batchNumber());
        }, Journal::attempt));
    }

    /** The attempts of the batch whose reversal is pending or failed: outside the totals, listed for reconciliation. */
    public List<Attempt> unresolved(Batch b) {
        return read(() -> journal.query("""
                SELECT * FROM attempts WHERE terminal_id = ? AND batch_number = ?
                  AND state IN ('REVERSAL_PENDING', 'REVERSAL_FAILED') ORDER BY id""", ps -> {
            ps.setString(1, b.terminalId());
            ps.setInt(2, b.batchNumber());
        }, Journal::attempt));
    }

    /** The host answered 95 to the 0500: the batch is uploaded next (SETTLING or UPLOADING → UPLOADING). */
    public Batch uploadRequested(Batch b, String responseCode, String hostTotals) {
        return update(b, Set.of(BatchState.SETTLING, BatchState.UPLOADING), BatchState.UPLOADING, responseCode, hostTotals);
    }

    /**
     * The host refused the batch's trailer 12: it holds no upload request for the batch (its ledger was replaced or
     * reset since it answered 95). The batch goes back to SETTLING with its uploads forgotten, so the next settle sends
     * its 0500 anew and, on 95, uploads every sale again (UPLOADING → SETTLING).
     */
    public Batch settleAnew(Batch b, String responseCode) {
        return journal.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM batch_uploads WHERE terminal_id = ? AND batch_number = ?")) {
                ps.setString(1, b.terminalId());
                ps.setInt(2, b.batchNumber());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE batches SET state = 'SETTLING', uploaded = 0, response_code = ?, host_totals = NULL, updated_at = ?
                    WHERE terminal_id = ? AND batch_number = ? AND state = 'UPLOADING'""")) {
                ps.setString(1, responseCode);
                ps.setLong(2, journal.clock().millis());
                ps.setString(3, b.terminalId());
                ps.setInt(4, b.batchNumber());
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("batch " + b.batchText() + " is not being uploaded");
                }
            }
            return inProgress(c, b.terminalId()).orElseThrow();
        });
    }

    /** A 0320 of the batch was answered 00: recorded before the next one leaves. */
    public Batch uploaded(Batch b, Attempt a) {
        return journal.inTransaction(c -> {
            long now = journal.clock().millis();
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT OR IGNORE INTO batch_uploads (terminal_id, batch_number, attempt_id, uploaded_at)
                    VALUES (?, ?, ?, ?)""")) {
                ps.setString(1, b.terminalId());
                ps.setInt(2, b.batchNumber());
                ps.setLong(3, a.id());
                ps.setLong(4, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE batches SET uploaded = (SELECT COUNT(*) FROM batch_uploads u WHERE u.terminal_id = batches.terminal_id
                        AND u.batch_number = batches.batch_number), updated_at = ?
                    WHERE terminal_id = ? AND batch_number = ? AND state = 'UPLOADING'""")) {
                ps.setLong(1, now);
                ps.setString(2, b.terminalId());
                ps.setInt(3, b.batchNumber());
                ps.executeUpdate();
            }
            Journal.event(c, a.id(), now, a.state(), a.state(), "uploaded in batch " + b.batchText() + " (0320 answered 00)");
            return inProgress(c, b.terminalId()).orElseThrow();
        });
    }

    /**
     * The host answered 00 (to the 0500 or the trailer): the batch is CLOSED, its APPROVED attempts become
     * SETTLED, and the encrypted PANs of every settled, declined or reversed attempt outside the open batch
     * are purged.
     */
    public Batch close(Batch b, String responseCode, String hostTotals, String detail) {
        Batch closed = journal.inTransaction(c -> {
            long now = journal.clock().millis();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE batches SET state = 'CLOSED', response_code = COALESCE(?, response_code),
                        host_totals = COALESCE(?, host_totals), updated_at = ?, closed_at = ?
                    WHERE terminal_id = ? AND batch_number = ? AND state <> 'CLOSED'""")) {
                ps.setString(1, responseCode);
                ps.setString(2, hostTotals);
                ps.setLong(3, now);
                ps.setLong(4, now);
                ps.setString(5, b.terminalId());
                ps.setInt(6, b.batchNumber());
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("batch " + b.batchText() + " is not being settled");
                }
            }
            List<Long> approved;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM attempts WHERE terminal_id = ? AND batch_number = ? AND state = 'APPROVED' ORDER BY id")) {
                ps.setString(1, b.terminalId());
                ps.setInt(2, b.batchNumber());
                try (ResultSet rs = ps.executeQuery()) {
                    List<Long> ids = new java.util.ArrayList<>();
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                    approved = ids;
                }
            }
            for (long id : approved) {
                journal.transition(c, id, Set.of(AttemptState.APPROVED), AttemptState.SETTLED, new LinkedHashMap<>(),
                        "settled in batch " + b.batchText() + ": " + detail);
            }
            int open = journal.currentBatch(c, b.terminalId());
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE attempts SET pan_encrypted = NULL
                    WHERE terminal_id = ? AND batch_number <> ? AND state IN ('SETTLED', 'DECLINED', 'REVERSED')
                      AND pan_encrypted IS NOT NULL""")) {
                ps.setString(1, b.terminalId());
                ps.setInt(2, open);
                ps.executeUpdate();
            }
            return find(c, b).orElseThrow();
        });
        // the purge overwrote the ciphertexts in the file (secure_delete); the WAL still has them as inserted
        journal.truncateWal("card numbers of batch " + b.batchText() + " were purged");
        return closed;
    }

    private <T> T read(java.util.function.Supplier<T> query) {
        synchronized (journal) { // the journal's one connection is used by one thread at a time
            return query.get();
        }
    }

    private Batch update(Batch b, Set<BatchState> from, BatchState to, String responseCode, String hostTotals) {
        return journal.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE batches SET state = ?, response_code = ?, host_totals = ?, updated_at = ?
                    WHERE terminal_id = ? AND batch_number = ? AND state = ?""")) {
                Batch now = inProgress(c, b.terminalId()).orElseThrow(() ->
                        new IllegalStateException("batch " + b.batchText() + " is not being settled"));
                if (!from.contains(now.state())) {
                    throw new IllegalStateException("batch " + b.batchText() + " is " + now.state() + "; it cannot go to " + to);
                }
                ps.setString(1, to.name());
                ps.setString(2, responseCode);
                ps.setString(3, hostTotals);
                ps.setLong(4, journal.clock().millis());
                ps.setString(5, b.terminalId());
                ps.setInt(6, b.batchNumber());
                ps.setString(7, now.state().name());
                ps.executeUpdate();
            }
            return inProgress(c, b.terminalId()).orElseThrow();
        });
    }

    private static Optional<Batch> inProgress(Connection c, String terminalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM batches WHERE terminal_id = ? AND state <> 'CLOSED'")) {
            ps.setString(1, terminalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(batch(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<Batch> find(Connection c, Batch b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM batches WHERE terminal_id = ? AND batch_number = ? AND started_at = ?")) {
            ps.setString(1, b.terminalId());
            ps.setInt(2, b.batchNumber());
            ps.setLong(3, b.startedAt().toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(batch(rs)) : Optional.empty();
            }
        }
    }

    private static Batch batch(ResultSet rs) throws SQLException {
        long closed = rs.getLong("closed_at");
        Instant closedAt = rs.wasNull() ? null : Instant.ofEpochMilli(closed);
        return new Batch(rs.getString("terminal_id"), rs.getInt("batch_number"), rs.getString("merchant_id"),
                Journal.known(BatchState.class, rs.getString("state"), "settlement batch " + rs.getInt("batch_number")
                        + " has a state"), rs.getLong("debit_count"), rs.getLong("debit_amount"),
                rs.getString("host_totals"), rs.getString("response_code"), rs.getInt("uploaded"),
                Instant.ofEpochMilli(rs.getLong("started_at")), Instant.ofEpochMilli(rs.getLong("updated_at")), closedAt);
    }
}
