package dev.tally.simulator.ledger;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.jdbc.StatementCache;
import dev.tally.spec.message.OrderReference;
import dev.tally.spec.jdbc.WalCheckpointer;
import dev.tally.spec.message.SettlementTotals;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jpos.iso.ISOUtil;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acquirer host's books in one SQLite file (WAL, synchronous NORMAL): card balances, sales, reversals, merchant credits,
 * settlement batches, the business date and the terminals' session keys (under the TMK only).
 *
 * <p>Every change is one database transaction. Duplicate detection (UNIQUE terminal + STAN + transmission
 * time on sales) and reversal idempotency (UNIQUE original on reversals) are database constraints, so
 * they hold across restarts. The ledger never sees a full PAN: accounts are keyed by card id.
 *
 * <p>Every change goes through one connection guarded by a lock: SQLite has one writer anyway, and a
 * simulator's ledger transactions are short (one per sale, several sales per commit: see {@link #tx}). Its
 * prepared statements are kept open ({@link StatementCache}). A second connection serves the lookups a
 * request makes without changing anything (the duplicate check of a sale answered without being recorded, a
 * terminal's stored session keys); in WAL mode it reads the last commit without waiting for the writer. The
 * business date and the RRN sequence are kept in memory as well as in the file: only this process changes them
 * (one simulator process per ledger file).
 */
public final class Ledger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);

    private final StatementCache writes;
    private final WalCheckpointer checkpoints;
    private final Connection conn;
    private final StatementCache reads;
    private final ReentrantLock readLock = new ReentrantLock();
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Path file;
    private volatile LocalDate businessDate;
    private volatile List<String> cardsFileDifferences = List.of();

    /** A query filter; null fields match everything. */
    public record Filter(String terminalId, String orderRef, Integer stan, String merchantId) {
        public static Filter all() {
            return new Filter(null, null, null, null);
        }

        public Filter terminal(String t) {
            return new Filter(t, orderRef, stan, merchantId);
        }

        public Filter order(String o) {
            return new Filter(terminalId, o, stan, merchantId);
        }

        public Filter stan(Integer s) {
            return new Filter(terminalId, orderRef, s, merchantId);
        }

        public Filter merchant(String m) {
            return new Filter(terminalId, orderRef, stan, m);
        }
    }

    /** A unit of {@link #tx}: may run twice when another unit of its batch fails (see there). */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Ledger(Path file, Connection conn, Connection readConn, WalCheckpointer checkpoints, Clock clock) {
        this.file = file;
        this.checkpoints = checkpoints;
        this.writes = new StatementCache(conn);
        this.conn = writes.connection();
        this.reads = new StatementCache(readConn);
        this.clock = clock;
    }

    /**
     * Opens (creating and migrating when needed) the ledger file, and opens an account for every card of
     * the cards file that has none yet, with the card's balance. Accounts already there keep their balance.
     */
    public static Ledger open(Path file, Clock clock, List<TestCard> cards) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            if (isNew(file)) {
                boolean made = ownerOnly(file); // before SQLite makes it: its -wal and -shm take its mode
                createWithSmallPages(file);
                if (!made) {
                    ownerOnly(file); // a link to a file not there yet: SQLite made it
                }
            } else {
                inspect(file);
                dev.tally.spec.crypto.SecretFile.warnIfOthersCanRead(LOG, "the ledger", file, OTHERS_CAN_READ);
            }
            Properties p = new Properties();
            p.setProperty("journal_mode", "WAL");
            // WAL + NORMAL: a commit survives the process being killed (the lab's chaos case); only an OS crash or
            // power cut may lose the last commits, never half of one. The terminal's journal is the one that
            // needs FULL (DESIGN.md §4); the host's throughput matters for the benchmark (§7).
            p.setProperty("synchronous", "NORMAL");
            p.setProperty("foreign_keys", "true");
            p.setProperty("busy_timeout", "5000");
            p.setProperty("transaction_mode", "IMMEDIATE");
            // inserts return their ids with RETURNING; otherwise sqlite-jdbc runs SELECT last_insert_rowid() after each
            p.setProperty("jdbc.get_generated_keys", "false");
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), p);
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_size_limit = " + WAL_SIZE_LIMIT);
            }
            c.setAutoCommit(false);
            Ledger ledger;
            Connection read = null;
            try {
                read = readConnection(file);
                // no checkpoint inside every 1,000 pages' commit (a stall for every request queued behind the
                // writer): a background thread checkpoints instead
                ledger = new Ledger(file, c, read,
                        WalCheckpointer.start("ledger " + file.getFileName(), file, c, CHECKPOINT_EVERY), clock);
            } catch (SQLException e) {
                if (read != null) {
                    read.close();
                }
                c.close();
                throw e;
            }
            try {
                ledger.init(cards);
            } catch (SQLException | RuntimeException e) {
                ledger.close();
                throw e;
            }
            return ledger;
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot open the ledger " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The page size of a new ledger. Each sale writes a few rows into several B-trees (the sale, its credit, the
     * card's balance, the duplicate-check index keyed by terminal), and SQLite writes every page a commit
     * touched whole into the WAL: with SQLite's default 4 KiB pages a batch of sales wrote about 16 pages, most
     * of each page unchanged, and the WAL's traffic (written, then copied into the database file) competed
     * with the terminal's journal for the disk when both ran on one machine. With 1 KiB pages: the same pages,
     * a quarter of the bytes (durable sales of 64 terminals against it: about 4,100 → 4,400 a second). A ledger
     * made before keeps its page size.
     */
    static final int PAGE_SIZE = 1024;

    /** Creates the ledger file with {@link #PAGE_SIZE} pages, in WAL mode, empty (the page size is fixed once a page is written). */
    private static void createWithSmallPages(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement st = c.createStatement()) {
            st.execute("PRAGMA page_size = " + PAGE_SIZE);
            st.execute("PRAGMA journal_mode = WAL");
        }
    }

    /** A ledger's mode: its owner's only (0600), as the terminal's journal; docs/simulator.md §8. */
    static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");

    /** What the warning about an existing ledger others can read says is at stake. */
    private static final String OTHERS_CAN_READ = "it holds the terminals' session keys, encrypted under the TMK (the"
            + " default lab TMK is public), and masked card numbers, and SQLite makes its -wal and -shm with its mode";

    /**
     * Makes a new ledger's file readable and writable by its owner only (0600) before SQLite opens it, or sets an empty
     * one ({@code touch}) so: SQLite made it 0644 under the usual umask 022, and gives the {@code -wal} and {@code -shm}
     * it makes the database file's mode. Another user's empty file (which only they may chmod) is warned about instead.
     * Nothing on a file system without POSIX permissions. False when the file could not be made first (a link to a file
     * not there yet): called again once SQLite has made it.
     */
    private static boolean ownerOnly(Path file) throws java.io.IOException {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return true;
        }
        if (java.nio.file.Files.exists(file)) {
            try {
                java.nio.file.Files.setPosixFilePermissions(file, OWNER_ONLY);
            } catch (java.nio.file.FileSystemException notOwner) {
                dev.tally.spec.crypto.SecretFile.warnIfOthersCanRead(LOG, "the ledger", file, OTHERS_CAN_READ);
            }
            return true;
        }
        try {
            java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            return true;
        } catch (java.nio.file.FileAlreadyExistsException danglingLink) {
            return false;
        }
    }

    /**
     * Whether the ledger is made by this open: no file yet, or an empty one (0 bytes, and no write-ahead log holding
     * pages never checkpointed into it).
     */
    private static boolean isNew(Path file) throws java.io.IOException {
        if (!java.nio.file.Files.exists(file)) {
            return true;
        }
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        return java.nio.file.Files.size(file) == 0 && (!java.nio.file.Files.exists(wal) || java.nio.file.Files.size(wal) == 0);
    }

    /**
     * Reads an existing file before the writer opens it: the writer's connection switches the file to WAL (bytes 18-19
     * of its header) before the migrations could see whose it is, so a file that is no SQLite database, or another
     * program's database, is refused here, through a read-only connection, with nothing written to it. Without a
     * write-ahead log the file holds everything and is read as it is (immutable): not even a -shm file appears beside it.
     */
    private static void inspect(Path file) throws SQLException, java.io.IOException {
        Path abs = file.toAbsolutePath();
        Path wal = abs.resolveSibling(abs.getFileName() + "-wal");
        boolean whole = !java.nio.file.Files.exists(wal) || java.nio.file.Files.size(wal) == 0;
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.setBusyTimeout(5000);
        try (Connection c = cfg.createConnection(whole ? "jdbc:sqlite:" + abs.toUri() + "?immutable=1" : "jdbc:sqlite:" + abs)) {
            LedgerSchema.refuseForeign(c);
        } catch (SQLException e) {
            if (e.getErrorCode() == SQLiteErrorCode.SQLITE_NOTADB.code) {
                throw new IllegalStateException("ledger " + file + ": the file is not a SQLite database, so not a Tally"
                        + " ledger; give --ledger a new file or a ledger a simulator made (nothing was changed)", e);
            }
            throw e;
        } catch (IllegalStateException e) {
            throw new IllegalStateException("ledger " + file + ": " + e.getMessage(), e);
        }
    }

    /** How often the WAL is checkpointed into the database file (see {@link WalCheckpointer}). */
    private static final Duration CHECKPOINT_EVERY = Duration.ofMillis(250);
    /** The WAL file is cut back to this size when a checkpoint lets SQLite start it again. */
    private static final long WAL_SIZE_LIMIT = 64L * 1024 * 1024;

    /** The lookup connection: autocommit (each query reads the last commit), never writes. */
    private static Connection readConnection(Path file) throws SQLException {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "5000");
        p.setProperty("query_only", "true");
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), p);
        c.setAutoCommit(true);
        return c;
    }

    private void init(List<TestCard> cards) throws SQLException {
        lock.lock();
        try {
            int before;
            try {
                before = LedgerSchema.migrate(conn, clock.instant());
            } catch (IllegalStateException e) {
                throw new IllegalStateException("ledger " + file + ": " + e.getMessage(), e);
            }
            // from here on every transaction is an explicit BEGIN IMMEDIATE ... COMMIT of runBatch: between
            // two batches the writer holds no transaction, so a checkpoint can finish and the WAL start again
            conn.setAutoCommit(true);
            if (before < LedgerSchema.latest()) {
                LOG.info("ledger {} migrated from schema version {} to {}", file, before, LedgerSchema.latest());
            }
            tx(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT OR IGNORE INTO business_day (id, business_date) VALUES (1, ?)")) {
                    ps.setString(1, LocalDate.now(clock).toString());
                    ps.executeUpdate();
                }
                // an id the ledger has for another card (the cards file edited since): the account stays as it is (its
                // balance and history are that card's), and the start says so (a lab would otherwise see the old
                // masked PAN in /cards and the new one in /transactions without a word)
                List<String> differ = new ArrayList<>();
                try (PreparedStatement find = c.prepareStatement("SELECT masked_pan, currency FROM cards WHERE id = ?");
                     PreparedStatement open = c.prepareStatement(
                             "INSERT OR IGNORE INTO cards (id, masked_pan, currency, opening_balance, balance) VALUES (?, ?, ?, ?, ?)")) {
                    for (TestCard card : cards) {
                        find.setString(1, card.id());
                        try (ResultSet rs = find.executeQuery()) {
                            if (!rs.next()) {
                                open.setString(1, card.id());
                                open.setString(2, card.maskedPan());
                                open.setString(3, card.currency());
                                open.setLong(4, card.balance());
                                open.setLong(5, card.balance());
                                open.executeUpdate();
                            } else if (!rs.getString(1).equals(card.maskedPan()) || !rs.getString(2).equals(card.currency())) {
                                differ.add("card " + card.id() + " is " + card.maskedPan() + " (" + card.currency()
                                        + ") in the cards file, but the ledger's account " + card.id() + " is "
                                        + rs.getString(1) + " (" + rs.getString(2) + "): sales with it debit that"
                                        + " account; give the new card an id of its own, or use a new ledger");
                            }
                        }
                    }
                }
                cardsFileDifferences = List.copyOf(differ);
                return null;
            });
            businessDate = read(this::businessDate);
            rrnSequence = read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT value FROM counters WHERE name = 'rrn'");
                     ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            });
            rrnStored = rrnSequence;
        } finally {
            unlockWriter();
        }
    }

    /** What {@link #open} found the cards file to say otherwise than the ledger's accounts of the same ids. */
    public List<String> cardsFileDifferences() {
        return cardsFileDifferences;
    }

    public int schemaVersion() {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    // ---------------------------------------------------------------- business day

    public LocalDate businessDate() {
        return businessDate;
    }

    private LocalDate businessDate(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT business_date FROM business_day WHERE id = 1")) {
            rs.next();
            return LocalDate.parse(rs.getString(1));
        }
    }

    /**
     * Business-day cut-over: the business date moves one day on, and every credit pending for the
     * cut-over (or whose delay has passed) is credited on the new date. Returns the new business date.
     */
    public LocalDate cutover() {
        try {
            return tx(c -> {
                LocalDate next = cutover(c);
                // at once, inside the transaction: a sale group-committed after this unit is on the new date
                businessDate = next;
                return next;
            });
        } catch (RuntimeException e) {
            businessDate = tx(this::businessDate); // the cut-over was rolled back: the file's date stands
            throw e;
        }
    }

    private LocalDate cutover(Connection c) throws SQLException {
        // credits whose delay passed before the cut-over are credited on the day that is ending, whether or not
        // anything read the ledger meanwhile; only those held for the cut-over get the new date
        creditDue(c);
        LocalDate next = businessDate(c).plusDays(1);
        try (PreparedStatement ps = c.prepareStatement("UPDATE business_day SET business_date = ? WHERE id = 1")) {
            ps.setString(1, next.toString());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE merchant_credits SET state = 'CREDITED', credit_date = ?, due_at = NULL, due_at_cutover = 0
                WHERE state = 'PENDING' AND due_at_cutover = 1""")) {
            ps.setString(1, next.toString());
            int n = ps.executeUpdate();
            LOG.info("business-day cut-over to {}: {} pending credit(s) credited", next, n);
        }
        // a credit whose delay has not passed is expected on the new day at the earliest, not on one that has closed
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE merchant_credits SET credit_date = ? WHERE state = 'PENDING' AND due_at IS NOT NULL
                  AND credit_date < ?""")) {
            ps.setString(1, next.toString());
            ps.setString(2, next.toString());
            ps.executeUpdate();
        }
        return next;
    }

    /** Credits whose delay has passed become CREDITED today; run before every read of credit state. */
    private void creditDue(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE merchant_credits SET state = 'CREDITED', credit_date = (SELECT business_date FROM business_day WHERE id = 1),
                       due_at = NULL
                WHERE state = 'PENDING' AND due_at IS NOT NULL AND due_at <= ?""")) {
            ps.setString(1, clock.instant().toString());
            ps.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- cards

    public long balance(String cardId) {
        return read(c -> balance(c, cardId));
    }

    private static long balance(Connection c, String cardId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM cards WHERE id = ?")) {
            ps.setString(1, cardId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no card account " + cardId + " in the ledger");
                }
                return rs.getLong(1);
            }
        }
    }

    public List<CardAccount> cards() {
        return read(c -> {
            List<CardAccount> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, masked_pan, balance, currency FROM cards ORDER BY rowid")) {
                while (rs.next()) {
                    out.add(new CardAccount(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
                }
            }
            return out;
        });
    }

    // ---------------------------------------------------------------- session keys

    public void storeSessionKeys(String terminalId, String pinKeyUnderTmk, String macKeyUnderTmk, String tmkKcv) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO terminal_sessions (terminal_id, pin_key_under_tmk, mac_key_under_tmk, tmk_kcv, signed_on_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (terminal_id) DO UPDATE SET pin_key_under_tmk = excluded.pin_key_under_tmk,
                      mac_key_under_tmk = excluded.mac_key_under_tmk, tmk_kcv = excluded.tmk_kcv,
                      signed_on_at = excluded.signed_on_at""")) {
                ps.setString(1, terminalId);
                ps.setString(2, pinKeyUnderTmk);
                ps.setString(3, macKeyUnderTmk);
                ps.setString(4, tmkKcv);
                ps.setString(5, clock.instant().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<StoredSessionKeys> sessionKeys(String terminalId) {
        return lookup(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pin_key_under_tmk, mac_key_under_tmk, tmk_kcv, signed_on_at FROM terminal_sessions WHERE terminal_id = ?")) {
                ps.setString(1, terminalId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new StoredSessionKeys(terminalId, rs.getString(1), rs.getString(2), rs.getString(3),
                            Instant.parse(rs.getString(4))));
                }
            }
        });
    }

    // ---------------------------------------------------------------- sales

    /**
     * Records a sale in one transaction: a duplicate (same terminal + STAN + transmission time) changes
     * nothing; a decline is recorded as such; otherwise the card is debited when its balance covers the
     * amount (else declined 51), and the merchant credit row is written with the credit policy.
     */
    public SaleResult recordSale(SaleRequest r) {
        return write(c -> recordSaleIn(c, r));
    }

    /** {@link #recordSale}'s unit, run in a transaction of {@link #tx} (package-private for tests of batches). */
    SaleResult recordSaleIn(Connection c, SaleRequest r) throws SQLException {
        Optional<SaleKey> existing = saleKey(c, r.terminalId(), r.stan(), r.transmissionTime());
        if (existing.isPresent()) {
            return new SaleResult(true, byId(c, existing.get().id()));
        }
        LocalDate bd = businessDate;
        String code = r.declineCode();
        // Its reversal came first (answered 25, the terminal took the sale as undone): booking it now would leave a
        // debit the terminal's journal calls REVERSED (DESIGN.md §6). Refused, nothing debited, in this transaction.
        boolean afterReversal = reversedBeforeArrival(c, r);
        if (afterReversal) {
            code = REFUSED_AFTER_REVERSAL;
        }
        if (code == null) {
            // the debit, when the balance covers it: approved exactly when a row changed
            try (PreparedStatement ps = c.prepareStatement("UPDATE cards SET balance = balance - ? WHERE id = ? AND balance >= ?")) {
                ps.setLong(1, r.amount());
                ps.setString(2, r.cardId());
                ps.setLong(3, r.amount());
                code = ps.executeUpdate() == 1 ? "00" : "51";
            }
            if (code.equals("51")) {
                balance(c, r.cardId()); // no account at all is an error, not a decline
            }
        }
        boolean approved = code.equals("00");
        long seq = nextRrnSequence();
        String rrn = rrn(bd, seq);
        String auth = approved ? ISOUtil.zeropad((seq * 7919L) % 1_000_000L, 6) : null;
        Instant received = clock.instant();
        String receivedAt = received.toString();
        long id;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO transactions (terminal_id, merchant_id, stan, transmission_time, order_ref, mti, amount, currency,
                  card_id, masked_pan, response_code, state, rrn, auth_code, business_date, received_at, reversal_policy,
                  terminal_batch)
                VALUES (?, ?, ?, ?, ?, '0200', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")) {
            ps.setString(1, r.terminalId());
            ps.setString(2, r.merchantId());
            ps.setInt(3, r.stan());
            ps.setString(4, r.transmissionTime());
            ps.setString(5, r.orderRef());
            ps.setLong(6, r.amount());
            ps.setString(7, r.currency());
            ps.setString(8, r.cardId());
            ps.setString(9, r.maskedPan());
            ps.setString(10, code);
            ps.setString(11, approved ? TxnState.APPROVED.name() : TxnState.DECLINED.name());
            ps.setString(12, rrn);
            ps.setString(13, auth);
            ps.setString(14, bd.toString());
            ps.setString(15, receivedAt);
            ps.setInt(16, r.reversalPolicy().stored());
            ps.setObject(17, r.terminalBatch());
            try (ResultSet keys = ps.executeQuery()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        Credit credit = approved ? insertCredit(c, id, r, bd) : new Credit(CreditState.NONE, null);
        int reversalCount = 0;
        if (afterReversal) {
            reversalCount = linkEarlierReversals(c, id, r);
            LOG.warn("sale {} STAN {} field 7 {} arrived after its reversal ({} reversal message(s) answered 25 before it):"
                    + " refused {}, nothing debited", r.terminalId(), String.format("%06d", r.stan()), r.transmissionTime(),
                    reversalCount, REFUSED_AFTER_REVERSAL);
        }
        // what byId would read back, built from what was just written
        return new SaleResult(false, new LedgerTransaction(id, r.terminalId(), r.merchantId(), r.stan(),
                r.transmissionTime(), r.orderRef(), "0200", r.amount(), r.currency(), r.cardId(), r.maskedPan(), code,
                approved ? TxnState.APPROVED : TxnState.DECLINED, reversalCount, credit.state(), credit.date(), rrn, auth, bd,
                received, null, afterReversal));
    }

    /**
     * The answer to a sale that arrives after a reversal of it the host answered 25 (original not found): 12,
     * invalid transaction (SPEC.md §6, action DECLINE: nothing charged). The terminal sent that reversal because it
     * gave the sale up, and the 25 told it nothing of the sale stands; the sale is refused so that stays true.
     */
    static final String REFUSED_AFTER_REVERSAL = ResponseCodes.INVALID_TRANSACTION;

    /**
     * The reversal messages of a sale that were answered 25: they name its key (terminal, original STAN, original
     * field 7) and describe it as {@link ClaimedOriginal#describes} would (its amount and card, and its order when both
     * carry one). A key is unique per terminal journal only: a reversal of another journal's sale under the same key
     * is not this sale's and does not refuse it. A row written before schema version 5 holds no description and
     * matches any sale under its key (the cautious choice). Parameters: {@link #bindSale}.
     */
    private static final String ITS_REVERSALS_ANSWERED_25 = """
            terminal_id = ? AND original_stan = ? AND original_transmission_time = ? AND outcome = 'NOT_FOUND'
              AND (claimed_amount IS NULL OR (claimed_amount = ? AND claimed_masked_pan = ?
                AND (claimed_order_ref IS NULL OR ? IS NULL OR claimed_order_ref = ?)))""";

    /** Binds {@link #ITS_REVERSALS_ANSWERED_25}'s seven parameters from position {@code at}, for a sale that says this. */
    private static void bindSale(PreparedStatement ps, int at, String terminalId, int stan, String transmissionTime,
                                 long amount, String maskedPan, String orderRef) throws SQLException {
        ps.setString(at, terminalId);
        ps.setInt(at + 1, stan);
        ps.setString(at + 2, transmissionTime);
        ps.setLong(at + 3, amount);
        ps.setString(at + 4, maskedPan);
        ps.setString(at + 5, orderRef);
        ps.setString(at + 6, orderRef);
    }

    private static void bindSale(PreparedStatement ps, int at, SaleRequest r) throws SQLException {
        bindSale(ps, at, r.terminalId(), r.stan(), r.transmissionTime(), r.amount(), r.maskedPan(), r.orderRef());
    }

    /** {@link #reversedBeforeArrival}'s query (package-private: a test checks its plan uses the index). */
    static final String REVERSED_BEFORE_ARRIVAL = "SELECT 1 FROM reversal_messages WHERE " + ITS_REVERSALS_ANSWERED_25
            + " LIMIT 1";

    /**
     * Whether a reversal of this sale (same terminal, original STAN and original field 7, describing this sale) reached
     * the host before the sale and was answered 25. One indexed point lookup (schema version 3), run on every sale
     * recorded.
     */
    private static boolean reversedBeforeArrival(Connection c, SaleRequest r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(REVERSED_BEFORE_ARRIVAL)) {
            bindSale(ps, 1, r);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Links the reversal messages of the sale answered 25 before it arrived to its row; returns how many. One under its
     * key that describes another sale stays unlinked: it is not this sale's.
     */
    private static int linkEarlierReversals(Connection c, long txnId, SaleRequest r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE reversal_messages SET transaction_id = ? WHERE "
                + ITS_REVERSALS_ANSWERED_25 + " AND transaction_id IS NULL")) {
            ps.setLong(1, txnId);
            bindSale(ps, 2, r);
            return ps.executeUpdate();
        }
    }

    /** A merchant credit as written: its state and credit date (null when it will never be credited). */
    private record Credit(CreditState state, LocalDate date) {
    }

    /** Writes the merchant credit row of an approved sale. */
    private Credit insertCredit(Connection c, long txnId, SaleRequest r, LocalDate bd) throws SQLException {
        CreditPolicy p = r.creditPolicy();
        Credit credit;
        String dueAt = null;
        int atCutover = 0;
        switch (p.kind()) {
            case IMMEDIATE -> credit = new Credit(CreditState.CREDITED, bd);
            case NEVER -> credit = new Credit(CreditState.NOT_CREDITED, null);
            case NEXT_CUTOVER -> {
                credit = new Credit(CreditState.PENDING, bd.plusDays(1));
                atCutover = 1;
            }
            case AFTER_DELAY -> {
                credit = new Credit(CreditState.PENDING, bd);
                dueAt = clock.instant().plus(p.after()).toString();
            }
            default -> throw new IllegalStateException("credit policy " + p.kind());
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO merchant_credits (transaction_id, merchant_id, amount, state, credit_date, due_at, due_at_cutover)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setLong(1, txnId);
            ps.setString(2, r.merchantId());
            ps.setLong(3, r.amount());
            ps.setString(4, credit.state().name());
            ps.setString(5, credit.date() == null ? null : credit.date().toString());
            ps.setString(6, dueAt);
            ps.setInt(7, atCutover);
            ps.executeUpdate();
        }
        return credit;
    }

    /** The next retrieval reference number (for answers that record no sale, e.g. a balance inquiry). */
    public String nextRrn() {
        return tx(c -> rrn(businessDate, nextRrnSequence()));
    }

    private static String rrn(LocalDate bd, long seq) {
        // RRN an12: last digit of the year + day of the year (ydddd convention) + an 8-digit sequence
        return (bd.getYear() % 10) + ISOUtil.zeropad(bd.getDayOfYear(), 3) + ISOUtil.zeropad(seq % 100_000_000L, 8);
    }

    /**
     * The next RRN sequence number, inside a unit of {@link #tx} (under the writer's lock). Counted in memory and
     * stored once per batch, in the batch's transaction ({@link #storeRrnSequence}): a sequence number is used by
     * nothing that outlives a batch that is not committed, so a number lost with a rolled-back unit or batch is a
     * gap, never a repeat, and after a restart the count goes on from the last number committed.
     */
    private long nextRrnSequence() {
        return ++rrnSequence;
    }

    /** Under the writer's lock, inside the batch's transaction: the RRN sequence as far as this batch took it. */
    private void storeRrnSequence() throws SQLException {
        long now = rrnSequence;
        if (now == rrnStored) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement("""
                INSERT INTO counters (name, value) VALUES ('rrn', ?)
                ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)""")) {
            ps.setLong(1, now);
            ps.executeUpdate();
        }
        rrnStored = now;
    }

    /** The sale a terminal sent with this STAN and transmission time, if the host holds it. */
    public Optional<LedgerTransaction> transaction(String terminalId, int stan, String transmissionTime) {
        return read(c -> {
            creditDue(c);
            return find(c, terminalId, stan, transmissionTime);
        });
    }

    /**
     * The RRN of the sale a terminal sent with this STAN and transmission time, if the host holds it, read
     * without waiting for the writer: the duplicate check of a sale answered without being recorded (a MAC
     * failure, say). A sale that is recorded is checked inside {@link #recordSale}'s transaction.
     */
    public Optional<String> saleRrn(String terminalId, int stan, String transmissionTime) {
        return lookup(c -> saleKey(c, terminalId, stan, transmissionTime).map(SaleKey::rrn));
    }

    /**
     * What the ledger already holds of a sale about to be decided, read before the scenario is asked: its RRN when it
     * is a duplicate (null otherwise), and whether a reversal of it was answered 25 before it arrived. Either way the
     * host, not a rule, answers it (94, or 12 from {@link #recordSale}, which checks both again in its transaction).
     */
    public record Arrival(String duplicateRrn, boolean afterReversal) {
    }

    /**
     * {@link Arrival} of the sale under this key that says this of itself (field 4, the masked field 2 and field 62, or
     * null when it carries none): one statement, two indexed point lookups. A reversal answered 25 counts only when it
     * describes this sale, as in {@link #recordSale}.
     */
    public Arrival arrival(String terminalId, int stan, String transmissionTime, long amount, String maskedPan,
                           String orderRef) {
        return lookup(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT (SELECT rrn FROM transactions WHERE terminal_id = ? AND stan = ? AND transmission_time = ?),"
                            + " EXISTS (" + REVERSED_BEFORE_ARRIVAL + ")")) {
                ps.setString(1, terminalId);
                ps.setInt(2, stan);
                ps.setString(3, transmissionTime);
                bindSale(ps, 4, terminalId, stan, transmissionTime, amount, maskedPan, orderRef);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Arrival(rs.getString(1), rs.getBoolean(2));
                }
            }
        });
    }

    /** A sale's row id and RRN, by the duplicate-detection key (terminal + STAN + transmission time). */
    private record SaleKey(long id, String rrn) {
    }

    private static Optional<SaleKey> saleKey(Connection c, String terminalId, int stan, String transmissionTime)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, rrn FROM transactions WHERE terminal_id = ? AND stan = ? AND transmission_time = ?")) {
            ps.setString(1, terminalId);
            ps.setInt(2, stan);
            ps.setString(3, transmissionTime);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new SaleKey(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    public List<LedgerTransaction> transactions(Filter f) {
        return read(c -> {
            creditDue(c);
            StringBuilder sql = new StringBuilder(SELECT_TXN).append(" WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            if (f.terminalId() != null) {
                sql.append(" AND t.terminal_id = ?");
                args.add(f.terminalId());
            }
            if (f.orderRef() != null) {
                sql.append(" AND t.order_ref = ?");
                args.add(f.orderRef());
            }
            if (f.stan() != null) {
                sql.append(" AND t.stan = ?");
                args.add(f.stan());
            }
            if (f.merchantId() != null) {
                sql.append(" AND t.merchant_id = ?");
                args.add(f.merchantId());
            }
            sql.append(" ORDER BY t.id");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                List<LedgerTransaction> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(map(rs));
                    }
                }
                return out;
            }
        });
    }

    private static final String SELECT_TXN = """
            SELECT t.id, t.terminal_id, t.merchant_id, t.stan, t.transmission_time, t.order_ref, t.mti, t.amount, t.currency,
                   t.card_id, t.masked_pan, t.response_code, t.state,
                   (SELECT COUNT(*) FROM reversal_messages m WHERE m.transaction_id = t.id) AS reversal_count,
                   EXISTS (SELECT 1 FROM reversal_messages m WHERE m.transaction_id = t.id AND m.outcome = 'NOT_FOUND')
                     AS after_reversal,
                   COALESCE(mc.state, 'NONE') AS credit_state, mc.credit_date, t.rrn, t.auth_code, t.business_date,
                   t.received_at, t.settlement_batch_id
            FROM transactions t LEFT JOIN merchant_credits mc ON mc.transaction_id = t.id""";

    private static LedgerTransaction map(ResultSet rs) throws SQLException {
        TxnState state = TxnState.valueOf(rs.getString("state"));
        String creditDate = rs.getString("credit_date");
        CreditState credit = CreditState.valueOf(rs.getString("credit_state"));
        long batch = rs.getLong("settlement_batch_id");
        Long batchId = rs.wasNull() ? null : batch;
        return new LedgerTransaction(rs.getLong("id"), rs.getString("terminal_id"), rs.getString("merchant_id"),
                rs.getInt("stan"), rs.getString("transmission_time"), rs.getString("order_ref"), rs.getString("mti"),
                rs.getLong("amount"), rs.getString("currency"), rs.getString("card_id"), rs.getString("masked_pan"),
                rs.getString("response_code"), state, rs.getInt("reversal_count"), credit,
                credit == CreditState.CREDITED || credit == CreditState.PENDING
                        ? (creditDate == null ? null : LocalDate.parse(creditDate)) : null,
                rs.getString("rrn"), rs.getString("auth_code"), LocalDate.parse(rs.getString("business_date")),
                Instant.parse(rs.getString("received_at")), batchId, rs.getBoolean("after_reversal"));
    }

    private Optional<LedgerTransaction> find(Connection c, String terminalId, int stan, String transmissionTime)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_TXN
                + " WHERE t.terminal_id = ? AND t.stan = ? AND t.transmission_time = ?")) {
            ps.setString(1, terminalId);
            ps.setInt(2, stan);
            ps.setString(3, transmissionTime);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    private LedgerTransaction byId(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_TXN + " WHERE t.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return map(rs);
            }
        }
    }

    // ---------------------------------------------------------------- reversals

    /**
     * Handles one reversal message (0400 or 0401) in one transaction. The message is counted against its
     * original; the original's reversal policy may drop it; otherwise the first acknowledged reversal
     * restores a standing debit and cancels the merchant credit, and every later one changes nothing
     * (one reversal per original is a UNIQUE constraint). A reversal whose key finds a sale other than the one it
     * describes ({@code claimed}: another amount, card or order) is answered as not found and changes nothing: that
     * sale is not the reversal's to undo.
     *
     * @param override a policy from a scenario rule that matched the reversal itself, or null to use the
     *                 policy recorded with the original sale
     */
    public ReversalResult reverse(String terminalId, String mti, int stan, String transmissionTime, int originalStan,
                                  String originalTransmissionTime, String reason, ClaimedOriginal claimed,
                                  ReversalPolicy override) {
        return write(c -> {
            Optional<LedgerTransaction> found = find(c, terminalId, originalStan, originalTransmissionTime);
            if (found.isPresent() && !claimed.describes(found.get())) {
                LOG.warn("reversal {} from {} STAN {} names original STAN {} at {}, which the ledger holds for another sale"
                        + " ({}): not applied, answered as not found", mti, terminalId, String.format("%06d", stan),
                        String.format("%06d", originalStan), originalTransmissionTime, claimed.differences(found.get()));
                found = Optional.empty();
            }
            String now = clock.instant().toString();
            Long txnId = found.map(LedgerTransaction::id).orElse(null);
            ReversalResult.Outcome outcome;
            if (found.isEmpty()) {
                outcome = ReversalResult.Outcome.NOT_FOUND;
            } else {
                ReversalPolicy policy = override != null ? override : storedPolicy(c, txnId);
                int received = found.get().reversalCount() + 1;
                if (policy.neverAnswer() || received <= policy.dropFirst()) {
                    outcome = ReversalResult.Outcome.DROPPED;
                } else {
                    outcome = ReversalResult.Outcome.ACKNOWLEDGED;
                    applyReversal(c, found.get(), reason, stan, transmissionTime, now);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO reversal_messages (transaction_id, terminal_id, mti, stan, transmission_time, original_stan,
                      original_transmission_time, reason, outcome, received_at, claimed_amount, claimed_masked_pan,
                      claimed_order_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setObject(1, txnId);
                ps.setString(2, terminalId);
                ps.setString(3, mti);
                ps.setInt(4, stan);
                ps.setString(5, transmissionTime);
                ps.setInt(6, originalStan);
                ps.setString(7, originalTransmissionTime);
                ps.setString(8, reason);
                ps.setString(9, outcome.name());
                ps.setString(10, now);
                // what it says of its sale, so a sale under its key that arrives after a 25 is refused only when it is
                // that sale (ITS_REVERSALS_ANSWERED_25). An order reference that reads as a card number is not kept
                // (never in the file): null, so the reversal is matched on amount and card, as one that carries none
                ps.setLong(11, claimed.amount());
                ps.setString(12, claimed.maskedPan());
                String order = claimed.orderRef();
                ps.setString(13, order == null || OrderReference.shown(order).equals(order) ? order : null);
                ps.executeUpdate();
            }
            return new ReversalResult(outcome, txnId == null ? null : byId(c, txnId));
        });
    }

    private static ReversalPolicy storedPolicy(Connection c, long txnId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT reversal_policy FROM transactions WHERE id = ?")) {
            ps.setLong(1, txnId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return ReversalPolicy.fromStored(rs.getInt(1));
            }
        }
    }

    private static void applyReversal(Connection c, LedgerTransaction original, String reason, int stan,
                                      String transmissionTime, String now) throws SQLException {
        boolean restore = original.state() == TxnState.APPROVED;
        int inserted;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO reversals (transaction_id, reason, restored_amount, reversal_stan, reversal_transmission_time, applied_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (transaction_id) DO NOTHING""")) {
            ps.setLong(1, original.id());
            ps.setString(2, reason);
            ps.setLong(3, restore ? original.amount() : 0);
            ps.setInt(4, stan);
            ps.setString(5, transmissionTime);
            ps.setString(6, now);
            inserted = ps.executeUpdate();
        }
        if (inserted == 0 || !restore) {
            return; // already reversed, or nothing stood to restore
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT b.batch_number FROM transactions t JOIN settlement_batches b ON b.id = t.settlement_batch_id
                WHERE t.id = ? AND b.status = 'CLOSED'""")) {
            ps.setLong(1, original.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    // honoured: a terminal whose settlement left this sale out while its reversal was pending sends it
                    // after the batch closed, and the customer must not stay charged. The closed batch keeps its totals
                    LOG.warn("reversal from {} STAN {} undoes original STAN {} at {}, which is in batch {} already"
                                    + " closed: the card is refunded and the merchant credit cancelled; the batch's totals"
                                    + " stand as settled", original.terminalId(), String.format("%06d", stan),
                            String.format("%06d", original.stan()), original.transmissionTime(),
                            String.format("%06d", rs.getInt(1)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE cards SET balance = balance + ? WHERE id = ?")) {
            ps.setLong(1, original.amount());
            ps.setString(2, original.cardId());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE transactions SET state = 'REVERSED' WHERE id = ? AND state = 'APPROVED'")) {
            ps.setLong(1, original.id());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE merchant_credits SET state = 'NONE', credit_date = NULL, due_at = NULL, due_at_cutover = 0
                WHERE transaction_id = ?""")) {
            ps.setLong(1, original.id());
            ps.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- settlement

    /**
     * A settlement request (trailer = false) or trailer (true) for a terminal's batch. The host's view of the batch
     * is cut at its first settlement request: the terminal's approved, standing sales not yet in a batch then. Its
     * totals are those sales still approved and standing. A request with equal totals closes the batch (00);
     * different totals ask for an upload (95) and the batch keeps those sales while it waits, so the sales the
     * terminal makes in its next batch meanwhile stay out of it when the settlement resumes, however late. A
     * trailer closes the batch (00) and records the differences between the uploads and the host's view; a sale
     * the terminal uploads that the host approved after the cut joins the batch (the terminal's books put it
     * there). A batch already closed answers 00 to the totals it was closed with; one waiting for its upload answers
     * 95 again to the totals of its request answered 95. A trailer for a batch with no upload requested (none of its
     * settlement requests answered 95), and a request or trailer with other totals than the request answered 95, is
     * refused 12 and records nothing.
     */
    public SettlementResult settle(String terminalId, String merchantId, int batchNumber, SettlementTotals terminalTotals,
                                   boolean trailer) {
        return settle(terminalId, merchantId, batchNumber, terminalTotals, trailer, false);
    }

    /**
     * {@link #settle} where a settlement request ({@code trailer} false) is answered 95 even when the totals agree
     * ({@code forceUpload}: a scenario's "always out of balance"): the batch is recorded UPLOAD_REQUESTED with the
     * host's totals, so the uploads that follow belong to it and the trailer closes it as usual.
     */
    public SettlementResult settle(String terminalId, String merchantId, int batchNumber, SettlementTotals terminalTotals,
                                   boolean trailer, boolean forceUpload) {
        return write(c -> {
            String now = clock.instant().toString();
            Long batchId = null;
            String requestedTotals = null; // the terminal's totals in the 0500 answered 95 that asked for the upload
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, status, host_totals, terminal_totals, business_date FROM settlement_batches
                    WHERE terminal_id = ? AND batch_number = ?""")) {
                ps.setString(1, terminalId);
                ps.setInt(2, batchNumber);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (rs.getString(2).equals("CLOSED")) {
                            if (SettlementTotals.decode(rs.getString(4)).equals(terminalTotals)) {
                                // the same batch again (its answer was lost): already closed
                                return new SettlementResult("00", SettlementTotals.decode(rs.getString(3)), true);
                            }
                            // another batch under a number already closed (a new terminal journal against this
                            // ledger): a 00 would tell the terminal its sales are settled while they stay open here
                            LOG.warn("terminal {} batch {}: refused ({}), the batch number was closed on {} with the"
                                    + " terminal's totals {}; these are {}. A batch number is used once per terminal:"
                                    + " settle with the terminal that closed it, or give this lab a fresh --ledger",
                                    terminalId, String.format("%06d", batchNumber), REUSED_BATCH_NUMBER, rs.getString(5),
                                    rs.getString(4), terminalTotals.encode());
                            return new SettlementResult(REUSED_BATCH_NUMBER, hostTotals(c, terminalId, null, batchNumber),
                                    false);
                        }
                        batchId = rs.getLong(1);
                        requestedTotals = rs.getString(4);
                    }
                }
            }
            if (trailer && batchId == null) {
                // a trailer ends an upload the host asked for (a 0500 of this batch answered 95); without one it would
                // close the batch out of nothing, and the terminal's own 0500 would then be refused as a reused number
                LOG.warn("terminal {} batch {}: settlement trailer refused ({}), no upload was requested for this batch"
                        + " (no settlement request of it was answered 95); nothing recorded. Send the settlement request"
                        + " (0500, processing code 920000) first, and the trailer only after it is answered 95 and the"
                        + " batch uploaded", terminalId, String.format("%06d", batchNumber), NO_UPLOAD_REQUESTED);
                return new SettlementResult(NO_UPLOAD_REQUESTED, hostTotals(c, terminalId, null, batchNumber), false);
            }
            if (trailer && !SettlementTotals.decode(requestedTotals).equals(terminalTotals)) {
                // the trailer closes the batch its 0500 opened, with the same totals (SPEC.md §4.7): other totals are
                // not that batch's, and taking them would rewrite what the terminal declared before its upload
                LOG.warn("terminal {} batch {}: settlement trailer refused ({}), its totals {} are not those of the"
                        + " settlement request that asked for the upload ({}); nothing recorded, the batch still waits"
                        + " for its trailer. Send the trailer with the totals of the batch's 0500", terminalId,
                        String.format("%06d", batchNumber), TRAILER_TOTALS_DIFFER, terminalTotals.encode(), requestedTotals);
                return new SettlementResult(TRAILER_TOTALS_DIFFER, hostTotals(c, terminalId, batchId, batchNumber), false);
            }
            if (!trailer && batchId != null && !SettlementTotals.decode(requestedTotals).equals(terminalTotals)) {
                // the batch waits for the upload its 0500 asked for, with the totals that 0500 declared (SPEC.md §4.7);
                // the same 0500 again is 95 again, but other totals are not that batch's: taking them would rewrite them
                LOG.warn("terminal {} batch {}: settlement request refused ({}), its totals {} are not those of the"
                        + " settlement request answered 95 ({}), whose batch waits for its upload and trailer; nothing"
                        + " recorded. A batch number is used once per terminal: resend the batch's 0500 with its totals,"
                        + " settle other sales under the next number, or give this lab a fresh --ledger", terminalId,
                        String.format("%06d", batchNumber), REQUEST_TOTALS_DIFFER, terminalTotals.encode(), requestedTotals);
                return new SettlementResult(REQUEST_TOTALS_DIFFER, hostTotals(c, terminalId, batchId, batchNumber), false);
            }
            // the batch waiting for its upload holds the sales cut at its first request; a new one, those not in a batch
            boolean cut = batchId != null;
            if (cut && trailer) {
                joinUploadedSales(c, terminalId, batchId);
            }
            SettlementTotals host = hostTotals(c, terminalId, batchId, batchNumber);
            boolean equal = host.equals(terminalTotals) && !forceUpload;
            if (!trailer && !equal) {
                if (batchId == null) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            INSERT INTO settlement_batches (terminal_id, merchant_id, batch_number, status, terminal_totals, host_totals,
                              business_date, opened_at) VALUES (?, ?, ?, 'UPLOAD_REQUESTED', ?, ?, ?, ?)
                            RETURNING id""")) {
                        ps.setString(1, terminalId);
                        ps.setString(2, merchantId);
                        ps.setInt(3, batchNumber);
                        ps.setString(4, terminalTotals.encode());
                        ps.setString(5, host.encode());
                        ps.setString(6, businessDate(c).toString());
                        ps.setString(7, now);
                        try (ResultSet keys = ps.executeQuery()) {
                            keys.next();
                            cutBatch(c, terminalId, keys.getLong(1), batchNumber);
                        }
                    }
                } else {
                    // the same 0500 again (its 95 lost): the terminal's totals stand, the host's are as they are now
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE settlement_batches SET host_totals = ? WHERE id = ?")) {
                        ps.setString(1, host.encode());
                        ps.setLong(2, batchId);
                        ps.executeUpdate();
                    }
                }
                return new SettlementResult("95", host, false);
            }
            String differences = trailer ? differences(c, terminalId, batchId, batchNumber, host, terminalTotals) : null;
            if (batchId == null) {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO settlement_batches (terminal_id, merchant_id, batch_number, status, terminal_totals, host_totals,
                          differences, business_date, opened_at, closed_at) VALUES (?, ?, ?, 'CLOSED', ?, ?, ?, ?, ?, ?)
                        RETURNING id""")) {
                    ps.setString(1, terminalId);
                    ps.setString(2, merchantId);
                    ps.setInt(3, batchNumber);
                    ps.setString(4, terminalTotals.encode());
                    ps.setString(5, host.encode());
                    ps.setString(6, differences);
                    ps.setString(7, businessDate(c).toString());
                    ps.setString(8, now);
                    ps.setString(9, now);
                    try (ResultSet keys = ps.executeQuery()) {
                        keys.next();
                        batchId = keys.getLong(1);
                    }
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE settlement_batches SET status = 'CLOSED', terminal_totals = ?, host_totals = ?, differences = ?,
                          closed_at = ? WHERE id = ?""")) {
                    ps.setString(1, terminalTotals.encode());
                    ps.setString(2, host.encode());
                    ps.setString(3, differences);
                    ps.setString(4, now);
                    ps.setLong(5, batchId);
                    ps.executeUpdate();
                }
            }
            if (!cut) {
                cutBatch(c, terminalId, batchId, batchNumber);
            }
            if (differences != null && !differences.isEmpty()) {
                LOG.warn("terminal {} batch {} closed after upload with differences: {}", terminalId, batchNumber, differences);
            }
            return new SettlementResult("00", host, false);
        });
    }

    /**
     * The answer to a settlement under a batch number the host closed already with other totals: 12, invalid
     * transaction (a refusal: the terminal's batch stays open, its sales unsettled on both sides).
     */
    static final String REUSED_BATCH_NUMBER = ResponseCodes.INVALID_TRANSACTION;

    /**
     * The answer to a settlement trailer (0500, 960000) for a batch the host never asked to upload (no settlement
     * request of it answered 95): 12, invalid transaction, as the trailer has no place in that batch's settlement
     * (SPEC.md §4.7). Not 30: the message is well formed.
     */
    static final String NO_UPLOAD_REQUESTED = ResponseCodes.INVALID_TRANSACTION;

    /**
     * The answer to a settlement trailer whose totals are not those of the batch's settlement request answered 95:
     * 12, invalid transaction, as for a batch number closed with other totals; nothing is closed or recorded
     * (SPEC.md §4.7). Not 30 (the message is well formed), not 95 (that asks for another upload).
     */
    static final String TRAILER_TOTALS_DIFFER = ResponseCodes.INVALID_TRANSACTION;

    /**
     * The answer to a settlement request for a batch waiting for its upload whose totals are not those of the batch's
     * request answered 95: 12, invalid transaction, as for a batch number closed with other totals; nothing is recorded
     * and the batch keeps waiting with its declared totals (SPEC.md §4.7). Not 95: that would take the other totals.
     */
    static final String REQUEST_TOTALS_DIFFER = ResponseCodes.INVALID_TRANSACTION;

    /** The approved, standing sales of the batch, as {@link #ofBatch} says which. */
    private static SettlementTotals hostTotals(Connection c, String terminalId, Long batchId, int batchNumber)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM transactions
                WHERE terminal_id = ? AND state = 'APPROVED' AND """ + ofBatch(batchId))) {
            ps.setString(1, terminalId);
            bindBatch(ps, 2, batchId, batchNumber);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new SettlementTotals(rs.getLong(1), rs.getLong(2), 0, 0);
            }
        }
    }

    /**
     * Which sales of the terminal are the batch's, as SQL with one parameter ({@link #bindBatch}): those cut into
     * the batch {@code batchId}, or, while it has not been cut ({@code null}), those in no batch that are not the
     * terminal's next batch's. A sale carries its batch number in field 60; while batch N is being settled the
     * terminal's new sales go into N + 1 (after 999999, 1), whatever order they reach the host in. A sale without
     * field 60 (an older terminal, {@code tally load --no-journal}) is taken by the first cut after it.
     */
    private static String ofBatch(Long batchId) {
        // with a space first: a text block it is appended to ends without one
        return batchId != null ? " settlement_batch_id = ?"
                : " settlement_batch_id IS NULL AND (terminal_batch IS NULL OR terminal_batch <> ?)";
    }

    /** Sets {@link #ofBatch}'s parameter at {@code index}: the batch's id, or the terminal's next batch number. */
    private static void bindBatch(PreparedStatement ps, int index, Long batchId, int batchNumber) throws SQLException {
        if (batchId != null) {
            ps.setLong(index, batchId);
        } else {
            ps.setInt(index, batchNumber >= 999_999 ? 1 : batchNumber + 1);
        }
    }

    /** The batch's first settlement request: the terminal's approved, standing sales of the batch go into it. */
    private static void cutBatch(Connection c, String terminalId, long batchId, int batchNumber) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE transactions SET settlement_batch_id = ?
                WHERE terminal_id = ? AND state = 'APPROVED' AND """ + ofBatch(null))) {
            ps.setLong(1, batchId);
            ps.setString(2, terminalId);
            bindBatch(ps, 3, null, batchNumber);
            ps.executeUpdate();
        }
    }

    /**
     * Before a cut batch's trailer: a sale the terminal uploaded in it that the host approved after the cut (it
     * reached the host after the first 0500, or after the host cut the batch) and that is in no batch joins it.
     */
    private static void joinUploadedSales(Connection c, String terminalId, long batchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE transactions SET settlement_batch_id = ?
                WHERE terminal_id = ? AND state = 'APPROVED' AND settlement_batch_id IS NULL
                  AND EXISTS (SELECT 1 FROM batch_uploads u WHERE u.terminal_id = transactions.terminal_id AND u.batch_id = ?
                              AND u.original_stan = transactions.stan
                              AND u.original_transmission_time = transactions.transmission_time)""")) {
            ps.setLong(1, batchId);
            ps.setString(2, terminalId);
            ps.setLong(3, batchId);
            ps.executeUpdate();
        }
    }

    /** What the host found different between the terminal's upload and its own view (empty when none). */
    private static String differences(Connection c, String terminalId, Long batchId, int batchNumber,
                                      SettlementTotals host, SettlementTotals terminal) throws SQLException {
        List<String> hostOnly = new ArrayList<>();
        List<String> terminalOnly = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.stan, t.transmission_time FROM transactions t
                WHERE t.terminal_id = ? AND t.state = 'APPROVED'
                  AND NOT EXISTS (SELECT 1 FROM batch_uploads u WHERE u.terminal_id = t.terminal_id AND u.batch_id IS ?
                                  AND u.original_stan = t.stan AND u.original_transmission_time = t.transmission_time)
                  AND """ + ofBatch(batchId) + " ORDER BY t.id")) {
            ps.setString(1, terminalId);
            ps.setObject(2, batchId);
            bindBatch(ps, 3, batchId, batchNumber);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hostOnly.add(String.format("%06d@%s", rs.getInt(1), rs.getString(2)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT u.original_stan, u.original_transmission_time FROM batch_uploads u
                WHERE u.terminal_id = ? AND u.batch_id IS ?
                  AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.terminal_id = u.terminal_id AND t.state = 'APPROVED'
                                  AND t.stan = u.original_stan AND t.transmission_time = u.original_transmission_time)
                ORDER BY u.id""")) {
            ps.setString(1, terminalId);
            ps.setObject(2, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    terminalOnly.add(String.format("%06d@%s", rs.getInt(1), rs.getString(2)));
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!host.equals(terminal)) {
            sb.append("totals host=").append(host.encode()).append(" terminal=").append(terminal.encode());
        }
        if (!hostOnly.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "; ").append("approved at the host, not uploaded: ").append(String.join(",", hostOnly));
        }
        if (!terminalOnly.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "; ").append("uploaded, not approved and standing at the host: ")
                    .append(String.join(",", terminalOnly));
        }
        return sb.toString();
    }

    /**
     * Records one batch-upload (0320) line against the terminal's batch awaiting upload (the one last
     * answered 95), linked to the host's sale when it has it. A repeated upload of the same sale is ignored.
     */
    public void recordUpload(String terminalId, String originalMti, int originalStan, String originalTransmissionTime,
                             long amount, String rrn, String authCode, String orderRef) {
        write(c -> {
            Long batchId = null;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id FROM settlement_batches WHERE terminal_id = ? AND status = 'UPLOAD_REQUESTED'
                    ORDER BY id DESC LIMIT 1""")) {
                ps.setString(1, terminalId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        batchId = rs.getLong(1);
                    }
                }
            }
            Long txnId = find(c, terminalId, originalStan, originalTransmissionTime).map(LedgerTransaction::id).orElse(null);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO batch_uploads (batch_id, terminal_id, original_mti, original_stan, original_transmission_time,
                      amount, rrn, auth_code, order_ref, transaction_id, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (terminal_id, batch_id, original_stan, original_transmission_time) DO NOTHING""")) {
                ps.setObject(1, batchId);
                ps.setString(2, terminalId);
                ps.setString(3, originalMti);
                ps.setInt(4, originalStan);
                ps.setString(5, originalTransmissionTime);
                ps.setLong(6, amount);
                ps.setString(7, rrn);
                ps.setString(8, authCode);
                // an upload names an order that already exists, so its reference is not refused (an order taken before
                // the card-number rule must still settle); one that reads as a card number is not kept as it is
                ps.setString(9, OrderReference.shown(orderRef));
                ps.setObject(10, txnId);
                ps.setString(11, clock.instant().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Number of batch-upload lines the host holds for a terminal (for tests and the admin API). */
    public int uploadCount(String terminalId) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM batch_uploads WHERE terminal_id = ?")) {
                ps.setString(1, terminalId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /** The differences recorded when a batch was closed after an upload; empty when none or not closed. */
    public Optional<String> batchDifferences(String terminalId, int batchNumber) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT differences FROM settlement_batches WHERE terminal_id = ? AND batch_number = ? AND status = 'CLOSED'")) {
                ps.setString(1, terminalId);
                ps.setInt(2, batchNumber);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)).filter(s -> !s.isEmpty()) : Optional.empty();
                }
            }
        });
    }

    /** Settlement batches, newest first; of one terminal when {@code terminalId} is not null. */
    public List<SettlementBatch> batches(String terminalId) {
        return read(c -> {
            String sql = """
                    SELECT b.terminal_id, b.merchant_id, b.batch_number, b.status, b.terminal_totals, b.host_totals,
                           (SELECT COUNT(*) FROM batch_uploads u WHERE u.batch_id = b.id) AS uploads, b.differences,
                           b.business_date, b.opened_at, b.closed_at
                    FROM settlement_batches b""" + (terminalId == null ? "" : " WHERE b.terminal_id = ?") + " ORDER BY b.id DESC";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (terminalId != null) {
                    ps.setString(1, terminalId);
                }
                List<SettlementBatch> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String closed = rs.getString(11);
                        out.add(new SettlementBatch(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8) == null ? "" : rs.getString(8),
                                LocalDate.parse(rs.getString(9)), Instant.parse(rs.getString(10)),
                                closed == null ? null : Instant.parse(closed)));
                    }
                }
                return out;
            }
        });
    }

    // ---------------------------------------------------------------- statement

    /**
     * The statement of a merchant (all merchants when null) for a business date: every sale approved on
     * that date (standing or since reversed) and every sale credited on that date, in the order received.
     */
    public List<StatementLine> statement(String merchantId, LocalDate date) {
        return read(c -> {
            creditDue(c);
            String sql = SELECT_TXN + " WHERE t.state IN ('APPROVED', 'REVERSED') AND (t.business_date = ? OR mc.credit_date = ?)"
                    + (merchantId == null ? "" : " AND t.merchant_id = ?") + " ORDER BY t.id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, date.toString());
                ps.setString(2, date.toString());
                if (merchantId != null) {
                    ps.setString(3, merchantId);
                }
                List<StatementLine> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        LedgerTransaction t = map(rs);
                        out.add(new StatementLine(t.businessDate(), t.merchantId(), t.terminalId(), t.orderRef(), t.stan(),
                                t.rrn(), t.authCode(), t.amount(), t.currency(), t.maskedPan(), t.state(),
                                t.creditState(), t.creditDate()));
                    }
                }
                return out;
            }
        });
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * Runs one unit of work in a database transaction and returns once it is committed. Group commit:
     * units that arrive while another batch holds the connection queue up, and whoever takes the lock next
     * runs everything queued in one SQLite transaction, then commits once for all. A unit that fails is rolled
     * back alone and its caller gets the exception: the units run one after the other without savepoints, and
     * when one fails the whole pass is rolled back and the others run again, each in a savepoint of its own —
     * so a unit may run twice, and must keep its effects to the transaction (or to in-memory state it sets from
     * what it read there, as the cut-over's business date; an RRN taken by a pass rolled back is a gap; a log
     * line it writes shows twice). No caller returns before the commit that holds its change; a failed commit
     * fails every unit of the batch, nothing applied.
     *
     * <p>A caller whose unit another thread's batch ran is woken by that thread as soon as the batch is
     * committed; it does not queue for the lock just to learn it is done (it used to, behind the next batch).
     * Whoever releases the lock wakes the oldest unit still queued, so a batch always has a leader coming. No
     * wake-up is missed: a caller queues its unit before it tries the lock, so a lock it could not take is
     * released later and the releaser finds a unit queued (its own or an older one, whose owner leads a batch
     * that takes the units behind it in order); an unpark that comes before the park makes the park return. The
     * park has no time-out (one had cost about a tenth of the simulator's throughput in JDK 25's timer
     * bookkeeping for virtual threads).
     */
    <T> T tx(Work<T> work) {
        if (running && lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("a ledger transaction cannot start another one");
        }
        Unit<T> unit = new Unit<>(work, Thread.currentThread());
        queue.add(unit);
        while (!unit.done) {
            if (lock.tryLock()) {
                try {
                    if (!unit.done) {
                        runBatch();
                    }
                } finally {
                    unlockWriter();
                }
            } else {
                LockSupport.park(this);
            }
        }
        return unit.outcome();
    }

    /** Releases the writer's lock and wakes the owner of the oldest queued unit to lead the next batch. */
    private void unlockWriter() {
        lock.unlock();
        Unit<?> next = queue.peek();
        if (next != null) {
            LockSupport.unpark(next.owner);
        }
    }

    /** Under the lock: what is queued (up to {@link #MAX_BATCH} units), in one transaction. */
    private void runBatch() {
        List<Unit<?>> batch = new ArrayList<>();
        for (Unit<?> u; batch.size() < MAX_BATCH && (u = queue.poll()) != null; ) {
            batch.add(u);
        }
        boolean single = batch.size() == 1;
        running = true;
        boolean open = false;
        try {
            exec("BEGIN IMMEDIATE");
            open = true;
            // every unit in turn, without a savepoint each (two statements a sale saved): units nearly never fail
            Unit<?> failed = null;
            for (int i = 0; i < batch.size() && failed == null; i++) {
                if (!batch.get(i).run(conn)) {
                    failed = batch.get(i);
                }
            }
            if (failed != null && single) {
                open = false;
                rollbackQuietly(failed.failure);
            } else {
                if (failed != null) {
                    // A unit failed, perhaps halfway through its writes: nothing of this pass stays. It keeps its
                    // failure, which it met after every unit before it, as it would have in a savepoint of its own;
                    // the others run again, each in a savepoint (what they did in this pass is rolled back with it).
                    open = false;
                    exec("ROLLBACK");
                    exec("BEGIN IMMEDIATE");
                    open = true;
                    for (Unit<?> u : batch) {
                        if (u != failed) {
                            runInSavepoint(u);
                        }
                    }
                }
                storeRrnSequence();
                exec("COMMIT");
                open = false;
            }
        } catch (SQLException | RuntimeException | Error e) {
            // nothing of the batch stays: rolled back, and every unit's caller gets the failure (an Error
            // thrown by one unit included: the thread running the batch may be another unit's)
            if (open) {
                rollbackQuietly(e);
            }
            Exception failure = e instanceof Exception ex ? ex : new IllegalStateException("ledger " + file + ": " + e, e);
            for (Unit<?> u : batch) {
                u.failure = u.failure != null ? u.failure : failure;
            }
        } finally {
            running = false;
            for (Unit<?> u : batch) {
                u.done = true;
                LockSupport.unpark(u.owner);
            }
        }
        checkpoints.betweenTransactions(conn);
    }

    /** A unit of a batch's second pass (after one failed): its changes are rolled back alone when it fails. */
    private void runInSavepoint(Unit<?> u) throws SQLException {
        exec("SAVEPOINT unit");
        if (u.run(conn)) {
            exec("RELEASE unit");
        } else {
            exec("ROLLBACK TO unit");
            exec("RELEASE unit");
        }
    }

    /** Checkpoints now, waiting for a background pass to end (for tests). */
    void checkpointNow() {
        lock.lock();
        try {
            checkpoints.restartNow(conn);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            unlockWriter();
        }
    }

    private void exec(String sql) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.execute();
        }
    }

    /** Units waiting for the writer (for tests). */
    int queued() {
        return queue.size();
    }

    /** Holds the writer's lock until closed (for tests that make units queue up into one batch). */
    AutoCloseable holdWriter() {
        lock.lock();
        return this::unlockWriter;
    }

    /** Units of work waiting for the connection. */
    private final ConcurrentLinkedQueue<Unit<?>> queue = new ConcurrentLinkedQueue<>();
    /** True while a batch runs (under the lock). */
    private boolean running;
    /** The last RRN sequence number handed out, and the one the file holds (or will once the open batch commits). */
    private long rrnSequence;
    private long rrnStored;
    /** Most units per transaction; the rest wait for the next one. */
    private static final int MAX_BATCH = 256;

    private final class Unit<T> {
        private final Work<T> work;
        private final Thread owner;
        private T result;
        private Exception failure;
        private volatile boolean done; // set after result or failure, once the batch is committed or rolled back

        Unit(Work<T> work, Thread owner) {
            this.work = work;
            this.owner = owner;
        }

        /** Runs the work; false (the failure kept) when it threw. */
        boolean run(Connection c) {
            try {
                result = work.run(c);
                failure = null;
                return true;
            } catch (SQLException | RuntimeException e) {
                failure = e;
                return false;
            }
        }

        T outcome() {
            if (failure == null) {
                return result;
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("ledger " + file + ": " + failure.getMessage(), failure);
        }
    }

    private <T> T read(Work<T> work) {
        return tx(work);
    }

    /**
     * Set on a thread once a write of a terminal's money (a sale, reversal, settlement or upload) has committed on
     * it. The request handler asks it when a request fails: after such a write, an answer saying nothing was done
     * (96) would be false, so none is sent.
     */
    private static final ThreadLocal<Boolean> WROTE = new ThreadLocal<>();

    /** Whether a sale, reversal, settlement or upload committed on this thread since {@link #forgetWrites()}. */
    public static boolean wroteOnThisThread() {
        return WROTE.get() != null;
    }

    /** Starts {@link #wroteOnThisThread()} afresh for this thread's next request. */
    public static void forgetWrites() {
        WROTE.remove();
    }

    /** {@link #tx} for a unit that changes a terminal's money: marks the thread once it committed. */
    private <T> T write(Work<T> work) {
        T result = tx(work);
        WROTE.set(Boolean.TRUE);
        return result;
    }

    /** A query on the lookup connection: sees the last commit, never waits for the writer's lock. */
    private <T> T lookup(Work<T> work) {
        readLock.lock();
        try {
            return work.run(reads.connection());
        } catch (SQLException e) {
            throw new IllegalStateException("ledger " + file + ": " + e.getMessage(), e);
        } finally {
            readLock.unlock();
        }
    }

    private void rollbackQuietly(Throwable cause) {
        try {
            exec("ROLLBACK");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        checkpoints.close();
        lock.lock();
        readLock.lock();
        try {
            if (!conn.isClosed()) {
                writes.close();
            }
            reads.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close the ledger " + file + ": " + e.getMessage(), e);
        } finally {
            readLock.unlock();
            unlockWriter();
        }
    }
}
