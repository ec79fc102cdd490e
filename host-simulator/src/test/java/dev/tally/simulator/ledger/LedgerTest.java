package dev.tally.simulator.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.message.SettlementTotals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger on its own: schema, constraints, restarts. */
class LedgerTest {

    private static final List<TestCard> CARDS = TestCards.bundled().all();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T09:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static SaleRequest sale(int stan, long amount) {
        return new SaleRequest("TALLY001", "HOSPITAL0000001", stan, "1122090000", "ORD-" + stan, amount, "840", "visa-1",
                "476173******0119", null, CreditPolicy.IMMEDIATE, ReversalPolicy.ACKNOWLEDGE);
    }

    /** A sale of 5.00 for {@code order} whose merchant is credited as {@code credit} says. */
    private static SaleRequest sale(int stan, String order, CreditPolicy credit) {
        return new SaleRequest("TALLY001", "HOSPITAL0000001", stan, "1122090000", order, 500, "840", "visa-1",
                "476173******0119", null, credit, ReversalPolicy.ACKNOWLEDGE);
    }

    /** What a reversal of {@link #sale}(stan, amount) says of it. */
    private static ClaimedOriginal claim(int stan, long amount) {
        return new ClaimedOriginal(amount, "476173******0119", "ORD-" + stan);
    }

    @Test
    void schemaIsCreatedOnceAndReusedWithEverythingItHeld() throws Exception {
        Path file = dir.resolve("l.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            assertEquals(LedgerSchema.latest(), l.schemaVersion());
            assertEquals(LocalDate.parse("2026-11-22"), l.businessDate());
            l.recordSale(sale(1, 500));
            l.cutover();
        }
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            assertEquals(1_000_000 - 500, l.balance("visa-1"), "balances are not reset from the cards file");
            assertEquals(LocalDate.parse("2026-11-23"), l.businessDate());
            assertEquals(1, l.transactions(Ledger.Filter.all()).size());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM schema_version")) {
            rs.next();
            assertEquals(LedgerSchema.latest(), rs.getInt(1), "each migration ran once");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertEquals("wal", rs.getString(1));
        }
    }

    /** A new ledger is made with small pages (less WAL traffic per sale); one made before keeps its own. */
    /**
     * A cards file edited since the ledger was made, an id now naming another card: the account stays as it was (its
     * balance and history) and the start says so; before, /cards kept the old masked PAN without a word.
     */
    @Test
    void anIdTheCardsFileGivesAnotherCardIsReportedAndItsAccountKept() throws Exception {
        Path file = dir.resolve("l.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            assertTrue(l.cardsFileDifferences().isEmpty(), l.cardsFileDifferences().toString());
        }
        List<TestCard> edited = TestCards.parse(new java.io.StringReader(
                "visa-1,6011000000000129,3012,1234,50.00,840,now a Discover card\n"), "cards.csv").all();
        try (Ledger l = Ledger.open(file, CLOCK, edited)) {
            assertEquals(List.of("card visa-1 is 601100******0129 (840) in the cards file, but the ledger's account visa-1"
                    + " is 476173******0119 (840): sales with it debit that account; give the new card an id of its own,"
                    + " or use a new ledger"), l.cardsFileDifferences());
            assertEquals(1_000_000, l.balance("visa-1"), "the account keeps its balance");
            assertTrue(l.cards().stream().anyMatch(c -> c.id().equals("visa-1") && c.maskedPan().equals("476173******0119")));
        }
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            assertTrue(l.cardsFileDifferences().isEmpty(), "the file as it was: nothing to say");
        }
    }

    @Test
    void aNewLedgerHasSmallPagesAndAnOlderOneKeepsItsPageSize() throws Exception {
        Path fresh = dir.resolve("fresh.db");
        try (Ledger l = Ledger.open(fresh, CLOCK, CARDS)) {
            l.recordSale(sale(1, 500));
        }
        assertEquals(Ledger.PAGE_SIZE, pragma(fresh, "page_size"));
        assertEquals("wal", pragma(fresh, "journal_mode"));
        Path older = dir.resolve("older.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + older)) {
            c.createStatement().execute("CREATE TABLE made_before (x)"); // SQLite's default 4 KiB pages
            c.createStatement().execute("DROP TABLE made_before"); // no table another program made: not refused
        }
        try (Ledger l = Ledger.open(older, CLOCK, CARDS)) {
            l.recordSale(sale(1, 500));
            assertEquals(1_000_000 - 500, l.balance("visa-1"));
        }
        assertEquals(4096, pragma(older, "page_size"));
        assertEquals("wal", pragma(older, "journal_mode"));
    }

    private static Object pragma(Path file, String name) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getObject(1) instanceof Number n ? (Object) n.intValue() : rs.getString(1);
        }
    }

    @Test
    void rrnIsTheYearsLastDigitTheDayOfTheYearAndASequenceAndTheRecordIsWhatWasStored() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            LedgerTransaction first = l.recordSale(sale(1, 100)).transaction();
            LedgerTransaction second = l.recordSale(sale(2, 100)).transaction();
            assertEquals("632600000001", first.rrn(), "2026-11-22 is day 326");
            assertEquals("632600000002", second.rrn());
            assertEquals("007919", first.authCode());
            assertEquals("632600000003", l.nextRrn());
            l.cutover();
            assertEquals("632700000004", l.nextRrn(), "the next business day, the same sequence");
            LedgerTransaction stored = l.transactions(Ledger.Filter.all().stan(1)).get(0);
            assertEquals(stored, first, "what recordSale returns is what the ledger holds");
        }
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            assertEquals("632700000005", l.recordSale(sale(3, 100)).transaction().rrn(),
                    "the sequence goes on after a restart (it is stored with each batch that uses it)");
            assertTrue(l.recordSale(sale(3, 100)).duplicate());
            assertEquals("632700000006", l.nextRrn(), "a duplicate takes no number");
        }
    }

    /** A credit whose delay passed on day D is credited on D, whether or not anything read the ledger before the cut-over. */
    @Test
    void aCreditDueBeforeTheCutoverIsCreditedOnTheDayThatEndsEvenWhenNothingReadTheLedgerMeanwhile() {
        dev.tally.spec.testing.MovableClock clock = new dev.tally.spec.testing.MovableClock(Instant.parse("2026-11-22T09:00:00Z"));
        try (Ledger l = Ledger.open(dir.resolve("l.db"), clock, CARDS)) {
            SaleRequest later = sale(1, "ORD-1", CreditPolicy.after(java.time.Duration.ofSeconds(1)));
            SaleRequest atCutover = sale(2, "ORD-2", CreditPolicy.NEXT_CUTOVER);
            assertEquals(CreditState.PENDING, l.recordSale(later).transaction().creditState());
            l.recordSale(atCutover);
            clock.advance(java.time.Duration.ofSeconds(2));
            l.cutover();
            LedgerTransaction credited = l.transactions(Ledger.Filter.all().order("ORD-1")).getFirst();
            assertEquals(CreditState.CREDITED, credited.creditState());
            assertEquals(LocalDate.parse("2026-11-22"), credited.creditDate(), "due on the 22nd, credited on the 22nd");
            assertEquals(LocalDate.parse("2026-11-23"), l.transactions(Ledger.Filter.all().order("ORD-2")).getFirst()
                    .creditDate(), "held for the cut-over: the new day");
        }
    }

    /** A credit whose delay has not passed at a cut-over is expected on the new day, not on the day that closed. */
    @Test
    void aPendingCreditsExpectedDateMovesWithTheCutover() {
        dev.tally.spec.testing.MovableClock clock = new dev.tally.spec.testing.MovableClock(Instant.parse("2026-11-22T09:00:00Z"));
        try (Ledger l = Ledger.open(dir.resolve("l.db"), clock, CARDS)) {
            SaleRequest later = sale(1, "ORD-3", CreditPolicy.after(java.time.Duration.ofHours(2)));
            assertEquals(LocalDate.parse("2026-11-22"), l.recordSale(later).transaction().creditDate());
            l.cutover();
            l.cutover();
            LedgerTransaction pending = l.transactions(Ledger.Filter.all().order("ORD-3")).getFirst();
            assertEquals(CreditState.PENDING, pending.creditState());
            assertEquals(LocalDate.parse("2026-11-24"), pending.creditDate(), "expected on today's business date");
            clock.advance(java.time.Duration.ofHours(3));
            LedgerTransaction credited = l.transactions(Ledger.Filter.all().order("ORD-3")).getFirst();
            assertEquals(CreditState.CREDITED, credited.creditState());
            assertEquals(LocalDate.parse("2026-11-24"), credited.creditDate());
        }
    }

    /** Another program's database given as --ledger (a terminal journal): refused, named, and left as it was. */
    @Test
    void aFileThatIsNotALedgerIsRefusedUnchanged() throws Exception {
        Path journal = sqlite("tally-journal.db",
                "PRAGMA journal_mode=WAL", // as a terminal journal is
                "CREATE TABLE attempts (id INTEGER PRIMARY KEY)",
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
                "INSERT INTO schema_version VALUES (3, 'x')");
        String why = refusedUnchanged(journal);
        assertTrue(why.contains(journal.toString()) && why.contains("not a Tally ledger") && why.contains("terminal journal"),
                why);
    }

    /**
     * Another program's SQLite database in rollback-journal mode, as most are: refused before the writer's connection
     * could switch it to WAL (header bytes 18-19 from 1 to 2). Byte for byte as it was, no -wal or -shm beside it.
     */
    @Test
    void anotherProgramsDatabaseIsRefusedByteForByteUnchanged() throws Exception {
        Path other = sqlite("inventory.db", "CREATE TABLE items (sku TEXT PRIMARY KEY, qty INTEGER)",
                "INSERT INTO items VALUES ('A-1', 3)");
        assertEquals(1, Files.readAllBytes(other)[18], "a rollback-journal database to begin with");
        String why = refusedUnchanged(other);
        assertTrue(why.contains(other.toString()) && why.contains("not a Tally ledger") && why.contains("[items]")
                && why.contains("nothing was changed"), why);
        assertFalse(Files.exists(dir.resolve("inventory.db-wal")), "a -wal was left beside it");
        assertFalse(Files.exists(dir.resolve("inventory.db-shm")), "a -shm was left beside it");
    }

    /** A schema_version of another program, with no table of a ledger: its version would skip the ledger's migrations. */
    @Test
    void aDatabaseWithOnlyAnotherProgramsSchemaVersionIsRefusedUnchanged() throws Exception {
        Path other = sqlite("other.db", "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
                "INSERT INTO schema_version VALUES (2, 'x')");
        String why = refusedUnchanged(other);
        assertTrue(why.contains("not a Tally ledger") && why.contains("schema_version"), why);
    }

    /** A file that is no SQLite database at all (a text file given by mistake): said so, left as it was. */
    @Test
    void aFileThatIsNoDatabaseIsRefusedSayingSoUnchanged() throws Exception {
        Path text = dir.resolve("notes.db");
        Files.writeString(text, "these are notes, not a database\n".repeat(200));
        String why = refusedUnchanged(text);
        assertTrue(why.contains(text.toString()) && why.contains("not a SQLite database")
                && why.contains("nothing was changed"), why);
        assertFalse(Files.exists(dir.resolve("notes.db-wal")), "a -wal was left beside it");
    }

    /** A SQLite database {@code name} in the test's folder, made by these statements. */
    private Path sqlite(String name, String... statements) throws Exception {
        Path file = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); var st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
        return file;
    }

    /** Opening {@code file} as a ledger is refused and leaves it byte for byte as it was; the refusal's message. */
    private static String refusedUnchanged(Path file) throws Exception {
        byte[] before = Files.readAllBytes(file);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Ledger.open(file, CLOCK, CARDS).close());
        assertArrayEquals(before, Files.readAllBytes(file), "the file was changed");
        return e.getMessage();
    }

    @Test
    void aDuplicateSaleChangesNothing() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            SaleResult first = l.recordSale(sale(7, 900));
            SaleResult again = l.recordSale(sale(7, 900));
            assertFalse(first.duplicate());
            assertTrue(again.duplicate());
            assertEquals(first.transaction().id(), again.transaction().id());
            assertEquals(1_000_000 - 900, l.balance("visa-1"));
        }
    }

    @Test
    void oneReversalPerOriginal() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            l.recordSale(sale(3, 2500));
            for (int i = 0; i < 3; i++) {
                ReversalResult r = l.reverse("TALLY001", i == 0 ? "0400" : "0401", 4, "1122090100", 3, "1122090000", "98", claim(3, 2500), null);
                assertEquals(ReversalResult.Outcome.ACKNOWLEDGED, r.outcome());
            }
            assertEquals(1_000_000, l.balance("visa-1"));
            LedgerTransaction t = l.transactions(Ledger.Filter.all().stan(3)).get(0);
            assertEquals(TxnState.REVERSED, t.state());
            assertEquals(3, t.reversalCount());
            assertEquals(ReversalResult.Outcome.NOT_FOUND,
                    l.reverse("TALLY001", "0400", 5, "1122090200", 99, "1122090000", "98", claim(99, 100), null).outcome());
        }
    }

    /**
     * A new journal for a terminal id the ledger knows counts STANs from 1 again: its reversal can name the key of an
     * older sale of that terminal. The key finds that sale, but it is not the one the reversal describes (another
     * amount, card or order): nothing is undone, the answer is "not found", and the old sale's debit stands.
     */
    @Test
    void aReversalWhoseKeyFindsAnotherSaleUndoesNothing() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            l.recordSale(sale(2, 2000));
            for (ClaimedOriginal other : List.of(new ClaimedOriginal(3000, "476173******0119", "ORD-2"),
                    new ClaimedOriginal(2000, "541333******0442", "ORD-2"),
                    new ClaimedOriginal(2000, "476173******0119", "N-2"))) {
                ReversalResult r = l.reverse("TALLY001", "0400", 3, "1122090100", 2, "1122090000", "06", other, null);
                assertEquals(ReversalResult.Outcome.NOT_FOUND, r.outcome(), other.toString());
            }
            LedgerTransaction t = l.transactions(Ledger.Filter.all().stan(2)).get(0);
            assertEquals(TxnState.APPROVED, t.state());
            assertTrue(t.debitStanding());
            assertEquals(0, t.reversalCount(), "none of them is counted against it");
            assertEquals(1_000_000 - 2000, l.balance("visa-1"));
            // a reversal that carries no order reference is matched on amount and card
            assertEquals(ReversalResult.Outcome.ACKNOWLEDGED, l.reverse("TALLY001", "0400", 4, "1122090200", 2, "1122090000",
                    "06", new ClaimedOriginal(2000, "476173******0119", null), null).outcome());
            assertEquals(1_000_000, l.balance("visa-1"));
        }
    }

    /**
     * A reversal overtook its sale (DESIGN.md §6): answered 25, the terminal took the sale as undone. The sale that
     * arrives after it must not leave a debit standing: refused 12, recorded, linked to the reversal.
     */
    @Test
    void aSaleThatArrivesAfterItsReversalWasAnswered25IsRefusedAndDebitsNothing() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            ReversalResult first = l.reverse("TALLY001", "0400", 8, "1122090100", 7, "1122090000", "98", claim(7, 900), null);
            assertEquals(ReversalResult.Outcome.NOT_FOUND, first.outcome());

            SaleResult late = l.recordSale(sale(7, 900));
            assertFalse(late.duplicate());
            LedgerTransaction t = late.transaction();
            assertEquals(Ledger.REFUSED_AFTER_REVERSAL, t.responseCode());
            assertEquals("12", t.responseCode(), "12 invalid transaction, from the spec's response-code table");
            assertEquals(TxnState.DECLINED, t.state());
            assertFalse(t.debitStanding());
            assertNull(t.authCode());
            assertTrue(t.arrivedAfterReversal());
            assertEquals(1, t.reversalCount(), "the reversal answered 25 is linked to the sale");
            assertEquals(CreditState.NONE, t.creditState());
            assertEquals(1_000_000, l.balance("visa-1"), "nothing debited");
            assertEquals(t, l.transactions(Ledger.Filter.all().stan(7)).get(0), "what recordSale returns is what the ledger holds");

            // the terminal's 0401 repeat (it may not have heard the 25): acknowledged, nothing to undo
            assertEquals(ReversalResult.Outcome.ACKNOWLEDGED,
                    l.reverse("TALLY001", "0401", 8, "1122090100", 7, "1122090000", "98", claim(7, 900), null).outcome());
            assertTrue(l.recordSale(sale(7, 900)).duplicate(), "the same sale again is a duplicate, as before");
            assertEquals(1_000_000, l.balance("visa-1"));
            LedgerTransaction after = l.transactions(Ledger.Filter.all().stan(7)).get(0);
            assertEquals(TxnState.DECLINED, after.state());
            assertEquals(2, after.reversalCount());

            // the match is on the whole key: another field 7, or another terminal, is another sale
            SaleRequest otherTime = new SaleRequest("TALLY001", "HOSPITAL0000001", 7, "1122090500", "ORD-7b", 900, "840",
                    "visa-1", "476173******0119", null, CreditPolicy.IMMEDIATE, ReversalPolicy.ACKNOWLEDGE);
            SaleRequest otherTerminal = new SaleRequest("TALLY002", "HOSPITAL0000001", 7, "1122090000", "ORD-7c", 900,
                    "840", "visa-1", "476173******0119", null, CreditPolicy.IMMEDIATE, ReversalPolicy.ACKNOWLEDGE);
            assertEquals("00", l.recordSale(otherTime).transaction().responseCode());
            assertFalse(l.recordSale(otherTerminal).transaction().arrivedAfterReversal());
            assertEquals(1_000_000 - 1800, l.balance("visa-1"));
        }
    }

    /**
     * A reversal answered 25 before a restart still refuses its sale after it: the check reads the ledger, not
     * the process's memory (DESIGN.md §8: several simulators may one day share a ledger).
     */
    @Test
    void aSaleThatArrivesAfterItsReversalIsRefusedAfterARestartToo() {
        Path file = dir.resolve("l.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            l.recordSale(sale(1, 100));
            assertEquals(ReversalResult.Outcome.NOT_FOUND,
                    l.reverse("TALLY001", "0400", 8, "1122090100", 7, "1122090000", "98", claim(7, 900), null).outcome());
        }
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            LedgerTransaction t = l.recordSale(sale(7, 900)).transaction();
            assertEquals("12", t.responseCode());
            assertFalse(t.debitStanding());
            assertEquals(1_000_000 - 100, l.balance("visa-1"), "only the first sale debited");
        }
    }

    /** The check runs on every sale: a point lookup on the index of schema version 3, never a scan. */
    @Test
    void theCheckForAnEarlierReversalIsAnIndexedPointLookup() throws Exception {
        Path file = dir.resolve("l.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            l.recordSale(sale(1, 100));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             var ps = c.prepareStatement("EXPLAIN QUERY PLAN " + Ledger.REVERSED_BEFORE_ARRIVAL)) {
            ps.setString(1, "TALLY001");
            ps.setInt(2, 7);
            ps.setString(3, "1122090000");
            ps.setLong(4, 900);
            ps.setString(5, "476173******0119");
            ps.setString(6, "ORD-7");
            ps.setString(7, "ORD-7");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString("detail")).append('\n');
                }
            }
            assertTrue(plan.toString().contains("SEARCH reversal_messages USING INDEX reversal_messages_original "
                    + "(terminal_id=? AND original_stan=? AND original_transmission_time=?)"), plan.toString());
        }
    }

    /**
     * A key is unique per terminal journal only (SPEC.md §4.5): a reversal answered 25 that names the key of a sale but
     * describes another one (another amount, card or order: a second journal's, say) does not refuse that sale. Before,
     * the key alone decided, and the genuine sale under it was refused 12.
     */
    @Test
    void aReversalAnswered25ThatDescribesAnotherSaleDoesNotRefuseTheSaleUnderItsKey() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            // card B, 9.99, order X under the key TALLY001 / 000007 / 1122090000: not found, answered 25
            assertEquals(ReversalResult.Outcome.NOT_FOUND, l.reverse("TALLY001", "0400", 8, "1122090100", 7, "1122090000",
                    "98", new ClaimedOriginal(999, "541333******0442", "ORDER-X"), null).outcome());

            // card A, 10.00, order Y under that key: processed as any sale
            SaleRequest genuine = new SaleRequest("TALLY001", "HOSPITAL0000001", 7, "1122090000", "ORDER-Y", 1000, "840",
                    "visa-1", "476173******0119", null, CreditPolicy.IMMEDIATE, ReversalPolicy.ACKNOWLEDGE);
            assertFalse(l.arrival("TALLY001", 7, "1122090000", 1000, "476173******0119", "ORDER-Y").afterReversal(),
                    "the look before the scenario agrees");
            LedgerTransaction t = l.recordSale(genuine).transaction();
            assertEquals("00", t.responseCode());
            assertEquals(TxnState.APPROVED, t.state());
            assertTrue(t.debitStanding());
            assertFalse(t.arrivedAfterReversal());
            assertEquals(0, t.reversalCount(), "the other sale's reversal is not linked to it");
            assertEquals(1_000_000 - 1000, l.balance("visa-1"));
            assertEquals(t, l.transactions(Ledger.Filter.all().stan(7)).get(0));
        }
    }

    /** Each of amount, card and order tells another sale apart, as ClaimedOriginal.describes has it; a missing order does not. */
    @Test
    void aReversalAnswered25RefusesOnlyTheSaleItDescribes() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            int stan = 10;
            for (ClaimedOriginal other : List.of(new ClaimedOriginal(999, "476173******0119", "ORDER-A"),
                    new ClaimedOriginal(1000, "541333******0442", "ORDER-A"),
                    new ClaimedOriginal(1000, "476173******0119", "ORDER-B"))) {
                stan++;
                l.reverse("TALLY001", "0400", 90 + stan, "1122090100", stan, "1122090000", "98", other, null);
                LedgerTransaction t = l.recordSale(new SaleRequest("TALLY001", "HOSPITAL0000001", stan, "1122090000",
                        "ORDER-A", 1000, "840", "visa-1", "476173******0119", null, CreditPolicy.IMMEDIATE,
                        ReversalPolicy.ACKNOWLEDGE)).transaction();
                assertEquals("00", t.responseCode(), other.toString());
                assertFalse(t.arrivedAfterReversal(), other.toString());
            }
            assertEquals(1_000_000 - 3000, l.balance("visa-1"));

            // a reversal without an order reference, or a sale without one, is matched on amount and card: refused
            l.reverse("TALLY001", "0400", 120, "1122090100", 20, "1122090000", "98",
                    new ClaimedOriginal(1000, "476173******0119", null), null);
            l.reverse("TALLY001", "0400", 121, "1122090100", 21, "1122090000", "98",
                    new ClaimedOriginal(1000, "476173******0119", "ORDER-A"), null);
            for (SaleRequest r : List.of(
                    new SaleRequest("TALLY001", "HOSPITAL0000001", 20, "1122090000", "ORDER-A", 1000, "840", "visa-1",
                            "476173******0119", null, CreditPolicy.IMMEDIATE, ReversalPolicy.ACKNOWLEDGE),
                    new SaleRequest("TALLY001", "HOSPITAL0000001", 21, "1122090000", null, 1000, "840", "visa-1",
                            "476173******0119", null, CreditPolicy.IMMEDIATE, ReversalPolicy.ACKNOWLEDGE))) {
                LedgerTransaction t = l.recordSale(r).transaction();
                assertEquals(Ledger.REFUSED_AFTER_REVERSAL, t.responseCode(), r.toString());
                assertTrue(t.arrivedAfterReversal());
                assertEquals(1, t.reversalCount());
            }
            assertEquals(1_000_000 - 3000, l.balance("visa-1"), "neither debited");
        }
    }

    /**
     * Two reversals answered 25 under one key, one describing another sale and one this sale: the sale is refused 12
     * (its own reversal came first), nothing debited, and only its own reversal is linked to it.
     */
    @Test
    void aSaleWhoseOwnReversalCameFirstIsStillRefusedAndOnlyItsOwnReversalIsLinked() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            l.reverse("TALLY001", "0400", 8, "1122090100", 7, "1122090000", "98",
                    new ClaimedOriginal(999, "541333******0442", "ORDER-X"), null);
            l.reverse("TALLY001", "0400", 9, "1122090200", 7, "1122090000", "98", claim(7, 900), null);
            assertTrue(l.arrival("TALLY001", 7, "1122090000", 900, "476173******0119", "ORD-7").afterReversal());

            LedgerTransaction t = l.recordSale(sale(7, 900)).transaction();
            assertEquals("12", t.responseCode());
            assertEquals(TxnState.DECLINED, t.state());
            assertFalse(t.debitStanding());
            assertTrue(t.arrivedAfterReversal());
            assertEquals(1, t.reversalCount(), "the other sale's reversal is not counted against it");
            assertEquals(1_000_000, l.balance("visa-1"), "nothing debited");
        }
    }

    /**
     * A reversal answered 25 before schema version 5 says nothing of its sale in the ledger: after the upgrade it still
     * refuses any sale under its key (the cautious choice: the terminal that sent it took that sale as undone).
     */
    @Test
    void aReversalAnswered25BeforeMigrationFiveStillRefusesAnySaleUnderItsKey() throws Exception {
        Path file = dir.resolve("v4.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            assertEquals(ReversalResult.Outcome.NOT_FOUND, l.reverse("TALLY001", "0400", 8, "1122090100", 7, "1122090000",
                    "98", new ClaimedOriginal(999, "541333******0442", "ORDER-X"), null).outcome());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            undoMigrationFive(c); // what version 4 wrote: the key and the outcome, no description
        }
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            assertEquals(LedgerSchema.latest(), l.schemaVersion());
            assertTrue(l.arrival("TALLY001", 7, "1122090000", 900, "476173******0119", "ORD-7").afterReversal());
            LedgerTransaction t = l.recordSale(sale(7, 900)).transaction();
            assertEquals("12", t.responseCode());
            assertTrue(t.arrivedAfterReversal());
            assertEquals(1, t.reversalCount());
            assertEquals(1_000_000, l.balance("visa-1"), "nothing debited");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT claimed_amount, claimed_masked_pan, claimed_order_ref FROM reversal_messages")) {
            assertTrue(rs.next());
            assertNull(rs.getObject(1));
            assertNull(rs.getObject(2));
            assertNull(rs.getObject(3));
        }
    }

    /**
     * A reversal's order reference that reads as a card number (one taken before that rule) is not kept in the
     * ledger: null, so a sale after it is matched on amount and card, as for a reversal that carries none.
     */
    @Test
    void aReversalsOrderReferenceThatReadsAsACardNumberIsNotKept() throws Exception {
        Path file = dir.resolve("l.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            l.reverse("TALLY001", "0400", 8, "1122090100", 7, "1122090000", "98",
                    new ClaimedOriginal(900, "476173******0119", "4761-7390-0101-0119"), null);
            assertEquals("12", l.recordSale(sale(7, 900)).transaction().responseCode());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT claimed_amount, claimed_masked_pan, claimed_order_ref FROM reversal_messages")) {
            assertTrue(rs.next());
            assertEquals(900, rs.getLong(1));
            assertEquals("476173******0119", rs.getString(2));
            assertNull(rs.getString(3));
        }
    }

    /** What a ledger of schema version 4 held: no description of the sale on a reversal message. */
    private static void undoMigrationFive(Connection c) throws Exception {
        for (String column : List.of("claimed_amount", "claimed_masked_pan", "claimed_order_ref")) {
            c.createStatement().execute("ALTER TABLE reversal_messages DROP COLUMN " + column);
        }
        c.createStatement().execute("DELETE FROM schema_version WHERE version = 5");
    }

    @Test
    void settlementComparesTheStandingApprovedSalesSinceTheLastBatch() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            l.recordSale(sale(1, 100));
            l.recordSale(sale(2, 200));
            SettlementTotals declared = new SettlementTotals(1, 100, 0, 0);
            SettlementResult differ = l.settle("TALLY001", "M", 1, declared, false);
            assertEquals("95", differ.responseCode());
            assertEquals(new SettlementTotals(2, 300, 0, 0), differ.hostTotals());
            assertEquals("95", l.settle("TALLY001", "M", 1, declared, false).responseCode(), "the same 0500 again");
            // the batch waits for its upload with the totals its 0500 declared: others, even the host's, are refused
            assertEquals("12", l.settle("TALLY001", "M", 1, new SettlementTotals(2, 300, 0, 0), false).responseCode());
            assertEquals(declared.encode(), l.batches("TALLY001").getFirst().terminalTotals());
            assertEquals("00", l.settle("TALLY001", "M", 1, declared, true).responseCode(), "the trailer closes it");
            SettlementResult again = l.settle("TALLY001", "M", 1, declared, false);
            assertTrue(again.alreadyClosed(), "the same batch again: its answer was lost");
            assertEquals("00", again.responseCode());
            // a new journal's batch 000001: its sale says so in field 60
            l.recordSale(new SaleRequest("TALLY001", "HOSPITAL0000001", 9, "1122090900", "ORD-9", 900, "840", "visa-1",
                    "476173******0119", null, CreditPolicy.IMMEDIATE, ReversalPolicy.ACKNOWLEDGE, 1));
            SettlementResult reused = l.settle("TALLY001", "M", 1, new SettlementTotals(9, 9, 0, 0), false);
            assertFalse(reused.alreadyClosed(), "another batch under a closed number");
            assertEquals("12", reused.responseCode());
            assertEquals(new SettlementTotals(1, 900, 0, 0), reused.hostTotals(), "the host's view of that batch 000001");
            assertEquals(new SettlementTotals(1, 900, 0, 0),
                    l.settle("TALLY001", "M", 2, SettlementTotals.ZERO, false).hostTotals(), "batch 2 holds only sale 9");
        }
    }

    /**
     * A settlement answered 95 stops halfway (the terminal was killed while uploading) and resumes after the terminal
     * made sales in its next batch: those stay out of the batch being settled, and the next batch finds them.
     */
    @Test
    void aResumedSettlementKeepsTheSalesOfTheTerminalsNextBatchOut() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            l.recordSale(sale(1, 100));
            l.recordSale(sale(2, 200)); // the terminal left it out of its totals (its reversal was pending)
            SettlementTotals terminal = new SettlementTotals(1, 100, 0, 0);
            SettlementResult first = l.settle("TALLY001", "M", 1, terminal, false);
            assertEquals("95", first.responseCode());
            assertEquals(new SettlementTotals(2, 300, 0, 0), first.hostTotals());
            l.recordUpload("TALLY001", "0200", 1, "1122090000", 100, null, null, "ORD-1");
            // killed here; the terminal's batch 2 takes sales before batch 1's settlement resumes
            l.recordSale(sale(3, 400));
            l.recordSale(sale(4, 800));

            SettlementResult resumed = l.settle("TALLY001", "M", 1, terminal, false);
            assertEquals("95", resumed.responseCode());
            assertEquals(new SettlementTotals(2, 300, 0, 0), resumed.hostTotals(), "the batch as it was cut, not 4 sales");
            l.recordUpload("TALLY001", "0200", 1, "1122090000", 100, null, null, "ORD-1");
            SettlementResult trailer = l.settle("TALLY001", "M", 1, terminal, true);
            assertEquals("00", trailer.responseCode());
            assertEquals(new SettlementTotals(2, 300, 0, 0), trailer.hostTotals());
            SettlementBatch one = l.batches("TALLY001").stream().filter(b -> b.batchNumber() == 1).findFirst().orElseThrow();
            assertEquals("CLOSED", one.status());
            assertTrue(one.differences().contains("approved at the host, not uploaded: 000002@1122090000"), one.differences());
            assertFalse(one.differences().contains("000003@"), one.differences());
            assertFalse(one.differences().contains("000004@"), one.differences());

            SettlementResult next = l.settle("TALLY001", "M", 2, new SettlementTotals(2, 1200, 0, 0), false);
            assertEquals("00", next.responseCode(), "batch 2 holds the two sales made while batch 1 waited");
            assertEquals(new SettlementTotals(2, 1200, 0, 0), next.hostTotals());
        }
    }

    /** A sale that reached the host after the batch was cut, which the terminal uploads in that batch, joins it. */
    @Test
    void anUploadedSaleTheHostApprovedAfterTheCutJoinsTheBatch() {
        try (Ledger l = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            l.recordSale(sale(1, 100));
            SettlementTotals terminal = new SettlementTotals(2, 300, 0, 0);
            assertEquals("95", l.settle("TALLY001", "M", 1, terminal, false).responseCode());
            l.recordSale(sale(2, 200)); // sent before the 0500, reached the host after it
            l.recordUpload("TALLY001", "0200", 1, "1122090000", 100, null, null, "ORD-1");
            l.recordUpload("TALLY001", "0200", 2, "1122090000", 200, null, null, "ORD-2");
            SettlementResult trailer = l.settle("TALLY001", "M", 1, terminal, true);
            assertEquals("00", trailer.responseCode());
            assertEquals(terminal, trailer.hostTotals());
            SettlementBatch one = l.batches("TALLY001").getFirst();
            assertEquals("", one.differences(), "the host and the terminal agree on the batch");
            assertEquals(SettlementTotals.ZERO, l.settle("TALLY001", "M", 2, SettlementTotals.ZERO, false).hostTotals(),
                    "the sale is not counted again in the next batch");
        }
    }

    /** A ledger from before version 4 with a batch waiting for its upload: the batch takes its terminal's sales in no batch. */
    @Test
    void migrationFourGivesAWaitingBatchTheSalesItWouldHaveClosedWith() throws Exception {
        Path file = dir.resolve("v3.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            l.recordSale(sale(1, 100));
            l.recordSale(sale(2, 200));
            assertEquals("95", l.settle("TALLY001", "M", 1, new SettlementTotals(1, 100, 0, 0), false).responseCode());
            l.recordSale(sale(3, 400)); // the terminal's next batch, made after the 95, before the upgrade
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            // what version 3 left: the waiting batch held no sales until its close
            c.createStatement().execute("UPDATE transactions SET settlement_batch_id = NULL");
            undoMigrationFive(c);
            c.createStatement().execute("DELETE FROM schema_version WHERE version = 4");
            c.createStatement().execute("ALTER TABLE transactions DROP COLUMN terminal_batch");
            // the batch opened half a second after sale 1 (fraction digits: as text "…00Z" sorts after "…00.5Z"),
            // sale 3 an hour after
            c.createStatement().execute("UPDATE settlement_batches SET opened_at = '2026-11-22T09:00:00.5Z'");
            c.createStatement().execute("UPDATE transactions SET received_at = '2026-11-22T09:00:00Z' WHERE stan = 1");
            c.createStatement().execute("UPDATE transactions SET received_at = '2026-11-22T10:00:00Z' WHERE stan = 3");
        }
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            assertEquals(LedgerSchema.latest(), l.schemaVersion());
            l.recordSale(sale(4, 800)); // the terminal's next batch, made after the upgrade
            SettlementResult resumed = l.settle("TALLY001", "M", 1, new SettlementTotals(1, 100, 0, 0), false);
            assertEquals(new SettlementTotals(2, 300, 0, 0), resumed.hostTotals());
            l.recordUpload("TALLY001", "0200", 1, "1122090000", 100, null, null, "ORD-1");
            assertEquals("00", l.settle("TALLY001", "M", 1, new SettlementTotals(1, 100, 0, 0), true).responseCode());
            assertEquals(new SettlementTotals(2, 1200, 0, 0),
                    l.settle("TALLY001", "M", 2, new SettlementTotals(2, 1200, 0, 0), false).hostTotals(),
                    "sales 3 and 4 are the next batch's");
        }
    }

    /**
     * An upload names an order that exists, so its reference is not refused; one that reads as a card number (an
     * order from before that rule, or a message someone else built) is kept withheld, and never in the file.
     */
    @Test
    void anUploadedOrderReferenceThatReadsAsACardNumberIsNotKept() throws Exception {
        Path file = dir.resolve("l.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            l.recordSale(sale(1, 100));
            // the terminal counts a sale the host does not have: 95, upload
            assertEquals("95", l.settle("TALLY001", "M", 1, new SettlementTotals(2, 300, 0, 0), false).responseCode());
            l.recordUpload("TALLY001", "0200", 1, "1122090000", 100, null, null, "4761_7390_0101_0119");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             var st = c.createStatement(); var rs = st.executeQuery("SELECT order_ref FROM batch_uploads")) {
            assertTrue(rs.next());
            assertEquals(dev.tally.spec.message.OrderReference.WITHHELD, rs.getString(1));
        }
        assertEquals("order " + dev.tally.spec.message.OrderReference.WITHHELD + " vs ORD-1",
                new ClaimedOriginal(100, "476173******0119", "4761:7390:0101:0119").differences(
                        openAndFind(file)));
    }

    private static LedgerTransaction openAndFind(Path file) {
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            return l.transactions(Ledger.Filter.all()).getFirst();
        }
    }

    /**
     * A new ledger is its owner's only (0600), and so are the -wal and -shm SQLite makes with its mode, whatever the
     * umask: it holds the terminals' session keys under the TMK (the default lab TMK is public) and masked card
     * numbers. Under umask 022 it was 0644, readable by every user. An empty file (touch) made the ledger is set so.
     */
    @Test
    void aNewLedgerAndItsWalAndShmAreTheOwnersOnly() throws Exception {
        Path file = dir.resolve("new.db");
        try (Ledger l = Ledger.open(file, CLOCK, CARDS)) {
            l.recordSale(sale(1, 500));
            for (String name : List.of("new.db", "new.db-wal", "new.db-shm")) {
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve(name))), name);
            }
        }
        Path touched = Files.createFile(dir.resolve("touched.db"),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--")));
        Ledger.open(touched, CLOCK, CARDS).close();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(touched)));
    }

    /**
     * A ledger already there keeps its mode (the operator's to decide), with one warning at the open when others can
     * read it, saying what is at stake and how to fix it; none when it is its owner's only.
     */
    @Test
    void anExistingLedgerOthersCanReadKeepsItsModeWithOneWarning() throws Exception {
        Path file = dir.resolve("old.db");
        Ledger.open(file, CLOCK, CARDS).close();
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        String said = stderrDuring(() -> Ledger.open(file, CLOCK, CARDS).close());
        assertTrue(said.contains("the ledger " + file + " can be read by other users (rw-r--r--): it holds the"
                + " terminals' session keys, encrypted under the TMK"), said);
        assertTrue(said.contains("; chmod 600 " + file), said);
        assertEquals(1, said.lines().filter(l -> l.contains("can be read by other users")).count(), said);
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)), "left as it was");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String quiet = stderrDuring(() -> Ledger.open(file, CLOCK, CARDS).close());
        assertFalse(quiet.contains("can be read by other users"), quiet);
    }

    /** What is logged (slf4j-simple writes to System.err) while {@code body} runs. */
    private static String stderrDuring(Runnable body) {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(sink, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        String captured = sink.toString(java.nio.charset.StandardCharsets.UTF_8);
        original.print(captured);
        return captured;
    }
}
