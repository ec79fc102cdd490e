package dev.tally.terminal.journal;

import dev.tally.spec.jdbc.SqliteTables;
import dev.tally.spec.jdbc.StatementCache;
import dev.tally.spec.jdbc.WalCheckpointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.jpos.iso.ISOUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;

/**
 * The terminal's journal (DESIGN.md §4): one SQLite file in WAL mode with {@code synchronous=FULL}, so
 * every commit — in particular the one that marks an attempt SENT before its request leaves — is on disk
 * when the call returns. A sale creates its attempt and marks it SENT in one commit ({@link #openSent}).
 * Concurrent changes are group-committed
 * ({@link #inTransaction(SqlWork)}). Every state change is one SQL transaction that updates the attempt and appends
 * its audit event. At most one live (open or paid) attempt per order is a database constraint.
 *
 * <p>The PAN is stored only AES-GCM-encrypted (key file {@code <journal>.key}, 0600); track 2, PIN
 * blocks and session keys are never stored. Session keys are not kept at all: each process signs on.
 */
public final class Journal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    static final int SCHEMA_VERSION = 5;
    private static final DateTimeFormatter MMDD = DateTimeFormatter.ofPattern("MMdd");
    private static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HHmmss");

    private static final String[] MIGRATIONS = {
        // version 1
        """
        CREATE TABLE terminal_state (
            terminal_id  TEXT PRIMARY KEY,
            next_stan    INTEGER NOT NULL CHECK (next_stan BETWEEN 1 AND 999999),
            batch_number INTEGER NOT NULL DEFAULT 1 CHECK (batch_number BETWEEN 1 AND 999999),
            updated_at   INTEGER NOT NULL
        );
        CREATE TABLE attempts (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            terminal_id       TEXT    NOT NULL,
            merchant_id       TEXT    NOT NULL,
            order_ref         TEXT    NOT NULL,
            kind              TEXT    NOT NULL CHECK (kind IN ('SALE')),
            amount            INTEGER NOT NULL CHECK (amount > 0),
            currency          TEXT    NOT NULL,
            stan              INTEGER NOT NULL,
            transmission_time TEXT,
            local_date        TEXT    NOT NULL,
            local_time        TEXT    NOT NULL,
            state             TEXT    NOT NULL CHECK (state IN ('NEW','SENT','APPROVED','DECLINED','REVERSAL_PENDING',
                                                              'REVERSED','REVERSAL_FAILED','SETTLED')),
            response_code     TEXT,
            rrn               TEXT,
            auth_code         TEXT,
            masked_pan        TEXT    NOT NULL,
            pan_encrypted     TEXT,
            reversal_reason   TEXT,
            reversal_stan     INTEGER,
            reversal_attempts INTEGER NOT NULL DEFAULT 0,
            next_reversal_at  INTEGER,
            sent_at           INTEGER,
            created_at        INTEGER NOT NULL,
            updated_at        INTEGER NOT NULL,
            batch_number      INTEGER NOT NULL
        );
        -- never twice: an order has at most one attempt that is open (uncertain) or paid
        CREATE UNIQUE INDEX one_live_attempt_per_order ON attempts (order_ref)
            WHERE state NOT IN ('DECLINED', 'REVERSED');
        CREATE INDEX attempts_by_state ON attempts (state);
        CREATE INDEX attempts_by_stan ON attempts (terminal_id, stan);
        CREATE TABLE attempt_events (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            attempt_id INTEGER NOT NULL REFERENCES attempts (id),
            at         INTEGER NOT NULL,
            from_state TEXT,
            to_state   TEXT    NOT NULL,
            detail     TEXT    NOT NULL
        );
        CREATE INDEX events_by_attempt ON attempt_events (attempt_id, id);
        """,
        // version 2: settlement batches (issue 5; see Batches). The open batch is terminal_state.batch_number;
        // a batch gets a row when its settlement starts: SETTLING -> UPLOADING -> CLOSED.
        """
        CREATE TABLE batches (
            terminal_id     TEXT    NOT NULL,
            batch_number    INTEGER NOT NULL,
            merchant_id     TEXT    NOT NULL,
            state           TEXT    NOT NULL CHECK (state IN ('SETTLING','UPLOADING','CLOSED')),
            debit_count     INTEGER NOT NULL,
            debit_amount    INTEGER NOT NULL,
            host_totals     TEXT,
            response_code   TEXT,
            uploaded        INTEGER NOT NULL DEFAULT 0,
            started_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL,
            closed_at       INTEGER,
            PRIMARY KEY (terminal_id, batch_number, started_at)
        );
        -- one settlement at a time per terminal
        CREATE UNIQUE INDEX one_settlement_in_progress ON batches (terminal_id) WHERE state <> 'CLOSED';
        CREATE TABLE batch_uploads (
            terminal_id  TEXT    NOT NULL,
            batch_number INTEGER NOT NULL,
            attempt_id   INTEGER NOT NULL REFERENCES attempts (id),
            uploaded_at  INTEGER NOT NULL,
            PRIMARY KEY (terminal_id, batch_number, attempt_id)
        );
        """,
        // version 3 (issue 7): attempts by STAN, STAN first. Keyed (terminal_id, stan), a journal shared by
        // many terminal ids put each new attempt on another leaf page (a group commit of 64 terminals wrote
        // about one page per attempt for this index alone), and a late answer's lookup by STAN scanned every
        // attempt of its terminal. STANs of concurrent attempts are close together, so new keys land on a few
        // pages; reversal STANs get a partial index of their own, so the lookup (stan OR reversal_stan) is two
        // index searches.
        """
        DROP INDEX attempts_by_stan;
        CREATE INDEX attempts_by_stan ON attempts (stan, terminal_id);
        CREATE INDEX attempts_by_reversal_stan ON attempts (reversal_stan, terminal_id) WHERE reversal_stan IS NOT NULL;
        """,
        // version 4: the check value of the data key the journal's card numbers are written with
        // (PanVault.checkValue), so another key put in its place is told apart from it (checkDataKey)
        """
        CREATE TABLE data_key (
            id          INTEGER PRIMARY KEY CHECK (id = 1),
            check_value TEXT    NOT NULL
        );
        """,
        // version 5: the writer deletes with secure_delete (a purged card number is overwritten, not left in the
        // file's free space); a journal written before that is vacuumed once (scrubFreeSpace), then this row is set
        """
        CREATE TABLE free_space_scrubbed (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            at INTEGER NOT NULL
        );
        """
    };

    private final Path file;
    private final ProcessLock lock;
    private final Connection conn;
    /**
     * The connection the public reads use: autocommit, so each read sees the last commit, and its own lock,
     * so a read never waits behind a group commit's fsync (the writer holds the journal's monitor while it
     * syncs). Opened after the migrations.
     */
    private Connection readConn;
    /** Checkpoints the WAL in the background (null until the journal is open). */
    private WalCheckpointer checkpoints;
    private final java.util.concurrent.locks.ReentrantLock readLock = new java.util.concurrent.locks.ReentrantLock();
    private final Clock clock;
    private final PanVault vault;

    private Journal(Path file, ProcessLock lock, Connection conn, Clock clock, PanVault vault) {
        this.file = file;
        this.lock = lock;
        this.conn = new StatementCache(conn).connection(); // used under the journal's monitor only
        this.clock = clock;
        this.vault = vault;
    }

    /**
     * Opens (creating and migrating when needed) the journal at {@code file}, waiting up to
     * {@code lockWait} for another process using it to finish: recovery may only treat an attempt as
     * orphaned when no live process can still be waiting for its answer.
     */
    public static Journal open(Path file, Clock clock, java.time.Duration lockWait) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException("the journal " + abs + " is a directory: give the journal's file"
                    + " (e.g. " + abs.resolve("journal.db") + ")");
        }
        ProcessLock lock = null;
        Connection c = null;
        Journal j = null;
        Path lockFile = null;
        boolean lockExisted = false;
        Path keyFile = null;
        boolean keyExisted = true;
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            // through a symbolic link, the journal's -wal is beside the real file, where SQLite keeps it
            Path real = ProcessLock.realPathOf(abs);
            lockFile = ProcessLock.lockFileOf(real);
            lockExisted = Files.exists(lockFile);
            lock = ProcessLock.acquire(lockFile, lockWait);
            // decided under the lock (no other tally is creating the file) and before the writer touches the file:
            // a missing data key of a journal that stores card numbers is refused with nothing written; one that
            // stores none carries on with a new key
            // beside the real file too: through a link it was looked for beside the link, so the journal's key was
            // "missing" there, or a second key was made and the journal's check value replaced
            keyFile = real.resolveSibling(real.getFileName() + ".key");
            // the key, or a link to it, there before this open (a link is the operator's: never removed below)
            keyExisted = Files.exists(keyFile, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Path besideLink = abs.resolveSibling(abs.getFileName() + ".key");
            if (!Files.exists(keyFile) && Files.exists(besideLink) && !Files.isSameFile(besideLink.getParent(),
                    keyFile.getParent())) {
                // where a tally before 2026-11-24 looked for it when the journal was given through a link
                throw new JournalException("the journal " + abs + " leads to " + real + ", and its data key is kept"
                        + " beside that file, as " + keyFile + "; the key found beside the link, " + besideLink
                        + ", is where earlier versions looked: move it to " + keyFile + " (nothing was changed)");
            }
            refuseHardLinks(abs, real);
            boolean fresh = isNew(real);
            if (fresh && Files.exists(keyFile)) {
                throw lostJournal(abs, keyFile);
            }
            boolean replacingKey = !fresh && !Files.exists(keyFile);
            long pans = fresh ? 0 : inspect(abs, real, replacingKey);
            PanVault vault = PanVault.open(keyFile, pans == 0, pans);
            if (replacingKey) {
                LOG.warn("journal {}: its data key {} was missing; the journal holds no card number, so a new key"
                        + " was made (keep a backup of it)", abs, keyFile);
            }
            if (fresh) {
                ownerOnly(real); // before SQLite makes it: its -wal and -shm take its mode
            } else {
                warnIfOthersCanRead(abs, real);
            }
            SQLiteConfig cfg = new SQLiteConfig();
            cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
            cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            cfg.setBusyTimeout(10_000);
            cfg.enforceForeignKeys(true);
            cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            // inserts return their ids with RETURNING; otherwise sqlite-jdbc runs SELECT last_insert_rowid() after each
            cfg.setGetGeneratedKeys(false);
            c = cfg.createConnection("jdbc:sqlite:" + abs);
            try (Statement st = c.createStatement()) {
                // what the writer deletes is overwritten with zeros, in the page and in pages it frees: a card
                // number purged after settlement (Batches.close) is not left in the file's free space. Per
                // connection, and only the writer deletes. A sale's commits write no more for it: a row that changes
                // size has its old cell zeroed in the page being written anyway; only a freed page is an extra write
                st.execute("PRAGMA secure_delete = ON");
            }
            if (!fresh) {
                refuseReadOnly(abs, real, c);
            }
            j = new Journal(abs, lock, c, clock, vault);
            j.migrate();
            refuseUnknownStates(abs, j.conn);
            j.checkDataKey(keyFile, replacingKey);
            boolean scrubbed = j.scrubFreeSpace();
            j.openReadConnection(abs);
            j.startCheckpoints(abs);
            if (scrubbed) {
                j.truncateWal("vacuumed");
            }
            return j;
        } catch (SQLException | java.io.IOException | RuntimeException e) {
            if (!keyExisted) {
                // a key this open made for a journal it could not open would make the next open take the journal
                // for lost (lostJournal); nothing was stored under it. Removed while the lock is still held: a process
                // waiting for it could otherwise take the key up and store card numbers under it first
                try {
                    Files.deleteIfExists(keyFile);
                } catch (java.io.IOException deleting) {
                    e.addSuppressed(deleting);
                }
            }
            // nothing of a journal that failed to open stays open: its connections, checkpointer and lock
            if (j != null) {
                try {
                    j.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            } else {
                if (c != null) {
                    try {
                        c.close();
                    } catch (SQLException closing) {
                        e.addSuppressed(closing);
                    }
                }
                if (lock != null) {
                    if (!lockExisted) {
                        // refused (another program's file, a missing data key): nothing of this open stays beside it
                        try {
                            Files.deleteIfExists(lockFile);
                        } catch (java.io.IOException deleting) {
                            e.addSuppressed(deleting);
                        }
                    }
                    lock.close();
                }
            }
            JournalDamagedException damaged = JournalDamagedException.of(abs, e);
            if (damaged != null) {
                throw damaged;
            }
            if (e instanceof JournalException je) {
                throw je;
            }
            throw new JournalException("cannot open the journal " + abs + ": " + e.getMessage(), e);
        }
    }

    /**
     * A journal file with another name (a hard link: {@code ln}, {@code cp -al}) is refused: its lock file and data key
     * are found beside the name it is opened by, so two processes opening it by two names would not meet each other's
     * lock (one could reverse a sale the other still waits on), and SQLite does not support a database with hard links
     * (its write-ahead log is named after the path). Not a backup either: the other name is the same file, changing with it.
     */
    private static void refuseHardLinks(Path abs, Path real) throws java.io.IOException {
        if (!Files.exists(real)) {
            return;
        }
        int names;
        try {
            names = (Integer) Files.getAttribute(real, "unix:nlink");
        } catch (UnsupportedOperationException | IllegalArgumentException notUnix) {
            return; // a file system that does not count names
        }
        if (names > 1) {
            throw new JournalException("the journal " + abs + " has " + names + " names (hard links to one file), so"
                    + " two processes opening it by different names would not meet each other's lock, and SQLite does"
                    + " not support a hard-linked database: remove the other name(s) (find them with: find / -samefile"
                    + " " + real + " 2>/dev/null); a backup, or a copy for support, is a copy (cp), not a link. Nothing"
                    + " was changed");
        }
    }

    /**
     * A journal SQLite could open only to read (a restore owned by another user, mode 0644; an immutable file) is
     * refused at its open, before any command reads, waits or sends anything: its first write failed with a bare
     * "journal change failed and was rolled back: [SQLITE_READONLY] ..." (no file, no action), and a one-shot command
     * had signed on first. A write that changes nothing takes the write lock, which SQLite refuses on such a file
     * ({@code BEGIN IMMEDIATE} does not: SQLite starts a read transaction on a read-only file instead). A journal
     * without the attempts table yet (an empty database) is refused by its migration's first write, in the same words.
     */
    private static void refuseReadOnly(Path abs, Path real, Connection c) throws SQLException {
        if (!SqliteTables.of(c).contains("attempts")) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("DELETE FROM attempts WHERE 0");
        } catch (SQLException e) {
            if (readOnly(e)) {
                throw new JournalException(cannotWrite(abs, real, e) + ". Nothing was changed", e);
            }
            throw e;
        }
    }

    /**
     * Whether SQLite refused a write because it could open the journal (or a file beside it) only to read; not when
     * the file was moved or deleted under it (SQLITE_READONLY_DBMOVED), which no owner or mode explains.
     */
    static boolean readOnly(SQLException e) {
        // sqlite-jdbc's getErrorCode() is the primary code only (SQLITE_READONLY for every kind of it): the extended
        // code, which tells DBMOVED apart, is the SQLiteException's result code
        SQLiteErrorCode code = e instanceof org.sqlite.SQLiteException se ? se.getResultCode() : null;
        return (e.getErrorCode() & 0xff) == SQLiteErrorCode.SQLITE_READONLY.code
                && code != SQLiteErrorCode.SQLITE_READONLY_DBMOVED;
    }

    /**
     * Why the journal at {@code abs} (real path {@code real}) cannot be written, and what to look at: its owner and mode,
     * and those of the files beside it SQLite writes, against the user tally runs as. A read-only mount never gets here:
     * the lock file beside the journal cannot be made ("Read-only file system").
     */
    static String cannotWrite(Path abs, Path real, SQLException e) {
        List<String> files = new ArrayList<>(List.of(real.toString()));
        for (String suffix : new String[]{"-wal", "-shm"}) {
            Path f = real.resolveSibling(real.getFileName() + suffix);
            if (Files.exists(f)) {
                files.add(f.toString());
            }
        }
        return "the journal " + abs + " cannot be written: it is read-only to tally, which runs as user "
                + System.getProperty("user.name") + " (" + e.getMessage() + "). Check the owner and mode of "
                + (files.size() == 1 ? "the file" : "the files") + " (ls -l " + String.join(" ", files) + "; lsattr"
                + " shows an immutable flag): the user tally runs as must be able to write "
                + (files.size() == 1 ? "it" : "them") + " (after a restore made by another user: chown "
                + (files.size() == 1 ? "it" : "them") + " to " + System.getProperty("user.name") + ", chmod 600)";
    }

    /**
     * The refusal of a journal that is missing or empty (0 bytes: a copy or restore that failed) while its data key,
     * made with it, is still there. Taken as new, it would forget every sale still to reverse or settle (a reversal
     * that failed: a debit standing at the host) and reuse their STANs; nothing is created or changed.
     */
    private static JournalException lostJournal(Path abs, Path keyFile) {
        String what = Files.exists(abs) ? "the journal " + abs + " is empty (0 bytes)" : "there is no journal at " + abs;
        return new JournalException(what + " but its data key " + keyFile + " exists, so the journal was lost or"
                + " truncated (a failed copy or restore?) with the sales it still had to reverse or settle: restore it"
                + " from a backup; nothing was changed. To start a new journal there on purpose, move the key away"
                + " too");
    }

    /** The journal's modes: owner-only (0600), as its data key; docs/cashier-api.md, "Files and their modes". */
    static final Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");

    /**
     * A new journal's file is made (or, empty, set) readable and writable by its owner only (0600) before SQLite opens
     * it: it holds order ids (patients' invoice numbers), amounts, masked card numbers and the card numbers'
     * ciphertexts. SQLite gives the {@code -wal} and {@code -shm} files it makes the database file's mode, so they are
     * 0600 too (SQLite made the file 0644 under the usual umask 022).
     */
    private static void ownerOnly(Path real) throws java.io.IOException {
        if (!real.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        if (Files.exists(real)) {
            try {
                Files.setPosixFilePermissions(real, OWNER_ONLY);
            } catch (java.nio.file.FileSystemException notOwner) { // another user's empty file: theirs to set
                warnIfOthersCanRead(real, real);
            }
        } else {
            Files.createFile(real, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
    }

    /**
     * An existing journal others can read (made by an earlier tally, 0644, or restored with its mode lost) is used as
     * it is, with a warning naming the files to chmod: its mode is the operator's (a backup account given the group's
     * read, say, would silently lose it), as for the data key ({@link dev.tally.spec.crypto.SecretFile}).
     */
    private static void warnIfOthersCanRead(Path abs, Path real) throws java.io.IOException {
        Optional<String> perms = dev.tally.spec.crypto.SecretFile.readableByOthers(real);
        if (perms.isEmpty()) {
            return;
        }
        List<String> files = new ArrayList<>(List.of(real.toString()));
        for (String suffix : new String[]{"-wal", "-shm", ".lock"}) {
            Path f = real.resolveSibling(real.getFileName() + suffix);
            if (Files.exists(f)) {
                files.add(f.toString());
            }
        }
        LOG.warn("the journal {} can be read by other users ({}): it holds order ids, amounts, masked card numbers"
                + " and the card numbers' ciphertexts; chmod 600 {}", abs, perms.get(), String.join(" ", files));
    }

    /**
     * Whether the journal is being created by this open: no database file yet, or an empty one (0 bytes, and
     * no write-ahead log holding pages that were never checkpointed into it). Such a journal gets a new data
     * key; an existing one only when its key is missing and it stores no card number ({@link PanVault#open}).
     * A journal that looks new while its data key is there was lost, not new ({@link #lostJournal}).
     */
    private static boolean isNew(Path abs) throws java.io.IOException {
        if (!Files.exists(abs)) {
            return true;
        }
        Path wal = abs.resolveSibling(abs.getFileName() + "-wal");
        return Files.size(abs) == 0 && (!Files.exists(wal) || Files.size(wal) == 0);
    }

    /**
     * The journal opened to be read only, for support ({@code tally report}): no process lock (it can be read
     * while {@code tally serve} runs on it, without waiting for it to stop), no data key (it never reveals a
     * PAN: a journal copied to support without its key can be read), nothing written or migrated (a journal of
     * another schema version is refused, naming the version). Every write and {@link #revealPan} fail.
     */
    public static Journal openReadOnly(Path file, Clock clock) {
        return openReadOnly(file, clock, false);
    }

    /**
     * {@link #openReadOnly(Path, Clock)}; with {@code noShm}, as where the journal's {@code -shm} cannot be made
     * (a read-only folder or file system, a file of another user's in a folder of theirs: for tests, run as root).
     */
    static Journal openReadOnly(Path file, Clock clock, boolean noShm) {
        Path abs = file.toAbsolutePath();
        if (!Files.isRegularFile(abs)) {
            throw new JournalException("no journal at " + abs);
        }
        try {
            // read by its other name, the journal's write-ahead log (named after the name the writer uses) is not seen:
            // the report would miss the latest sales
            refuseHardLinks(abs, ProcessLock.realPathOf(abs));
        } catch (java.io.IOException e) {
            throw new JournalException("cannot read the journal " + abs + ": " + e.getMessage(), e);
        }
        Connection c = null;
        try {
            c = readOnlyConfig().createConnection("jdbc:sqlite:" + abs);
            c.setAutoCommit(true);
            int version;
            try {
                try {
                    if (noShm) {
                        throw new SQLException("(test) no -shm", "", SQLiteErrorCode.SQLITE_CANTOPEN.code);
                    }
                    version = schemaVersionOf(c);
                } catch (SQLException e) {
                    if (!cannotMakeShm(e)) {
                        throw e;
                    }
                    c.close();
                    c = null;
                    c = readWithoutShm(abs, e);
                    version = schemaVersionOf(c);
                }
            } catch (SQLException e) {
                throw unreadable(abs, e);
            }
            if (!SqliteTables.of(c).contains("attempts")) { // another program's schema_version (a simulator's ledger)
                throw new JournalException(abs + " is not a tally journal: it has no attempts table (a simulator's"
                        + " ledger?); give the till's journal");
            }
            // the attempts and their events, all a reader needs, are as they were since version 1
            if (version < 1 || version > MIGRATIONS.length) {
                throw new JournalException("the journal " + abs + " has schema version " + version
                        + (version > MIGRATIONS.length ? ", newer than this tally (" + MIGRATIONS.length
                        + "): use a newer tally" : ": it is not a tally journal"));
            }
            refuseUnknownStates(abs, c);
            Journal j = new Journal(abs, null, c, clock, null);
            j.readConn = j.conn;
            return j;
        } catch (SQLException | RuntimeException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
            }
            JournalDamagedException damaged = JournalDamagedException.of(abs, e);
            if (damaged != null) {
                throw damaged;
            }
            if (e instanceof JournalException je) {
                throw je;
            }
            throw new JournalException("cannot read the journal " + abs + ": " + e.getMessage(), e);
        }
    }

    /**
     * An attempt whose state no tally writes (SQL-wise: anything but the names of {@link AttemptState}, in the gaps
     * between them) means the journal is damaged: refused at every open, before anything reads it, so no command
     * passes over the attempt ({@code pending} saying "nothing pending" over a failed reversal, a debit standing at
     * the host) and no sale is taken on it. One search of the index on the state per gap (attempts_by_state covers
     * the query; EXPLAIN QUERY PLAN: a SEARCH per gap): a few page reads, whatever the journal's size. A state spoiled in the attempt's row but not in the
     * index is met when that attempt is read (also {@link JournalDamagedException}), and by PRAGMA integrity_check.
     */
    static void refuseUnknownStates(Path abs, Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(UNKNOWN_STATE)) {
            if (rs.next()) {
                throw new JournalDamagedException(abs, "attempt " + rs.getLong(1) + " has a state no tally writes");
            }
        }
    }

    /** {@link #refuseUnknownStates}' query: the attempt (its id) with a state outside {@link AttemptState}, if any. */
    static final String UNKNOWN_STATE;

    static {
        // one SELECT per gap, as a compound: with the gaps OR-ed in one WHERE, SQLite scans the whole index instead.
        // A number sorts before any text and a blob after it, so both are in a gap; state is NOT NULL
        List<String> names = java.util.Arrays.stream(AttemptState.values()).map(Enum::name).sorted().toList();
        List<String> gaps = new ArrayList<>();
        gaps.add("state < '" + names.getFirst() + "'");
        for (int i = 1; i < names.size(); i++) {
            gaps.add("state > '" + names.get(i - 1) + "' AND state < '" + names.get(i) + "'");
        }
        gaps.add("state > '" + names.getLast() + "'");
        UNKNOWN_STATE = gaps.stream().map(g -> "SELECT id FROM attempts WHERE " + g)
                .collect(Collectors.joining(" UNION ALL ")) + " LIMIT 1";
    }

    private static int schemaVersionOf(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /**
     * Whether {@code e} is SQLite failing to make the journal's {@code -shm}, which reading a journal in WAL mode needs
     * (SQLITE_CANTOPEN; SQLITE_READONLY_DIRECTORY and other SQLITE_READONLY: the folder is not writable).
     */
    private static boolean cannotMakeShm(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == SQLiteErrorCode.SQLITE_CANTOPEN.code || primary == SQLiteErrorCode.SQLITE_READONLY.code;
    }

    /**
     * The journal read where its {@code -shm} cannot be made (a read-only folder or mount, a 0444 journal in a 0555
     * folder). Without a write-ahead log (none, or empty: the journal was closed, or copied, whole) and without a
     * {@code -shm} file (no process has it open in WAL mode: one that had would have made it), the file holds every
     * commit and is read as it is ({@code immutable=1}: SQLite then needs no -shm). A journal with a write-ahead log
     * holds its latest sales there, which cannot be read without the -shm: refused, saying why and what to do.
     */
    private static Connection readWithoutShm(Path abs, SQLException cause) throws SQLException {
        Path wal = abs.resolveSibling(abs.getFileName() + "-wal");
        Path shm = abs.resolveSibling(abs.getFileName() + "-shm");
        boolean whole;
        try {
            whole = (!Files.exists(wal) || Files.size(wal) == 0) && !Files.isRegularFile(shm);
        } catch (java.io.IOException e) {
            whole = false;
        }
        if (!whole) {
            throw new JournalException("cannot read the journal " + abs + ": it is in WAL mode, and reading it needs "
                    + shm.getFileName() + " beside it, which cannot be made in " + abs.getParent() + " (a read-only"
                    + " folder or file system?); copy the journal, its -wal and its .key to a writable folder and read"
                    + " the copy (nothing was changed)", cause);
        }
        return readOnlyConfig().createConnection("jdbc:sqlite:" + abs.toUri() + "?immutable=1");
    }

    /** The data key's vault; a journal opened read-only has none. */
    private PanVault vault() {
        if (vault == null) {
            throw new JournalException("the journal " + file + " is open read-only, without its data key:"
                    + " it cannot store or reveal a card number");
        }
        return vault;
    }

    /**
     * Reads the existing journal at {@code abs} (its real path {@code real}, where its -wal is) before the writer
     * opens it, in one read-only connection: a database another program made (a simulator's ledger given as
     * --journal) is refused with nothing written to it; with {@code countPans}, how many attempts store a card number
     * (a journal whose data key is missing may get a new one only when none does), else 0.
     */
    private static long inspect(Path abs, Path real, boolean countPans) throws java.io.IOException {
        // under the process lock nobody writes it: without a write-ahead log the file holds everything, and is
        // read as it is (immutable), so not even a -wal or -shm file appears beside it when the open is refused
        Path wal = real.resolveSibling(real.getFileName() + "-wal");
        boolean whole = !Files.exists(wal) || Files.size(wal) == 0;
        String url = whole ? "jdbc:sqlite:" + real.toUri() + "?immutable=1" : "jdbc:sqlite:" + real;
        try (Connection c = readOnlyConfig().createConnection(url)) {
            List<String> tables = SqliteTables.of(c);
            tables.remove("schema_version");
            if (!tables.isEmpty() && !tables.contains("attempts")) {
                throw new JournalException(abs + " is not a tally journal: it holds the tables " + tables
                        + (tables.contains("business_day") ? " of a simulator's ledger" : "") + "; give --journal the"
                        + " till's journal or a new file (nothing was changed)");
            }
            return countPans ? storedPans(c) : 0;
        } catch (SQLException e) {
            throw unreadable(abs, e); // a text file given as --journal is refused as by tally report, not as a read error
        }
    }

    /**
     * The refusal of a journal that could not be read: only a file that is no SQLite database, or one without the
     * journal's tables, is "not a journal"; anything else (locked, unreadable, no access to its -shm) is a read
     * failure, said as such. One wording for the read-only open and the writer's.
     */
    private static JournalException unreadable(Path abs, SQLException e) {
        boolean notJournal = e.getErrorCode() == SQLiteErrorCode.SQLITE_NOTADB.code
                || String.valueOf(e.getMessage()).contains("no such table");
        return new JournalException(notJournal ? abs + " is not a tally journal (" + e.getMessage() + ")"
                : "cannot read the journal " + abs + ": " + e.getMessage(), e);
    }

    /**
     * The data key is the one the journal's card numbers were written with: its check value is recorded (the
     * first time), or compared. Another key is refused while any attempt stores a card number (only the recorded
     * key reads it: the right one may still be found in a backup); a journal without card numbers takes the new
     * key, and its check value is recorded.
     */
    private void checkDataKey(Path keyFile, boolean newKeyMade) {
        String kcv = vault.checkValue();
        inTransaction(c -> {
            String recorded = null;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT check_value FROM data_key WHERE id = 1")) {
                if (rs.next()) {
                    recorded = rs.getString(1);
                }
            }
            if (kcv.equals(recorded)) {
                return null;
            }
            if (recorded != null) {
                long pans = storedPans(c);
                if (pans > 0) {
                    throw new JournalException("the data key " + keyFile + " is not the key this journal's card"
                            + " numbers were written with (its check value is " + kcv + "; the journal's key has "
                            + recorded + "): put back the key whose check value is " + recorded + " — " + pans
                            + " attempt(s) hold a card number only that key can read; the journal was not used");
                }
                if (!newKeyMade) { // (a key made just now was reported as it was made)
                    LOG.warn("journal {}: data key {} (check value {}) replaces the key with check value {}; the"
                            + " journal holds no card number, so nothing is lost", file, keyFile, kcv, recorded);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO data_key (id, check_value) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET check_value = excluded.check_value")) {
                ps.setString(1, kcv);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** How many attempts store a card number (encrypted; purged after settlement). */
    private static long storedPans(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM attempts WHERE pan_encrypted IS NOT NULL")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** A connection that only reads: the journal's read connection, a read-only open, the look at stored PANs. */
    private static SQLiteConfig readOnlyConfig() {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setBusyTimeout(10_000);
        cfg.setReadOnly(true);
        return cfg;
    }

    /** {@link #open(Path, Clock, java.time.Duration)} waiting up to 30 s for another process. */
    public static Journal open(Path file, Clock clock) {
        return open(file, clock, java.time.Duration.ofSeconds(30));
    }

    public Path file() {
        return file;
    }

    Clock clock() {
        return clock;
    }

    /**
     * Writes a copy of the journal as of one commit into {@code dest}, which must not exist or be empty (SQLite's
     * {@code VACUUM INTO}: what the write-ahead log holds is in it, a checkpoint cannot tear it, and the free space, where
     * purged card numbers were, is not copied). Runs on the read connection: it works on a journal opened read-only
     * while serve writes it. {@code dest} keeps its mode; it is not synced ({@link JournalBackup} does).
     */
    void copyInto(Path dest) {
        read(c -> {
            try (PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
                ps.setString(1, dest.toAbsolutePath().toString());
                ps.execute();
            }
            return null;
        });
    }

    /** SQLite's {@code PRAGMA integrity_check}: "ok", or the problems it lists, one a line. */
    String integrityCheck() {
        return read(c -> {
            List<String> rows = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return String.join("\n", rows);
        });
    }

    /** What a journal holds, in one line of a backup's report: attempts, the latest one's time, the data key's check value. */
    record Contents(long attempts, Instant latest, String keyCheckValue) {
    }

    Contents contents() {
        return snapshot(() -> read(c -> {
            long count;
            Instant latest;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*), MAX(created_at) FROM attempts")) {
                rs.next();
                count = rs.getLong(1);
                long at = rs.getLong(2);
                latest = rs.wasNull() ? null : Instant.ofEpochMilli(at);
            }
            String kcv = null;
            if (SqliteTables.of(c).contains("data_key")) {
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT check_value FROM data_key WHERE id = 1")) {
                    kcv = rs.next() ? rs.getString(1) : null;
                }
            }
            return new Contents(count, latest, kcv);
        }));
    }

    /** The settlement batches kept in this journal (issue 5). */
    public Batches batches() {
        return new Batches(this);
    }

    private void openReadConnection(Path abs) throws SQLException {
        Connection c = readOnlyConfig().createConnection("jdbc:sqlite:" + abs);
        c.setAutoCommit(true);
        readConn = new StatementCache(c).connection();
    }

    /**
     * The WAL is checkpointed by a background thread ({@link WalCheckpointer}), not inside a group's COMMIT:
     * SQLite's automatic checkpoint ran in the commit of whichever group passed 1,000 WAL pages, and every
     * change queued behind it waited for the copy and the database file's fsync. The writer restarts the WAL
     * between two groups once the background passes have copied nearly everything, so the file stops
     * growing. Nothing committed depends on a checkpoint.
     */
    private void startCheckpoints(Path abs) throws SQLException {
        checkpoints = WalCheckpointer.start("journal " + abs.getFileName(), abs, conn, CHECKPOINT_EVERY);
    }

    /**
     * How often the background checkpointer looks at the WAL: once a second, about as often as SQLite's own
     * checkpoint (every 1,000 pages) ran for one terminal; every 250 ms (the simulator's) made a single
     * terminal's durable sales slower in alternating runs.
     */
    private static final java.time.Duration CHECKPOINT_EVERY = java.time.Duration.ofSeconds(1);

    /** WAL checkpoints the writer has finished after a background pass (for tests). */
    long walCheckpointsFinished() {
        return checkpoints == null ? 0 : checkpoints.finished();
    }

    /** Runs a read on the read connection. */
    private <T> T read(SqlWork<T> work) {
        readLock.lock();
        try {
            return work.run(readConn);
        } catch (SQLException e) {
            throw damagedOr(new JournalException("cannot read the journal: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            throw damagedOr(e);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * {@code e} as the damage it reports, named by this journal's file: a value no tally writes (a row mapper's
     * {@link JournalDamagedException}) or SQLite's SQLITE_CORRUPT anywhere in its causes; otherwise {@code e} itself.
     */
    private RuntimeException damagedOr(RuntimeException e) {
        JournalDamagedException damaged = JournalDamagedException.of(file, e);
        return damaged != null ? damaged : e;
    }

    /**
     * Runs {@code work}'s reads of this journal as of one moment: every lookup inside sees the same commit, even
     * while another process (serve) writes, so an attempt and its events read one after the other agree (a
     * report never shows an attempt REVERSAL_PENDING above the event that reversed it). One SQLite read
     * transaction on the read connection, ended when {@code work} returns; other threads' reads wait for it.
     */
    public <T> T snapshot(java.util.function.Supplier<T> work) {
        readLock.lock();
        try {
            if (!readConn.getAutoCommit()) {
                return work.get(); // already inside one
            }
            readConn.setAutoCommit(false); // BEGIN (deferred): the first read below fixes the snapshot
            try {
                return work.get();
            } finally {
                readConn.rollback(); // it wrote nothing: ends the read transaction
                readConn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw damagedOr(new JournalException("cannot read the journal: " + e.getMessage(), e));
        } catch (JournalException e) {
            throw damagedOr(e);
        } finally {
            readLock.unlock();
        }
    }

    private <T> List<T> lookup(String sql, Binder binder, RowMapper<T> mapper) {
        return read(c -> query(c, sql, binder, mapper));
    }

    private void migrate() throws SQLException {
        inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
                int current;
                try (ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
                    current = rs.next() ? rs.getInt(1) : 0;
                }
                if (current > MIGRATIONS.length) {
                    throw new JournalException("the journal " + file + " has schema version " + current
                            + ", newer than this tally (" + MIGRATIONS.length + "): use a newer tally");
                }
                for (int v = current + 1; v <= MIGRATIONS.length; v++) {
                    for (String sql : MIGRATIONS[v - 1].split(";\\s*\\n")) {
                        if (!sql.isBlank()) {
                            st.execute(sql);
                        }
                    }
                    st.execute("INSERT INTO schema_version (version) VALUES (" + v + ")");
                }
                if (current == 0) {
                    // made by this writer, with secure_delete from its first page: nothing to scrub
                    st.execute("INSERT INTO free_space_scrubbed (id, at) VALUES (1, " + clock.millis() + ")");
                }
            }
            return null;
        });
    }

    /**
     * A journal written before secure_delete (schema version 4 and older) may hold the card numbers purged by its
     * past settlements in its free space (freed pages, the gaps in a page a shorter row left): it is vacuumed once,
     * here at its first open by this version, under the process lock and before any sale (one rewrite of the file,
     * about as long as copying it). When that fails (the disk full: VACUUM needs room for a copy), the journal is
     * used as it is and the next open tries again. True when it vacuumed.
     */
    private boolean scrubFreeSpace() {
        boolean done = inTransaction(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM free_space_scrubbed")) {
                return rs.next();
            }
        });
        if (done) {
            return false;
        }
        long started = System.nanoTime();
        synchronized (this) {
            try (Statement st = conn.createStatement()) {
                st.execute("VACUUM");
            } catch (SQLException e) {
                LOG.warn("journal {}: could not clear its free space of card numbers purged before this version"
                        + " (VACUUM: {}); tried again at the next open", file, e.getMessage());
                return false;
            }
        }
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO free_space_scrubbed (id, at) VALUES (1, ?)")) {
                ps.setLong(1, clock.millis());
                ps.executeUpdate();
            }
            return null;
        });
        LOG.info("journal {}: cleared its free space of card numbers purged before this version (once, {} ms)", file,
                (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    /**
     * Cuts the WAL to nothing after card numbers were purged ({@code why}): its frames keep the pages as they were
     * written, ciphertexts included, until a checkpoint truncates the file. Without waiting for a reader in the way
     * (another process's long read): then the writer's next finishing checkpoint, or {@link #close}, truncates it.
     */
    void truncateWal(String why) {
        synchronized (this) {
            if (checkpoints == null) {
                return; // opened read-only: it deletes nothing
            }
            try {
                if (!checkpoints.truncateNow(conn)) {
                    LOG.warn("journal {}: {}, but another connection is still reading, so the card numbers' old"
                            + " copies stay in {}-wal until it is done (the WAL is emptied within a second of that)",
                            file, why, file.getFileName());
                }
            } catch (SQLException e) {
                LOG.warn("journal {}: {}, but emptying the WAL failed ({}); tried again at the next checkpoint", file,
                        why, e.getMessage());
            }
        }
    }

    /** A PRAGMA of the journal's own connection (tests check WAL and synchronous=FULL). */
    synchronized String pragma(String name) {
        if (!name.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a pragma name: " + name);
        }
        return query("PRAGMA " + name, ps -> { }, rs -> rs.getString(1)).getFirst();
    }

    /**
     * SQLite's {@code PRAGMA quick_check} of the whole file: refuses a journal whose pages are damaged (64 bytes of
     * garbage in the file) with {@link JournalDamagedException}. Called after {@link #open}, which may already have
     * written (a migration, the one-time scrub of free space, a checkpoint), but before any payment is taken or sent.
     * It reads every page: about 0.11 s for a journal of 100,000 attempts (50 MB, warm cache), growing with the file,
     * so it is for a long-lived process's start ({@code tally serve}), not for every one-shot command (those meet
     * damaged pages as SQLITE_CORRUPT when they read them, the same exception). It does not compare indexes with their
     * rows (PRAGMA integrity_check does, in about twice the time).
     */
    public synchronized void quickCheck() {
        long started = System.nanoTime();
        List<String> found;
        try {
            found = query(conn, "PRAGMA quick_check", ps -> { }, rs -> rs.getString(1));
        } catch (SQLException e) {
            throw damagedOr(new JournalException("cannot check the journal " + file + ": " + e.getMessage(), e));
        }
        if (!found.equals(List.of("ok"))) {
            // SQLite's own lines name pages and cells, not the bytes found: counted, not quoted
            throw new JournalDamagedException(file, "PRAGMA quick_check finds " + found.size() + " problem(s) in its"
                    + " pages");
        }
        LOG.info("journal {}: quick_check ok ({} ms)", file, (System.nanoTime() - started) / 1_000_000);
    }

    public synchronized int schemaVersion() {
        return query("SELECT MAX(version) FROM schema_version", ps -> { }, rs -> rs.getInt(1)).getFirst();
    }

    // ---------------------------------------------------------------- STAN

    /** The next STAN of the terminal (1..999999, then 1 again), durably consumed. */
    public synchronized int nextStan(String terminalId) {
        return inTransaction(c -> allocateStan(c, terminalId));
    }

    private int allocateStan(Connection c, String terminalId) throws SQLException {
        return allocate(c, terminalId).stan();
    }

    /** A STAN just allocated, and the terminal's open batch. */
    private record Allocated(int stan, int batch) {
    }

    /**
     * The terminal's next STAN (1 to 999999, then 1 again) and its open batch number, in one statement: the
     * terminal's row is created on first use; {@code next_stan} moves on by one.
     */
    private Allocated allocate(Connection c, String terminalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO terminal_state (terminal_id, next_stan, batch_number, updated_at) VALUES (?, 2, 1, ?)
                ON CONFLICT (terminal_id) DO UPDATE SET
                  next_stan = CASE WHEN next_stan >= 999999 THEN 1 ELSE next_stan + 1 END, updated_at = excluded.updated_at
                RETURNING next_stan, batch_number""")) {
            ps.setString(1, terminalId);
            ps.setLong(2, clock.millis());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int next = rs.getInt(1);
                return new Allocated(next == 1 ? 999_999 : next - 1, rs.getInt(2));
            }
        }
    }

    int currentBatch(Connection c, String terminalId) throws SQLException {
        try (PreparedStatement sel = c.prepareStatement("SELECT batch_number FROM terminal_state WHERE terminal_id = ?")) {
            sel.setString(1, terminalId);
            try (ResultSet rs = sel.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 1;
            }
        }
    }

    // ---------------------------------------------------------------- attempts: writes

    /**
     * Creates an attempt in state NEW with a fresh STAN. Refused with {@link OrderBusyException} when the
     * order already has a live (open or paid) attempt; the check and the insert are one transaction.
     */
    public Attempt openAttempt(NewAttempt n) {
        String panEncrypted = vault().encrypt(n.pan());
        return inTransaction(c -> insertAttempt(c, n, panEncrypted, null));
    }

    /** An attempt opened and marked SENT in one commit, with the request built for its STAN. */
    public record Opened<R>(Attempt attempt, R request) {
    }

    /**
     * {@link #openAttempt} and {@link #markSent} in one commit (one fsync instead of two): the attempt is
     * written SENT with {@code transmissionTime} and audited as created (NEW) and sent, and {@code build}
     * makes the request from it (its STAN, local date and time) in the same transaction. When {@code build}
     * throws, nothing is written at all. When this returns the attempt is durably SENT, and the caller sends
     * the request.
     */
    public <R> Opened<R> openSent(NewAttempt n, String transmissionTime, java.util.function.Function<Attempt, R> build) {
        // encrypted by the caller's thread, not inside the group commit every terminal waits for
        String panEncrypted = vault().encrypt(n.pan());
        return inTransaction(c -> {
            Attempt sent = insertAttempt(c, n, panEncrypted, transmissionTime);
            return new Opened<>(sent, build.apply(sent));
        });
    }

    /**
     * Writes a new attempt with a fresh STAN: NEW when {@code transmissionTime} is null, otherwise SENT with
     * it (both steps audited, in one statement). Refused with {@link OrderBusyException} when the order has
     * a live attempt: the unique index {@code one_live_attempt_per_order} refuses the row, and the rollback
     * of the caller's change (its savepoint in a group) gives the STAN back. The attempt is returned as
     * written, without reading it back.
     */
    private Attempt insertAttempt(Connection c, NewAttempt n, String panEncrypted, String transmissionTime)
            throws SQLException {
        Allocated allocated = allocate(c, n.terminalId());
        int stan = allocated.stan();
        int batch = allocated.batch();
        long now = clock.millis();
        AttemptState state = transmissionTime == null ? AttemptState.NEW : AttemptState.SENT;
        Long sentAt = transmissionTime == null ? null : now;
        String localDate = n.localDateTime().format(MMDD);
        String localTime = n.localDateTime().format(HHMMSS);
        long id;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO attempts (terminal_id, merchant_id, order_ref, kind, amount, currency, stan, local_date,
                    local_time, state, masked_pan, pan_encrypted, created_at, updated_at, batch_number,
                    transmission_time, sent_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")) {
            ps.setString(1, n.terminalId());
            ps.setString(2, n.merchantId());
            ps.setString(3, n.orderRef());
            ps.setString(4, n.kind().name());
            ps.setLong(5, n.amount());
            ps.setString(6, n.currency());
            ps.setInt(7, stan);
            ps.setString(8, localDate);
            ps.setString(9, localTime);
            ps.setString(10, state.name());
            ps.setString(11, n.maskedPan());
            ps.setString(12, panEncrypted);
            ps.setLong(13, now);
            ps.setLong(14, now);
            ps.setInt(15, batch);
            ps.setString(16, transmissionTime);
            if (sentAt == null) {
                ps.setNull(17, Types.INTEGER);
            } else {
                ps.setLong(17, sentAt);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == SQLiteErrorCode.SQLITE_CONSTRAINT.code) {
                Optional<Attempt> live = liveAttempt(c, n.orderRef());
                if (live.isPresent()) {
                    throw new OrderBusyException(live.get());
                }
            }
            throw e;
        }
        String created = "attempt created: " + n.kind() + " of " + n.amount() + " (minor units) for order "
                + n.orderRef() + ", card " + n.maskedPan() + ", STAN " + ISOUtil.zeropad(stan, 6);
        if (transmissionTime == null) {
            event(c, id, now, null, AttemptState.NEW, created);
        } else {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO attempt_events (attempt_id, at, from_state, to_state, detail)
                    VALUES (?, ?, NULL, 'NEW', ?), (?, ?, 'NEW', 'SENT', ?)""")) {
                ps.setLong(1, id);
                ps.setLong(2, now);
                ps.setString(3, created);
                ps.setLong(4, id);
                ps.setLong(5, now);
                ps.setString(6, sentDetail(transmissionTime));
                ps.executeUpdate();
            }
        }
        return new Attempt(id, n.terminalId(), n.merchantId(), n.orderRef(), n.kind(), n.amount(), n.currency(),
                stan, transmissionTime, localDate, localTime, state, null, null, null, n.maskedPan(), null, null, 0,
                null, sentAt == null ? null : Instant.ofEpochMilli(sentAt), Instant.ofEpochMilli(now),
                Instant.ofEpochMilli(now), batch);
    }

    /**
     * NEW → SENT with the transmission time (field 7) of the request. Committed with synchronous=FULL:
     * when this returns, a crash from here on is recovered as "sent, outcome unknown".
     */
    public Attempt markSent(long id, String transmissionTime) {
        return transition(id, Set.of(AttemptState.NEW), AttemptState.SENT, sentChanges(transmissionTime),
                sentDetail(transmissionTime));
    }

    private Map<String, Object> sentChanges(String transmissionTime) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("transmission_time", transmissionTime);
        set.put("sent_at", clock.millis());
        return set;
    }

    private static String sentDetail(String transmissionTime) {
        return "request sent (field 7 " + transmissionTime + ")";
    }

    /**
     * SENT → APPROVED of {@code sent}, the attempt as {@link #openSent} or {@link #markSent} returned it: the
     * answer of every approved sale, so the attempt is not read back (see {@link #answered}).
     */
    public Attempt approve(Attempt sent, String responseCode, String rrn, String authCode, String detail) {
        return answered(sent, AttemptState.APPROVED, responseCode, rrn, authCode, detail);
    }

    /** SENT → DECLINED of {@code sent}, as {@link #approve}; the auth code stays as it was (none). */
    public Attempt decline(Attempt sent, String responseCode, String rrn, String detail) {
        return answered(sent, AttemptState.DECLINED, responseCode, rrn, sent.authCode(), detail);
    }

    /**
     * The host's answer to a SENT attempt: the UPDATE guarded by state SENT, audited, and the attempt as updated
     * made from {@code sent} and the changes instead of read back ({@code RETURNING *} cost about a tenth of a
     * durable sale's work in the group commit every terminal waits on: sqlite-jdbc reads every column's name
     * per query). That is the row exactly: an attempt leaves SENT with every change made to it (only
     * {@link #transition} writes a SENT attempt's columns, and never leaves it SENT; no state leads back to
     * SENT), so an attempt still SENT is as it was when it was sent. Refused, changing nothing, when it is
     * not SENT any more (say, the terminal reversed it after a time-out).
     */
    private Attempt answered(Attempt sent, AttemptState to, String responseCode, String rrn, String authCode,
                             String detail) {
        if (sent.state() != AttemptState.SENT) {
            throw new IllegalArgumentException("attempt " + sent.id() + " is held as " + sent.state()
                    + "; only a SENT attempt can take the host's answer");
        }
        return inTransaction(c -> {
            long now = clock.millis();
            // a declined sale needs its card number for nothing more (no reversal, no upload): dropped now rather than
            // kept until the batch settles (written over, secure_delete)
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE attempts SET state = ?, updated_at = ?, response_code = ?, rrn = ?, auth_code = ?,
                      pan_encrypted = CASE WHEN ? THEN NULL ELSE pan_encrypted END
                    WHERE id = ? AND state = 'SENT'""")) {
                ps.setString(1, to.name());
                ps.setLong(2, now);
                ps.setString(3, responseCode);
                ps.setString(4, rrn);
                ps.setString(5, authCode);
                ps.setBoolean(6, to == AttemptState.DECLINED);
                ps.setLong(7, sent.id());
                if (ps.executeUpdate() != 1) {
                    throw cannotGo(find(c, sent.id()).orElseThrow(
                            () -> new JournalException("no attempt " + sent.id() + " in the journal")), to);
                }
            }
            event(c, sent.id(), now, AttemptState.SENT, to, detail);
            return new Attempt(sent.id(), sent.terminalId(), sent.merchantId(), sent.orderRef(), sent.kind(),
                    sent.amount(), sent.currency(), sent.stan(), sent.transmissionTime(), sent.localDate(),
                    sent.localTime(), to, responseCode, rrn, authCode, sent.maskedPan(), sent.reversalReason(),
                    sent.reversalStan(), sent.reversalAttempts(), sent.nextReversalAt(), sent.sentAt(),
                    sent.createdAt(), Instant.ofEpochMilli(now), sent.batchNumber());
        });
    }

    /**
     * NEW / SENT / APPROVED → REVERSAL_PENDING with the reason (field 39 of the 0400) and a reversal STAN
     * of its own, kept by every repeat; the first reversal is due at {@code due}.
     */
    public synchronized Attempt requireReversal(long id, String reasonCode, Instant due, String responseCode,
                                                String detail) {
        return requireReversal(id, Set.of(AttemptState.NEW, AttemptState.SENT, AttemptState.APPROVED), true, reasonCode,
                due, responseCode, detail).orElseThrow();
    }

    /**
     * NEW / SENT → REVERSAL_PENDING, as {@link #requireReversal}, for an attempt whose sale no longer waits for its
     * answer; empty, changing nothing, when the attempt has left NEW and SENT meanwhile (its answer was recorded).
     */
    public synchronized Optional<Attempt> reverseUnanswered(long id, String reasonCode, Instant due, String detail) {
        return requireReversal(id, Set.of(AttemptState.NEW, AttemptState.SENT), false, reasonCode, due, null, detail);
    }

    /** An attempt in none of the states {@code from}: refused ({@code refuseOthers}) or left as it is (empty). */
    private Optional<Attempt> requireReversal(long id, Set<AttemptState> from, boolean refuseOthers, String reasonCode,
                                              Instant due, String responseCode, String detail) {
        return inTransaction(c -> {
            Attempt a = find(c, id).orElseThrow(() -> new JournalException("no attempt " + id));
            if (!from.contains(a.state())) {
                if (refuseOthers) {
                    throw cannotGo(a, AttemptState.REVERSAL_PENDING);
                }
                return Optional.empty();
            }
            Map<String, Object> set = new LinkedHashMap<>();
            set.put("reversal_reason", reasonCode);
            if (a.reversalStan() == null || a.state() == AttemptState.APPROVED) {
                // a cancel of an approved sale is a reversal of its own: a new STAN, a 0400 first, its own tries (one
                // the operator closed as charged after a failed reversal has that reversal's STAN and tries)
                set.put("reversal_stan", allocateStan(c, a.terminalId()));
                if (a.reversalAttempts() > 0) {
                    set.put("reversal_attempts", 0);
                }
            }
            set.put("next_reversal_at", due.toEpochMilli());
            if (responseCode != null) {
                set.put("response_code", responseCode);
            }
            return Optional.of(transition(c, a, from, AttemptState.REVERSAL_PENDING, set, detail));
        });
    }

    /**
     * A reversal (0400 or 0401 repeat) is about to leave: the counter goes up before the send, so a crash
     * during it still counts the attempt and the next one is a repeat.
     */
    public synchronized Attempt reversalTransmitting(long id, String detail) {
        return inTransaction(c -> {
            Attempt a = find(c, id).orElseThrow(() -> new JournalException("no attempt " + id));
            Map<String, Object> set = new LinkedHashMap<>();
            set.put("reversal_attempts", a.reversalAttempts() + 1);
            return transition(c, id, Set.of(AttemptState.REVERSAL_PENDING, AttemptState.REVERSAL_FAILED), a.state(), set, detail);
        });
    }

    /**
     * The reversal counted by {@link #reversalTransmitting} could not be written (the link was already broken): the
     * host cannot have received it, so the try is given back and the next one is what this one would have been (a
     * 0400 when no reversal left yet). A REVERSAL_PENDING attempt is tried again at {@code nextAt}; a REVERSAL_FAILED
     * one keeps its slow retry, which counts from now.
     */
    public synchronized Attempt reversalNotSent(long id, Instant nextAt, String detail) {
        return inTransaction(c -> {
            Attempt a = find(c, id).orElseThrow(() -> new JournalException("no attempt " + id));
            Map<String, Object> set = new LinkedHashMap<>();
            set.put("reversal_attempts", Math.max(0, a.reversalAttempts() - 1));
            set.put("next_reversal_at", a.state() == AttemptState.REVERSAL_PENDING ? nextAt.toEpochMilli() : null);
            return transition(c, id, Set.of(AttemptState.REVERSAL_PENDING, AttemptState.REVERSAL_FAILED), a.state(), set,
                    detail);
        });
    }

    /** The reversal got no usable answer: try again at {@code nextAt}, or give up (REVERSAL_FAILED). */
    public synchronized Attempt reversalUnanswered(long id, Instant nextAt, boolean exhausted, String detail) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("next_reversal_at", exhausted || nextAt == null ? null : nextAt.toEpochMilli());
        Attempt a = require(id);
        AttemptState to = exhausted ? AttemptState.REVERSAL_FAILED : a.state();
        return transition(id, Set.of(AttemptState.REVERSAL_PENDING, AttemptState.REVERSAL_FAILED), to, set, detail);
    }

    /**
     * REVERSAL_PENDING / REVERSAL_FAILED → REVERSED (the host answered 00 or 25). Its card number is dropped now (written
     * over, secure_delete), not kept until the batch settles: nothing leaves REVERSED, and nothing it needs more (no
     * reversal, no upload) takes the card number.
     */
    public synchronized Attempt reversed(long id, String detail) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("next_reversal_at", null);
        set.put("pan_encrypted", null);
        return transition(id, Set.of(AttemptState.REVERSAL_PENDING, AttemptState.REVERSAL_FAILED), AttemptState.REVERSED,
                set, detail);
    }

    /**
     * The operator's close of a REVERSAL_FAILED attempt with what the acquirer confirmed (engine.OperatorClose): REVERSED
     * (nothing stands; its card number dropped, as an acknowledged reversal's is), APPROVED (the charge stands, settled
     * with the open batch: the card number kept for its upload) or SETTLED (the charge stands and its batch closed
     * without it: nothing more is sent, the card number dropped), with the acquirer's RRN and auth code. Only from
     * REVERSAL_FAILED; one transaction, audited.
     */
    public synchronized Attempt closedByOperator(long id, AttemptState to, String responseCode, String rrn,
                                                 String authCode, String detail) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("next_reversal_at", null);
        switch (to) {
            case REVERSED -> set.put("pan_encrypted", null);
            case APPROVED, SETTLED -> {
                set.put("response_code", responseCode);
                set.put("rrn", rrn);
                set.put("auth_code", authCode);
                if (to == AttemptState.SETTLED) {
                    set.put("pan_encrypted", null);
                }
            }
            default -> throw new IllegalArgumentException("an operator closes a failed reversal as REVERSED, APPROVED or"
                    + " SETTLED, not " + to);
        }
        return transition(id, Set.of(AttemptState.REVERSAL_FAILED), to, set, detail);
    }

    /** An event without a state change (a late or duplicate answer, a status inquiry's result). */
    public synchronized void note(long id, String detail) {
        inTransaction(c -> {
            Attempt a = find(c, id).orElseThrow(() -> new JournalException("no attempt " + id));
            event(c, id, clock.millis(), a.state(), a.state(), detail);
            return null;
        });
    }

    /**
     * A payment the order lock refused, on the audit trail of the attempt that holds the order (engine.RefusalTrail):
     * an event at {@code at} in the attempt's current state, nothing else. Not under the journal's monitor, as
     * {@link #note} is: it joins the group commit, so the attempt's own changes (its answer, its reversal) never wait
     * behind a commit of its own.
     */
    public void noteRefusal(long id, Instant at, String detail) {
        inTransaction(c -> {
            Attempt a = find(c, id).orElseThrow(() -> new JournalException("no attempt " + id));
            event(c, id, at.toEpochMilli(), a.state(), a.state(), detail);
            return null;
        });
    }

    /**
     * Recovery at start (DESIGN.md §4): an attempt found NEW or SENT belongs to a process that died
     * before it knew the outcome; it goes to REVERSAL_PENDING with {@code reasonCode}, due now.
     */
    public synchronized List<Attempt> recoverInFlight(String reasonCode, String detail) {
        List<Attempt> found = inStates(Set.of(AttemptState.NEW, AttemptState.SENT));
        List<Attempt> recovered = new ArrayList<>();
        for (Attempt a : found) {
            reverseUnanswered(a.id(), reasonCode, clock.instant(), detail + " (found " + a.state() + " at start)")
                    .ifPresent(recovered::add);
        }
        return recovered;
    }

    // ---------------------------------------------------------------- attempts: reads

    public Optional<Attempt> find(long id) {
        return read(c -> find(c, id));
    }

    private Attempt require(long id) {
        return find(id).orElseThrow(() -> new JournalException("no attempt " + id + " in the journal"));
    }

    /** The order's open or paid attempt, if any (at most one, by constraint). */
    public Optional<Attempt> liveAttempt(String orderRef) {
        return read(c -> liveAttempt(c, orderRef));
    }

    /** The order's most recent attempt, whatever its state. */
    public Optional<Attempt> lastAttempt(String orderRef) {
        List<Attempt> all = attempts(orderRef);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    /** Every attempt of the order (all when {@code orderRef} is null), oldest first. */
    public List<Attempt> attempts(String orderRef) {
        if (orderRef == null) {
            return lookup("SELECT * FROM attempts ORDER BY id", ps -> { }, Journal::attempt);
        }
        return lookup("SELECT * FROM attempts WHERE order_ref = ? ORDER BY id", ps -> ps.setString(1, orderRef),
                Journal::attempt);
    }

    public List<Attempt> inStates(Set<AttemptState> states) {
        return lookup("SELECT * FROM attempts WHERE state IN (" + inList(states) + ") ORDER BY id", ps -> { },
                Journal::attempt);
    }

    /**
     * Whether a reversal of {@code terminalId}'s is due at {@code now}: an attempt REVERSAL_PENDING with no next time
     * or one not after {@code now} (what {@code ReversalLoop.runDue} sends). Asked before every sale: one indexed
     * EXISTS, not the pending attempts read whole (that cost about a tenth of a durable sale's Java time).
     */
    public boolean reversalDue(Instant now, String terminalId) {
        return lookup("""
                SELECT EXISTS (SELECT 1 FROM attempts WHERE state = 'REVERSAL_PENDING' AND terminal_id = ?
                  AND (next_reversal_at IS NULL OR next_reversal_at <= ?))""",
                ps -> {
                    ps.setString(1, terminalId);
                    ps.setLong(2, now.toEpochMilli());
                }, rs -> rs.getInt(1) == 1).getFirst();
    }

    /** {@link #byStan}'s query: two index searches (attempts_by_stan, attempts_by_reversal_stan). */
    static final String BY_STAN =
            "SELECT * FROM attempts WHERE terminal_id = ? AND (stan = ? OR reversal_stan = ?) ORDER BY id DESC LIMIT 1";

    /** The attempt whose sale STAN or reversal STAN this is (the latest, STANs wrap). */
    public Optional<Attempt> byStan(String terminalId, int stan) {
        return lookup(BY_STAN,
                ps -> {
                    ps.setString(1, terminalId);
                    ps.setInt(2, stan);
                    ps.setInt(3, stan);
                }, Journal::attempt).stream().findFirst();
    }

    public List<AttemptEvent> events(long attemptId) {
        return lookup("SELECT * FROM attempt_events WHERE attempt_id = ? ORDER BY id", ps -> ps.setLong(1, attemptId),
                Journal::event);
    }

    /**
     * The attempt's latest event: its last try, or why it is where it is. One row, not the whole trail. A refused
     * request's event ({@link AttemptEvent#REFUSED}) is passed over: it says nothing of the attempt.
     */
    public Optional<AttemptEvent> lastEvent(long attemptId) {
        return lookup("SELECT * FROM attempt_events WHERE attempt_id = ? AND detail NOT LIKE '" + AttemptEvent.REFUSED
                        + "%' ORDER BY id DESC LIMIT 1", ps -> ps.setLong(1, attemptId), Journal::event).stream().findFirst();
    }

    /** The attempt's latest refused request ({@link #noteRefusal}), if any. */
    public Optional<AttemptEvent> lastRefusal(long attemptId) {
        return lookup("SELECT * FROM attempt_events WHERE attempt_id = ? AND detail LIKE '" + AttemptEvent.REFUSED
                        + "%' ORDER BY id DESC LIMIT 1", ps -> ps.setLong(1, attemptId), Journal::event).stream().findFirst();
    }

    private static AttemptEvent event(ResultSet rs) throws SQLException {
        long attempt = rs.getLong("attempt_id");
        String from = rs.getString("from_state");
        String of = "event " + rs.getLong("id") + " (of attempt " + attempt + ") has a state";
        return new AttemptEvent(attempt, Instant.ofEpochMilli(rs.getLong("at")),
                from == null ? null : known(AttemptState.class, from, of), known(AttemptState.class,
                rs.getString("to_state"), of), rs.getString("detail"));
    }

    /** The clear PAN of an attempt, for the reversal it needs; never print it. */
    public String revealPan(Attempt a) {
        String stored = lookup("SELECT pan_encrypted FROM attempts WHERE id = ?", ps -> ps.setLong(1, a.id()),
                rs -> java.util.Objects.toString(rs.getString(1), "")).stream().findFirst().orElse(null);
        return vault().decrypt(stored == null || stored.isEmpty() ? null : stored); // null: purged after settlement
    }

    @Override
    public synchronized void close() {
        if (checkpoints != null) {
            if (checkpoints.truncatePending()) {
                // a purge's WAL was not emptied yet (a reader was in the way); when this is the journal's last
                // connection, closing deletes the WAL anyway, but another process may have it open
                truncateWal("closing");
            }
            checkpoints.close();
        }
        readLock.lock();
        try {
            if (readConn != null && readConn != conn) {
                readConn.close();
            }
            conn.close();
        } catch (SQLException e) {
            throw new JournalException("cannot close the journal: " + e.getMessage(), e);
        } finally {
            readLock.unlock();
            if (lock != null) {
                lock.close(); // none when opened read-only
            }
        }
    }

    // ---------------------------------------------------------------- internals

    private Attempt transition(long id, Set<AttemptState> from, AttemptState to, Map<String, Object> set, String detail) {
        return inTransaction(c -> transition(c, id, from, to, set, detail));
    }

    Attempt transition(Connection c, long id, Set<AttemptState> from, AttemptState to, Map<String, Object> set,
                               String detail) throws SQLException {
        if (from.size() == 1) {
            // one state it can come from (SENT → APPROVED, the answer of every sale): the guarded UPDATE alone,
            // without reading the row first; read only to explain a refusal
            AttemptState only = from.iterator().next();
            Attempt after = update(c, id, only, to, set, detail);
            if (after != null) {
                return after;
            }
        }
        Attempt before = find(c, id).orElseThrow(() -> new JournalException("no attempt " + id + " in the journal"));
        return transition(c, before, from, to, set, detail);
    }

    /** {@code before} is the attempt as read in this same transaction. */
    private Attempt transition(Connection c, Attempt before, Set<AttemptState> from, AttemptState to,
                               Map<String, Object> set, String detail) throws SQLException {
        long id = before.id();
        if (!from.contains(before.state())) {
            throw cannotGo(before, to);
        }
        Attempt after = update(c, id, before.state(), to, set, detail);
        if (after == null) {
            throw new IllegalStateException("attempt " + id + " changed under us");
        }
        return after;
    }

    /** The refusal of a transition the attempt's state does not allow. */
    private static IllegalStateException cannotGo(Attempt a, AttemptState to) {
        return new IllegalStateException("attempt " + a.id() + " (order " + a.orderRef() + ", STAN " + a.stanText()
                + ") is " + a.state() + "; it cannot go to " + to);
    }

    /** UPDATE of the attempt when it is in state {@code from}, audited; the row as updated, or null when it was not in it. */
    private Attempt update(Connection c, long id, AttemptState from, AttemptState to, Map<String, Object> set,
                           String detail) throws SQLException {
        long now = clock.millis();
        StringBuilder sql = new StringBuilder("UPDATE attempts SET state = ?, updated_at = ?");
        for (String col : set.keySet()) {
            sql.append(", ").append(col).append(" = ?");
        }
        sql.append(" WHERE id = ? AND state = ? RETURNING *");
        Attempt after;
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setString(i++, to.name());
            ps.setLong(i++, now);
            for (Object v : set.values()) {
                switch (v) {
                    case null -> ps.setNull(i++, Types.NULL);
                    case String str -> ps.setString(i++, str);
                    case Integer n -> ps.setInt(i++, n);
                    case Long n -> ps.setLong(i++, n);
                    default -> throw new IllegalArgumentException("unsupported column value " + v.getClass());
                }
            }
            ps.setLong(i++, id);
            ps.setString(i, from.name());
            try (ResultSet rs = ps.executeQuery()) { // the row as updated: no second read
                if (!rs.next()) {
                    return null;
                }
                after = attempt(rs);
            }
        }
        event(c, id, now, from, to, detail);
        return after;
    }

    static void event(Connection c, long attemptId, long at, AttemptState from, AttemptState to, String detail)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO attempt_events (attempt_id, at, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, attemptId);
            ps.setLong(2, at);
            ps.setString(3, from == null ? null : from.name());
            ps.setString(4, to.name());
            ps.setString(5, detail);
            ps.executeUpdate();
        }
    }

    private static Optional<Attempt> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM attempts WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(attempt(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<Attempt> liveAttempt(Connection c, String orderRef) throws SQLException {
        // the id only (nearly always no row): sqlite-jdbc reads every column's name on each query
        long id;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM attempts WHERE order_ref = ? AND state NOT IN ('DECLINED', 'REVERSED')")) {
            ps.setString(1, orderRef);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                id = rs.getLong(1);
            }
        }
        return find(c, id);
    }

    static Attempt attempt(ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        return new Attempt(
                id,
                rs.getString("terminal_id"),
                rs.getString("merchant_id"),
                rs.getString("order_ref"),
                known(AttemptKind.class, rs.getString("kind"), "attempt " + id + " has a kind"),
                rs.getLong("amount"),
                rs.getString("currency"),
                rs.getInt("stan"),
                rs.getString("transmission_time"),
                rs.getString("local_date"),
                rs.getString("local_time"),
                known(AttemptState.class, rs.getString("state"), "attempt " + id + " has a state"),
                rs.getString("response_code"),
                rs.getString("rrn"),
                rs.getString("auth_code"),
                rs.getString("masked_pan"),
                rs.getString("reversal_reason"),
                (Integer) nullable(rs, "reversal_stan", rs.getInt("reversal_stan")),
                rs.getInt("reversal_attempts"),
                instant(rs, "next_reversal_at"),
                instant(rs, "sent_at"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")),
                rs.getInt("batch_number"));
    }

    private static Object nullable(ResultSet rs, String col, Object value) throws SQLException {
        rs.getObject(col);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    /**
     * The constant of {@code type} named {@code stored}; a name no tally writes (a flipped byte, a row another program
     * wrote) is the journal's damage ({@link JournalDamagedException}), described by {@code whose} ("attempt 17 has a
     * state"), never by the text read: it may be any bytes.
     */
    static <E extends Enum<E>> E known(Class<E> type, String stored, String whose) {
        if (stored != null) {
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(stored)) {
                    return e;
                }
            }
        }
        throw JournalDamagedException.unreadable(whose + (stored == null ? " that is missing" : " no tally writes"));
    }

    private static String inList(Set<AttemptState> states) {
        return states.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(","));
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /**
     * Runs {@code work} as one all-or-nothing change and returns once it is committed (synchronous=FULL).
     *
     * <p><b>Group commit</b> (DESIGN.md §7): when many threads (logical terminals) change the journal at once,
     * one of them — the thread that gets the connection — runs every change queued so far in one SQL
     * transaction, each inside its own SAVEPOINT (a change that fails is rolled back alone, exactly as if it
     * had been its own transaction), and commits them with one fsync. No caller returns before the COMMIT
     * that holds its change has returned, so "committed durably before sent" holds for each of them; if the
     * COMMIT fails, every change of the group fails and none is reported done. A caller that already holds
     * the journal's monitor runs its change on its own, as before.
     */
    <T> T inTransaction(SqlWork<T> work) {
        if (Thread.holdsLock(this)) {
            return runAlone(work);
        }
        QueuedChange<T> mine = new QueuedChange<>(work, Thread.currentThread());
        queued.add(mine);
        // One thread at a time leads a group commit. The others park on their own change — not on the
        // journal's monitor — and are unparked when it is committed, or when the leader hands the lead on
        // to the oldest change still queued (so a queued change always has a leader coming). An interrupt does not
        // end the wait: the change may already be in the group being committed, so the caller learns its outcome
        // all the same, parked (park returns at once while the flag is set: it is cleared here and set again after).
        boolean interrupted = false;
        while (!mine.done) {
            if (leading.compareAndSet(false, true)) {
                try {
                    synchronized (this) {
                        commitQueued();
                        if (checkpoints != null) {
                            checkpoints.betweenTransactions(conn);
                        }
                    }
                } finally {
                    leading.set(false);
                    QueuedChange<?> next = queued.peek();
                    if (next != null) {
                        LockSupport.unpark(next.thread);
                    }
                }
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            return mine.outcome();
        } catch (RuntimeException e) {
            throw damagedOr(e);
        }
    }

    /** Whether a thread is leading a group commit now. */
    private final java.util.concurrent.atomic.AtomicBoolean leading = new java.util.concurrent.atomic.AtomicBoolean();

    /** The changes waiting for a group commit, oldest first. */
    private final java.util.concurrent.ConcurrentLinkedQueue<QueuedChange<?>> queued =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private static final class QueuedChange<T> {
        final SqlWork<T> work;
        T result;
        RuntimeException failure;
        final Thread thread;
        /** Set (after result or failure) once the group holding this change is committed or rolled back. */
        volatile boolean done;

        QueuedChange(SqlWork<T> work, Thread thread) {
            this.work = work;
            this.thread = thread;
        }

        void finish() {
            done = true;
            LockSupport.unpark(thread);
        }

        void run(Connection c) throws SQLException {
            result = work.run(c);
        }

        T outcome() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    private <T> T runAlone(SqlWork<T> work) {
        Throwable failure = null;
        try {
            conn.setAutoCommit(false);
            T result = work.run(conn);
            conn.commit();
            writeSucceeded();
            return result;
        } catch (SQLException e) {
            failure = e;
            writeFailed(e);
            rollbackKeeping(e);
            throw changeFailed(e);
        } catch (RuntimeException e) {
            failure = e;
            rollbackKeeping(e);
            throw e;
        } finally {
            autoCommitAgain(failure);
        }
    }

    /**
     * A change that failed and was rolled back, as the caller hears it; a journal SQLite can only read (made so while
     * the process runs: {@link #refuseReadOnly} refuses it at the open) is named, with what to check.
     */
    private JournalException changeFailed(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && readOnly(sql)) {
                Path real;
                try {
                    real = ProcessLock.realPathOf(file);
                } catch (java.io.IOException | RuntimeException unknown) {
                    real = file;
                }
                return new JournalException(cannotWrite(file, real, sql) + ". This change was rolled back: nothing of"
                        + " it was written", e);
            }
        }
        return new JournalException("journal change failed and was rolled back: " + e.getMessage(), e);
    }

    /**
     * Rolls back after {@code cause} without hiding it: SQLite may have ended the transaction itself (a full disk,
     * SQLITE_FULL, rolls back the whole transaction), and the rollback's own "no transaction is active" used to be
     * what the caller saw instead of the reason.
     */
    private void rollbackKeeping(Throwable cause) {
        try {
            conn.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Back to auto-commit after a transaction. After {@code cause} its failure ("cannot commit - no transaction is
     * active", when SQLite rolled back on its own) is kept beside the cause instead of replacing it; after a commit
     * it is logged, as the change stands.
     */
    private void autoCommitAgain(Throwable cause) {
        try {
            conn.setAutoCommit(true);
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            } else {
                LOG.warn("journal {}: back to auto-commit after a commit failed: {}", file, e.getMessage());
            }
        }
    }

    /** Commits every queued change in one transaction; called holding the monitor. */
    private void commitQueued() {
        List<QueuedChange<?>> group = new ArrayList<>();
        for (QueuedChange<?> q; (q = queued.poll()) != null; ) {
            group.add(q);
        }
        if (group.size() == 1) {
            QueuedChange<?> only = group.getFirst();
            try {
                runAlone(c -> {
                    only.run(c);
                    return null;
                });
            } catch (RuntimeException e) {
                only.failure = e;
            }
            only.finish();
            return;
        }
        Throwable failure = null;
        try {
            conn.setAutoCommit(false);
            try {
                for (QueuedChange<?> q : group) {
                    savepoint("SAVEPOINT queued_change");
                    try {
                        q.run(conn);
                        savepoint("RELEASE SAVEPOINT queued_change");
                    } catch (SQLException | RuntimeException e) {
                        if (e instanceof SQLException sql) {
                            writeFailed(sql);
                        }
                        q.result = null;
                        q.failure = e instanceof RuntimeException re ? re
                                : changeFailed(e);
                        try {
                            savepoint("ROLLBACK TO SAVEPOINT queued_change");
                            savepoint("RELEASE SAVEPOINT queued_change");
                        } catch (SQLException lost) {
                            // SQLite ended the whole transaction itself (a full disk): the group's other changes are
                            // gone with it, and for this change's reason, not "no such savepoint"
                            e.addSuppressed(lost);
                            throw e;
                        }
                    }
                }
                conn.commit();
                if (group.stream().anyMatch(q -> q.failure == null)) {
                    writeSucceeded();
                }
            } catch (SQLException | RuntimeException e) {
                failure = e;
                if (e instanceof SQLException sql) {
                    writeFailed(sql);
                }
                rollbackKeeping(e);
                for (QueuedChange<?> q : group) {
                    q.result = null;
                    if (q.failure == null) {
                        q.failure = changeFailed(e);
                    }
                }
            } finally {
                autoCommitAgain(failure);
            }
        } catch (SQLException e) {
            writeFailed(e);
            for (QueuedChange<?> q : group) {
                q.result = null;
                if (q.failure == null) {
                    q.failure = changeFailed(e);
                }
            }
        } finally {
            for (QueuedChange<?> q : group) {
                q.finish();
            }
        }
    }

    /**
     * Why the journal cannot write: since when its writes fail (the first failure after the last write that committed),
     * the latest failure's time, and the storage's words for it ("[SQLITE_FULL] ... (database or disk is full)").
     */
    public record WriteTrouble(Instant since, Instant last, String reason) {
    }

    /** Null while the last write committed (or none was tried); set by a write the storage refused. */
    private volatile WriteTrouble writeTrouble;

    /**
     * Whether the journal's writes fail now: a write the storage refused (a full disk, an I/O error) and none committed
     * since. Cleared by the next change that commits; for {@code GET /health}, which a monitor reads.
     */
    public Optional<WriteTrouble> writeTrouble() {
        return Optional.ofNullable(writeTrouble);
    }

    private void writeFailed(SQLException e) {
        if (refusedBySchema(e)) {
            return; // that change's fault: the journal writes as well as before
        }
        Instant now = clock.instant();
        WriteTrouble before = writeTrouble;
        writeTrouble = new WriteTrouble(before == null ? now : before.since(), now, String.valueOf(e.getMessage()));
    }

    /**
     * A change the schema itself refused (SQLite's "UNIQUE / CHECK / NOT NULL / FOREIGN KEY constraint failed"): a fault
     * of that change (a race two tills lost, a bug), not of the storage, and no sign that the journal cannot write.
     * Everything else that fails a write (full, I/O error, read-only, busy past its wait, corrupt) is.
     */
    static boolean refusedBySchema(SQLException e) {
        return e.getErrorCode() == SQLiteErrorCode.SQLITE_CONSTRAINT.code
                && String.valueOf(e.getMessage()).contains("constraint failed");
    }

    private void writeSucceeded() {
        WriteTrouble was = writeTrouble;
        if (was != null) {
            writeTrouble = null;
            LOG.info("journal {}: writes commit again (they failed from {}: {})", file, was.since(), was.reason());
        }
    }

    /** A savepoint statement of a group commit, prepared once (a plain Statement parses it every time). */
    private void savepoint(String sql) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.execute();
        }
    }

    <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        try {
            return query(conn, sql, binder, mapper);
        } catch (SQLException e) {
            throw damagedOr(new JournalException("cannot read the journal: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            throw damagedOr(e);
        }
    }

    private static <T> List<T> query(Connection c, String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
            }
            return out;
        }
    }
}
