package dev.tally.terminal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.jdbc.NativeLibraryChild;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TallyCliTest {

    @Test
    void theCommandsThatExchangeWithAHostGetTheWarmup() {
        assertTrue(TallyCli.talksToHost(new String[]{"sale", "--order", "INV-1", "--amount", "12.34"}));
        assertTrue(TallyCli.talksToHost(new String[]{"--port", "9000", "--journal", "till.db", "sale", "--order", "A"}));
        assertTrue(TallyCli.talksToHost(new String[]{"replay", "log.jsonl", "--speed", "max"}));
        assertTrue(TallyCli.talksToHost(new String[]{"--timeout", "5", "status", "--order", "A"}));
        assertTrue(TallyCli.talksToHost(new String[]{"serve", "--api-port", "0"}));
    }

    /** A journal another tally holds (a running serve) is not an internal error: 75, try again later. */
    @Test
    void aBusyJournalExits75AndAnUnreadableOne1() {
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        TallyCli cli = new TallyCli(quiet, quiet, java.time.Clock.systemUTC());
        assertEquals(75, cli.failFor(new dev.tally.terminal.journal.JournalBusyException("the journal is in use")));
        assertEquals(1, cli.failFor(new dev.tally.terminal.journal.JournalException("not a tally journal")));
        // damage, even wrapped, and even where an IllegalArgumentException (bad input, 64) carries it
        assertEquals(1, cli.failFor(new IllegalArgumentException("x", new dev.tally.terminal.journal.JournalDamagedException(
                Path.of("j.db"), "attempt 1 has a state no tally writes"))));
    }

    /**
     * A number option's bad value is named in plain words: picocli's own converters said "'x' is not an int" or
     * passed on BigDecimal's NumberFormatException text ("Character a is neither a decimal digit number, ...").
     */
    @Test
    void aNumberOptionsBadValueIsNamedInPlainWords() {
        record Case(String[] args, String says) {
        }
        for (Case c : java.util.List.of(
                new Case(new String[]{"--timeout", "abc", "journal"}, "'--timeout': 'abc' is not a number"),
                new Case(new String[]{"--reversal-interval", "1e3", "journal"}, "'1e3' is not a number"),
                new Case(new String[]{"--port", "x", "echo"}, "'--port': 'x' is not a whole number"),
                new Case(new String[]{"--reversal-attempts", "2.5", "journal"}, "'2.5' is not a whole number"),
                new Case(new String[]{"--port", "99999999999", "echo"}, "'99999999999' is too large"),
                new Case(new String[]{"load", "--rate", "fast"}, "'--rate': 'fast' is not a number"),
                new Case(new String[]{"load", "--requests", "1e3"}, "'1e3' is not a whole number"),
                new Case(new String[]{"serve", "--keep-alive", "soon"}, "'soon' is not a number"),
                // kept in whole milliseconds: less than one was a 0 ms wait, every answer "not in time"
                new Case(new String[]{"--timeout", "0.0004", "echo"}, "--timeout must be at least 0.001 seconds"),
                new Case(new String[]{"replay", "--timeout", "0.0004", "x.jsonl"}, "--timeout must be at least 0.001 seconds"))) {
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
            int exit = TallyCli.run(c.args(), quiet, new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                    java.time.Clock.systemUTC());
            String said = err.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(64, exit, String.join(" ", c.args()) + ": " + said);
            assertTrue(said.contains(c.says()), String.join(" ", c.args()) + ": " + said);
            for (String programmerWords : new String[]{"BigDecimal", "NumberFormatException", "not an int", "not a double",
                    "not a long", "java."}) {
                assertFalse(said.contains(programmerWords), String.join(" ", c.args()) + ": " + said);
            }
        }
    }

    @Test
    void theCommandsThatStayLocalDoNot() {
        assertFalse(TallyCli.talksToHost(new String[]{"journal"}));
        assertFalse(TallyCli.talksToHost(new String[]{"decode", "--hex", "0800"}));
        assertFalse(TallyCli.talksToHost(new String[]{"--journal", "till.db", "report", "--order", "A"}));
        assertFalse(TallyCli.talksToHost(new String[]{"load", "--no-journal"}));
        assertFalse(TallyCli.talksToHost(new String[]{"--help"}));
        assertFalse(TallyCli.talksToHost(new String[]{}));
        // the first command word decides: an order id that reads "sale" does not
        assertFalse(TallyCli.talksToHost(new String[]{"journal", "--order", "sale"}));
    }

    /** Every name the warm-up list holds is a command of the CLI: a renamed command would silently lose its warm-up. */
    @Test
    void everyHostCommandIsASubcommand() {
        Set<String> names = new CommandLine(new TallyCli(System.out, System.err, java.time.Clock.systemUTC()))
                .getSubcommands().keySet();
        assertTrue(names.containsAll(TallyCli.HOST_COMMANDS), "not subcommands: " + TallyCli.HOST_COMMANDS.stream()
                .filter(n -> !names.contains(n)).collect(Collectors.toList()));
        for (String n : Set.of("sale", "inquiry", "status", "pending", "reverse", "echo", "settle", "serve", "replay")) {
            assertTrue(TallyCli.talksToHost(new String[]{n}), n);
        }
    }

    @Test
    void aTallyThatIsKilledLeavesNoCopyOfTheSqliteLibraryInTheTempFolder(@TempDir Path dir) throws Exception {
        NativeLibraryChild.assertHaltedCommandLineLeftNothing(dir, ConfiguredChildMain.class.getName(), "tally");
    }

    /** junit-platform.properties names temp folders with letters: no random number in a path to be masked as a card. */
    @Test
    void tempFoldersAreNamedWithLettersOnly(@TempDir Path dir) {
        assertTrue(dir.getFileName().toString().matches("junit-[a-z]{12}"), dir.toString());
    }

    /** Runs tally; its exit code and standard error. */
    private static String[] tally(String... args) {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        int exit = TallyCli.run(args, quiet, new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                java.time.Clock.systemUTC());
        return new String[]{String.valueOf(exit), err.toString(java.nio.charset.StandardCharsets.UTF_8)};
    }

    /** A journal whose order T99 failed its reversal (a debit standing at the host); its attempt id. */
    private static long journalWithAFailedReversal(Path file) {
        java.time.Clock clock = java.time.Clock.systemUTC();
        try (dev.tally.terminal.journal.Journal j = dev.tally.terminal.journal.Journal.open(file, clock)) {
            var a = j.openSent(new dev.tally.terminal.journal.NewAttempt("TALLY001", "HOSPITAL0000001", "T99",
                    dev.tally.terminal.journal.AttemptKind.SALE, 1099, "840", java.time.LocalDateTime.now(),
                    "4761739001010119", "476173******0119"), "1122090307", x -> x).attempt();
            a = j.requireReversal(a.id(), "98", clock.instant(), null, "no answer");
            a = j.reversalTransmitting(a.id(), "0400");
            a = j.reversalUnanswered(a.id(), null, true, "dropped");
            return a.id();
        }
    }

    /**
     * A reversal's next try is shown by pending as the trail's note shows it, rounded up to the second ("not before"):
     * due at 12:04:41.400 it read "next 12:04:41" beside a note saying "next try at 12:04:42Z".
     */
    @Test
    void pendingShowsTheNextReversalTryRoundedUpToTheSecondAsTheTrailDoes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("j.db");
        java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.parse("2026-11-25T12:04:11Z"), java.time.ZoneOffset.UTC);
        java.time.Instant next = java.time.Instant.parse("2026-11-25T12:04:41.400Z");
        try (dev.tally.terminal.journal.Journal j = dev.tally.terminal.journal.Journal.open(file, clock)) {
            var a = j.openSent(new dev.tally.terminal.journal.NewAttempt("TALLY001", "HOSPITAL0000001", "T98",
                    dev.tally.terminal.journal.AttemptKind.SALE, 1099, "840", java.time.LocalDateTime.now(clock),
                    "4761739001010119", "476173******0119"), "1125120411", x -> x).attempt();
            a = j.requireReversal(a.id(), "98", clock.instant(), null, "no answer");
            a = j.reversalTransmitting(a.id(), "0400");
            j.reversalUnanswered(a.id(), next, false, "reversal try 1: no answer; next try at 2026-11-25T12:04:42Z");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        // --port 1: nothing answers there, so the reversal (not due before 12:04:42 anyway) is not tried
        int exit = TallyCli.run(new String[]{"--journal", file.toString(), "--port", "1", "pending"},
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), quiet, clock);
        String said = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(said.contains("REVERSAL_PENDING") && said.contains("1 tried, next 2026-11-25 12:04:42"), exit + ": " + said);
    }

    /** What every command says of a damaged journal: one line naming the file and what to do, exit 1. */
    private static void assertSaysDamaged(Path file, String what, String... command) {
        java.util.List<String> args = new java.util.ArrayList<>(List.of("--journal", file.toString(), "--port", "1"));
        args.addAll(List.of(command));
        String[] said = tally(args.toArray(String[]::new));
        String line = String.join(" ", command) + ": " + said[1];
        assertEquals("1", said[0], line);
        assertTrue(said[1].startsWith("tally: the journal " + file + " is damaged: "), line);
        assertTrue(said[1].contains(what), line);
        assertTrue(said[1].contains("'PRAGMA integrity_check'"), line);
        assertEquals(1, said[1].strip().lines().count(), line);
        for (String raw : new String[]{"REVDRSAL", "No enum constant", "Exception", "\tat ", "\u00a7"}) {
            assertFalse(said[1].contains(raw), line);
        }
    }

    /**
     * A failed reversal whose state reads REVDRSAL_FAILED (one byte flipped): pending said "nothing pending" (exit 0),
     * journal printed "No enum constant ...AttemptState.REVDRSAL_FAILED" (exit 64, bad input). Every command that
     * opens the journal now refuses it as damaged, exit 1, and no sale is taken on it.
     */
    @Test
    void aJournalWithAnAttemptInAStateNoTallyWritesIsRefusedAsDamagedByEveryCommand(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("j.db");
        long id = journalWithAFailedReversal(file);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             java.sql.Statement st = c.createStatement()) {
            st.execute("PRAGMA ignore_check_constraints = ON");
            st.executeUpdate("UPDATE attempts SET state = 'REVDRSAL_FAILED' WHERE id = " + id);
        }
        String what = "attempt " + id + " has a state no tally writes";
        assertSaysDamaged(file, what, "pending");
        assertSaysDamaged(file, what, "journal", "--order", "T99");
        assertSaysDamaged(file, what, "journal");
        assertSaysDamaged(file, what, "status", "--order", "T99");
        assertSaysDamaged(file, what, "settle");
        assertSaysDamaged(file, what, "sale", "--order", "T100", "--amount", "1.00");
        assertSaysDamaged(file, what, "report", "--order", "T99");
    }

    /**
     * Garbage over pages the open does not read (the events' pages, in the middle of the file): one-shot commands that
     * never read them go on, but serve, which runs for months on the file, checks every page at its start
     * (quick_check) and stops with the damaged journal's one line, exit 1, before it listens.
     */
    @Test
    void serveChecksTheJournalsPagesAtItsStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("j.db");
        try (dev.tally.terminal.journal.Journal j = dev.tally.terminal.journal.Journal.open(file, java.time.Clock.systemUTC())) {
            for (int i = 0; i < 300; i++) {
                var a = j.openSent(new dev.tally.terminal.journal.NewAttempt("TALLY001", "HOSPITAL0000001", "F-" + i,
                        dev.tally.terminal.journal.AttemptKind.SALE, 100 + i, "840", java.time.LocalDateTime.now(),
                        "4761739001010119", "476173******0119"), String.format("1122%06d", i), x -> x).attempt();
                j.note(a.id(), "a note long enough to fill the events' pages quickly, " + "x".repeat(200));
            }
        }
        byte[] db = java.nio.file.Files.readAllBytes(file);
        int pages = db.length / 4096;
        for (int p = pages / 2; p < pages / 2 + 3; p++) {
            java.util.Arrays.fill(db, p * 4096 + 8, p * 4096 + 72, (byte) 0xA7);
        }
        java.nio.file.Files.write(file, db);
        String[] said = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> tally("--journal", file.toString(), "--port", "1", "serve", "--api-port", "0"));
        assertEquals("1", said[0], said[1]);
        assertTrue(said[1].contains("the journal " + file + " is damaged: PRAGMA quick_check finds"), said[1]);
    }

    /** 64 bytes of garbage over the journal's pages: SQLITE_CORRUPT is the same one line and exit 1, never 64. */
    @Test
    void aJournalSqliteFindsMalformedIsRefusedAsDamagedByEveryCommand(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("j.db");
        journalWithAFailedReversal(file);
        byte[] db = java.nio.file.Files.readAllBytes(file);
        for (int at = 4096; at + 64 <= db.length; at += 4096) {
            java.util.Arrays.fill(db, at, at + 64, (byte) 0xA7);
        }
        java.nio.file.Files.write(file, db);
        for (String[] command : List.of(new String[]{"pending"}, new String[]{"journal", "--order", "T99"},
                new String[]{"status", "--order", "T99"}, new String[]{"settle"},
                new String[]{"sale", "--order", "T100", "--amount", "1.00"})) {
            assertSaysDamaged(file, "malformed", command);
        }
    }
}
