package dev.tally.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.simulator.ledger.Ledger;
import dev.tally.spec.card.TestCards;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** tally-sim: options, exit codes, the "listening" line, a clean stop on SIGTERM. */
class SimulatorCliTest {

    /** visa-1 of the bundled test cards: a Luhn-valid test PAN. */
    private static final String PAN = "4761739001010119";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"--mac maybe", "--late-delay soon", "--tmk 1234", "--port 70000", "--port abc", "--no-such-option"})
    void badOptionsExit64WithAMessage(String args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = SimulatorCli.commandLine();
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute((args + " --ledger " + dir.resolve("x.db")).split(" "));
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().length() > 10, "says what is wrong");
        assertTrue(Files.notExists(dir.resolve("x.db")), "nothing was started");
    }

    /** A port in words is named as such: picocli's own converter said "'abc' is not an int". */
    @ParameterizedTest
    @ValueSource(strings = {"--port abc", "--admin-port 1.5", "--port 99999999999"})
    void aPortThatIsNoWholeNumberIsSaidInPlainWords(String args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = SimulatorCli.commandLine();
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute((args + " --ledger " + dir.resolve("x.db")).split(" "));
        assertEquals(64, code, err.toString());
        String value = args.split(" ")[1];
        assertTrue(err.toString().startsWith("Invalid value for option '" + args.split(" ")[0] + "': '" + value + "' is "
                + (value.length() > 10 ? "too large" : "not a whole number")), err.toString());
        assertFalse(err.toString().contains("not an int"), err.toString());
        assertTrue(Files.notExists(dir.resolve("x.db")), "nothing was started");
    }

    /** An all-zero TMK, a DES weak or semi-weak half, equal halves: refused (64) and named, the key not echoed. */
    @ParameterizedTest
    @ValueSource(strings = {"00000000000000000000000000000000", "0101010101010101FEFEFEFEFEFEFEFE",
        "0123456789ABCDEF01FE01FE01FE01FE", "0123456789ABCDEF0123456789ABCDEF"})
    void aWeakTmkIsRefused(String key) {
        StringWriter err = new StringWriter();
        // a scenario file that is not there: were the key let through, the start would stop on it (78), not run on
        int code = run(err, "--tmk", key, "--port", "0", "--admin-port", "0", "--scenario", dir.resolve("none.yaml").toString(),
                "--ledger", dir.resolve("x.db").toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().startsWith("--tmk is refused: "), err.toString());
        assertFalse(err.toString().contains(key.substring(16)), err.toString());
        assertTrue(Files.notExists(dir.resolve("x.db")), "nothing was started");
    }

    /** A port out of range names the option and the value (it said "--port and --admin-port must be 0..65535"). */
    @ParameterizedTest
    @ValueSource(strings = {"--port", "--admin-port"})
    void aPortOutOfRangeIsNamedWithItsOption(String option) {
        StringWriter err = new StringWriter();
        String other = option.equals("--port") ? "--admin-port" : "--port";
        int code = run(err, other, "0", option, "70000", "--ledger", dir.resolve("x.db").toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().startsWith(option + " must be a port from 0 to 65535 (0 = any free port), got 70000"),
                err.toString());
        assertTrue(Files.notExists(dir.resolve("x.db")), "nothing was started");
    }

    /** picocli quotes a value it cannot convert; a PAN given by mistake is masked on standard error. */
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "-", ".", ",", ":", "/", "_"})
    void aPanGivenAsAnOptionValueIsNotEchoed(String separator) {
        String typed = String.join(separator, PAN.substring(0, 4), PAN.substring(4, 8), PAN.substring(8, 12),
                PAN.substring(12));
        StringWriter err = new StringWriter();
        CommandLine cmd = SimulatorCli.commandLine();
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("--port", typed, "--ledger", dir.resolve("x.db").toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().contains("--port"), err.toString());
        assertFalse(err.toString().contains(typed) || err.toString().contains(PAN.substring(4, 8)), err.toString());
    }

    /** A misspelt --tmk, or a key given where no option takes it: picocli quotes them back, the key is redacted. */
    @Test
    void aKeyAmongArgumentsThatDoNotMatchIsNotEchoed() {
        String key = "0123456789ABCDEFFEDCBA9876543210";
        for (String[] args : List.of(new String[] {"--tmkk", key}, new String[] {"--tmkk=" + key}, new String[] {key})) {
            StringWriter err = new StringWriter();
            CommandLine cmd = SimulatorCli.commandLine();
            cmd.setErr(new PrintWriter(err));
            List<String> all = new java.util.ArrayList<>(List.of(args));
            all.addAll(List.of("--ledger", dir.resolve("x.db").toString()));
            assertEquals(64, cmd.execute(all.toArray(String[]::new)), err.toString());
            assertFalse(err.toString().contains(key) || err.toString().contains("FEDCBA98"), err.toString());
            assertTrue(err.toString().contains("[redacted]"), err.toString());
        }
    }

    /**
     * A key pasted into an option that takes something else is quoted back by its refusal: the option's own ({@code
     * --mac}, picocli's), or the start's ({@code --cards} names the file it cannot read): withheld whatever its length,
     * and the message still says what was wrong.
     */
    @Test
    void aKeyGivenToAnotherOptionIsNotEchoed() {
        String key = "0123456789ABCDEFFEDCBA9876543210";
        record Case(String option, String value, int exit, String says) {
        }
        for (Case c : List.of(new Case("--cards", key, 78, "cannot read the cards file [redacted]: no such file"),
                new Case("--scenario", key, 78, "cannot read the scenario file [redacted]: no such file"),
                new Case("--mac", key.substring(1), 64, "--mac must be on or off, got '[bytes withheld]'"),
                new Case("--late-delay", key + "08D7B4", 64, "'[bytes withheld]' is not a duration"))) {
            StringWriter err = new StringWriter();
            CommandLine cmd = SimulatorCli.commandLine();
            cmd.setErr(new PrintWriter(err));
            int code = cmd.execute(c.option(), c.value(), "--port", "0", "--admin-port", "0",
                    "--ledger", dir.resolve("x.db").toString());
            assertEquals(c.exit(), code, err.toString());
            assertTrue(err.toString().contains(c.says()), err.toString());
            assertFalse(err.toString().contains(c.value()) || err.toString().contains("FEDCBA98"), err.toString());
        }
    }

    /**
     * A cards file with the first two columns swapped (docs/simulator.md §2): exit 78, the message names the line and
     * says what to fix, and the PAN is not on standard error (TestCards no longer quotes it; SimulatorCli scrubs too).
     */
    @Test
    void aCardsFileWithThePanInTheIdColumnExits78WithoutPrintingThePan() throws Exception {
        Path cards = dir.resolve("lab-cards.csv");
        Files.writeString(cards, "# id,pan,expiry_yymm,pin,balance,currency,description\n"
                + PAN + ",visa-1,3012,1234,100.00,840,x\n");
        StringWriter err = new StringWriter();
        CommandLine cmd = SimulatorCli.commandLine();
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("--cards", cards.toString(), "--port", "0", "--admin-port", "0",
                "--ledger", dir.resolve("z.db").toString());
        assertEquals(78, code, err.toString());
        assertTrue(err.toString().contains("lab-cards.csv line 2"), err.toString());
        assertTrue(err.toString().contains("it is not a PAN"), err.toString());
        assertFalse(err.toString().contains(PAN), err.toString());
        assertTrue(Files.notExists(dir.resolve("z.db")), "nothing was started");
    }

    /** A negative balance (the simulator opened the card in debt): exit 78 naming the line, and no ledger made. */
    @Test
    void aCardsFileWithANegativeBalanceExits78AndMakesNoLedger() throws Exception {
        Path cards = dir.resolve("lab-cards.csv");
        Files.writeString(cards, "visa-1," + PAN + ",3012,1234,-5.00,840,x\n");
        StringWriter err = new StringWriter();
        int code = run(err, "--cards", cards.toString(), "--port", "0", "--admin-port", "0",
                "--ledger", dir.resolve("z.db").toString());
        assertEquals(78, code, err.toString());
        assertTrue(err.toString().contains("lab-cards.csv line 1: balance of card visa-1 is negative"), err.toString());
        assertTrue(Files.notExists(dir.resolve("z.db")), "nothing was started");
    }

    /** A cards or scenario file that is not there: exit 78, said once with the reason (it said the path twice). */
    @ParameterizedTest
    @ValueSource(strings = {"--cards", "--scenario"})
    void aFileThatIsNotThereExits78SayingSo(String option) {
        Path missing = dir.resolve("missing.file");
        StringWriter err = new StringWriter();
        int code = run(err, option, missing.toString(), "--port", "0", "--admin-port", "0",
                "--ledger", dir.resolve("z.db").toString());
        assertEquals(78, code, err.toString());
        // the file name, not the whole path: a temp folder's long random number may pass Luhn, and is masked then
        assertTrue(err.toString().contains("missing.file: no such file (check the path given to " + option + ")"),
                err.toString());
        assertEquals(err.toString().indexOf(missing.toString()), err.toString().lastIndexOf(missing.toString()),
                "the path once: " + err);
        assertTrue(Files.notExists(dir.resolve("z.db")), "nothing was started");
    }

    /**
     * An empty path (a shell variable left unset: {@code --ledger "$LEDGER"}) is said to be empty, as a bad option (64),
     * before anything is made. Before, {@code --ledger ""} read "the ledger  is a directory; give a file, e.g.
     * tally-ledger.db" (the empty path is the current directory).
     */
    @ParameterizedTest
    @CsvSource({"--ledger, tally-ledger.db", "--scenario, lab.json", "--cards, test-cards.csv", "--message-log, messages.jsonl"})
    void anEmptyPathIsSaidToBeEmpty(String option, String example) throws Exception {
        StringWriter err = new StringWriter();
        List<String> args = new java.util.ArrayList<>(List.of("--port", "0", "--admin-port", "0"));
        if (!option.equals("--ledger")) {
            args.addAll(List.of("--ledger", dir.resolve("e.db").toString()));
        }
        args.addAll(List.of(option, ""));
        assertEquals(64, run(err, args.toArray(String[]::new)), err.toString());
        assertTrue(err.toString().startsWith(option + ": the value is empty; give a file, e.g. " + example + "\n"),
                err.toString());
        assertEquals(List.of(), names(dir), "nothing made");
    }

    @Test
    void unreadableScenarioFileExits78() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new SimulatorCli());
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("--scenario", dir.resolve("missing.json").toString(), "--ledger", dir.resolve("y.db").toString());
        assertEquals(78, code);
        assertTrue(err.toString().contains("missing.json"), err.toString());
    }

    /** Runs tally-sim in this process with {@code args}; its exit code, standard error in {@code err}. */
    private static int run(StringWriter err, String... args) {
        CommandLine cmd = SimulatorCli.commandLine();
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    /** The names in {@code d}, or none when it is not there. */
    private static List<String> names(Path d) throws java.io.IOException {
        if (Files.notExists(d)) {
            return List.of();
        }
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A message log that is a directory: refused as a bad option before the ledger is made. */
    @Test
    void aMessageLogThatIsADirectoryExits64AndMakesNoLedger() throws Exception {
        Path logDir = Files.createDirectory(dir.resolve("logs"));
        StringWriter err = new StringWriter();
        int code = run(err, "--port", "0", "--admin-port", "0", "--ledger", dir.resolve("new.db").toString(),
                "--message-log", logDir.toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().contains("--message-log") && err.toString().contains("is a directory"), err.toString());
        assertEquals(List.of("logs"), names(dir), "no ledger, no -wal or -shm");
    }

    /**
     * A message log that is the ledger (made or not), or the scenario file: its JSON lines went into the SQLite ledger
     * (and were lost to SQLite's next write), or ruined the scenario file (the next reload 422, the next start 78). Now
     * refused as a bad option (64) naming the file and what it is, before anything is made: the ledger neither made nor
     * opened (no -wal, no -shm), the files' bytes as they were. The ISO port is taken, so that a start let through stops
     * there (exit 1) instead of serving.
     */
    @Test
    void aMessageLogThatIsTheLedgerOrTheScenarioFileExits64AndChangesNothing() throws Exception {
        Path ledgerFile = dir.resolve("same.db");
        try (Ledger l = Ledger.open(ledgerFile, Clock.systemUTC(), TestCards.bundled().all().subList(0, 1))) {
            assertEquals(1, l.cards().size());
        }
        byte[] ledgerBefore = Files.readAllBytes(ledgerFile);
        Path scenario = Files.writeString(dir.resolve("sc.json"), "{\"rules\": [{\"match\": {\"amount\": 1234},"
                + " \"action\": {\"respond\": \"05\"}}]}\n");
        byte[] scenarioBefore = Files.readAllBytes(scenario);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(taken.getLocalPort());
            StringWriter err = new StringWriter();
            int code = run(err, "--port", port, "--admin-port", "0", "--ledger", ledgerFile.toString(),
                    "--message-log", ledgerFile.toString());
            assertEquals(64, code, err.toString());
            assertTrue(err.toString().startsWith("--message-log: the message log " + ledgerFile + " is the ledger"
                    + " (--ledger): a message log is appended to, which would damage it; give the message log a file"
                    + " of its own"), err.toString());

            err = new StringWriter();
            code = run(err, "--port", port, "--admin-port", "0", "--ledger", dir.resolve("new.db").toString(),
                    "--message-log", dir.resolve("logs/../new.db").toString());
            assertEquals(64, code, err.toString());
            assertTrue(err.toString().contains("is the ledger (--ledger)"), err.toString());

            err = new StringWriter();
            code = run(err, "--port", port, "--admin-port", "0", "--ledger", ledgerFile.toString(), "--scenario",
                    scenario.toString(), "--message-log", scenario.toString());
            assertEquals(64, code, err.toString());
            assertTrue(err.toString().startsWith("--message-log: the message log " + scenario + " is the scenario file"
                    + " (--scenario): "), err.toString());
        }
        assertEquals(List.of("same.db", "sc.json"), names(dir), "no new ledger, no -wal, no -shm");
        assertTrue(java.util.Arrays.equals(ledgerBefore, Files.readAllBytes(ledgerFile)), "the ledger file is unchanged");
        assertTrue(java.util.Arrays.equals(scenarioBefore, Files.readAllBytes(scenario)), "the scenario file is unchanged");
    }

    /** A bind address that does not resolve (.invalid never does, RFC 6761): refused before the ledger is made. */
    @Test
    void aBindAddressThatDoesNotResolveExits64AndMakesNoLedger() throws Exception {
        StringWriter err = new StringWriter();
        int code = run(err, "--bind", "notahost.invalid", "--port", "0", "--admin-port", "0",
                "--ledger", dir.resolve("new.db").toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().contains("--bind") && err.toString().contains("notahost.invalid")
                && err.toString().contains("does not resolve"), err.toString());
        assertEquals(List.of(), names(dir), "no ledger, no -wal or -shm");
    }

    /**
     * A port in use: exit 1 naming the port and its option, and nothing of this start is left (no new ledger with its
     * -wal and -shm, no new directories, no new message log); an existing empty file given as the ledger is still empty.
     */
    @ParameterizedTest
    @ValueSource(strings = {"--port", "--admin-port"})
    void aPortInUseExits1AndLeavesNothingBehind(String option) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(taken.getLocalPort());
            String isoPort = option.equals("--port") ? port : "0";
            String adminPort = option.equals("--admin-port") ? port : "0";
            Path newDir = dir.resolve("lab").resolve("day1");
            StringWriter err = new StringWriter();
            int code = run(err, "--port", isoPort, "--admin-port", adminPort,
                    "--ledger", newDir.resolve("ledger.db").toString(), "--message-log", newDir.resolve("messages.jsonl").toString());
            assertEquals(1, code, err.toString());
            assertTrue(err.toString().contains(option) && err.toString().contains("port " + port), err.toString());
            assertEquals(List.of(), names(dir), "the new ledger, its log and their directories are removed");

            Path empty = Files.createFile(dir.resolve("touched.db"));
            err = new StringWriter();
            assertEquals(1, run(err, "--port", isoPort, "--admin-port", adminPort, "--ledger", empty.toString()), err.toString());
            assertEquals(List.of("touched.db"), names(dir));
            assertEquals(0, Files.size(empty), "the empty file given is empty again");
        }
    }

    /**
     * A ledger of an earlier schema version, a cards file with a card it has no account for, and a port in use: the
     * start is refused before the ledger is opened, so the ledger is neither upgraded nor given the new account (its
     * bytes are as they were, and no -wal or -shm appears beside it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"--port", "--admin-port"})
    void aPortInUseLeavesAnExistingLedgerUntouched(String option) throws Exception {
        Path ledgerFile = dir.resolve("old.db");
        try (Ledger l = Ledger.open(ledgerFile, Clock.systemUTC(), TestCards.bundled().all().subList(0, 1))) {
            assertEquals(5, l.schemaVersion(), "made at the current version, 5");
        }
        // what version 3 left (as LedgerTest's migration tests have it); closing the last connection folds the WAL in
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + ledgerFile);
             java.sql.Statement st = c.createStatement()) {
            st.execute("DELETE FROM schema_version WHERE version >= 4");
            st.execute("ALTER TABLE transactions DROP COLUMN terminal_batch");
            for (String column : List.of("claimed_amount", "claimed_masked_pan", "claimed_order_ref")) {
                st.execute("ALTER TABLE reversal_messages DROP COLUMN " + column);
            }
        }
        assertEquals(List.of("old.db"), names(dir));
        byte[] before = Files.readAllBytes(ledgerFile);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(taken.getLocalPort());
            StringWriter err = new StringWriter();
            int code = run(err, "--port", option.equals("--port") ? port : "0",
                    "--admin-port", option.equals("--admin-port") ? port : "0", "--ledger", ledgerFile.toString());
            assertEquals(1, code, err.toString());
            assertTrue(err.toString().contains(option) && err.toString().contains("port " + port), err.toString());
        }
        assertEquals(List.of("old.db"), names(dir), "no -wal, no -shm");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(ledgerFile)), "the ledger file is unchanged");
    }

    /**
     * A message log where no file can be made though the permission bits say the directory is writable (/proc; /sys
     * for root): before, the check passed, the ledger was opened and given the cards file's new accounts, and then
     * the log failed with exit 1. Now the file is tried before anything is made: 64, the ledger untouched.
     */
    @Test
    void aMessageLogThatCannotBeMadeExits64AndLeavesTheLedgerUntouched() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux /proc");
        Path ledgerFile = dir.resolve("kept.db");
        try (Ledger l = Ledger.open(ledgerFile, Clock.systemUTC(), TestCards.bundled().all().subList(0, 1))) {
            assertEquals(1, l.cards().size());
        }
        byte[] before = Files.readAllBytes(ledgerFile);
        StringWriter err = new StringWriter();
        int code = run(err, "--port", "0", "--admin-port", "0", "--ledger", ledgerFile.toString(),
                "--message-log", "/proc/tally-no-such-log.jsonl");
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().startsWith("--message-log: the message log /proc/tally-no-such-log.jsonl cannot be"
                + " made: /proc takes no new files"), err.toString());
        assertEquals(List.of("kept.db"), names(dir), "no -wal, no -shm");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(ledgerFile)), "the ledger file is unchanged");
    }

    /**
     * A --ledger path under a regular file, or a directory: exit 64 with one line saying what is wrong and what to do,
     * and nothing made or removed. Before, exit 1 with "cannot open the ledger ...: <the file>" and three WARN lines
     * about removing files the start never made, or SQLite's raw "[SQLITE_IOERR_READ] ... disk I/O error".
     */
    @Test
    void aLedgerPathThatCannotBeAFileExits64WithAnActionableLine() throws Exception {
        Path afile = Files.writeString(dir.resolve("afile"), "kept");
        Path adir = Files.createDirectory(dir.resolve("adir"));
        StringWriter err = new StringWriter();
        assertEquals(64, run(err, "--port", "0", "--admin-port", "0", "--ledger", afile.resolve("l.db").toString()),
                err.toString());
        assertTrue(err.toString().startsWith("--ledger: the ledger " + afile.resolve("l.db") + " cannot be made: " + afile
                + " is a file, not a directory; give a path in a directory\n"), err.toString());

        err = new StringWriter();
        assertEquals(64, run(err, "--port", "0", "--admin-port", "0", "--ledger", adir.toString()), err.toString());
        assertTrue(err.toString().startsWith("--ledger: the ledger " + adir + " is a directory; give a file, e.g. "
                + adir.resolve("tally-ledger.db") + "\n"), err.toString());
        assertFalse(err.toString().contains("SQLITE"), err.toString());

        assertEquals(List.of("adir", "afile"), names(dir));
        assertEquals(List.of(), names(adir));
        assertEquals("kept", Files.readString(afile));
    }

    /**
     * A message log in a directory that does not exist and cannot be made (/proc/nope, /proc taking no new directory
     * though root's permission bits say it is writable): 64, as for a log that cannot be written, the ledger untouched.
     * Before, the check passed and the log failed to open: exit 1, "no such file".
     */
    @Test
    void aMessageLogWhoseDirectoryCannotBeMadeExits64() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux /proc");
        StringWriter err = new StringWriter();
        int code = run(err, "--port", "0", "--admin-port", "0", "--ledger", dir.resolve("new.db").toString(),
                "--message-log", "/proc/tally-nope/x.jsonl");
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().startsWith("--message-log: the message log /proc/tally-nope/x.jsonl cannot be made:"
                + " /proc takes no new directories; give a file in a directory you can write\n")
                || err.toString().startsWith("--message-log: the message log /proc/tally-nope/x.jsonl cannot be made:"
                + " permission denied; give a file in a directory you can write\n"), err.toString());
        assertEquals(List.of(), names(dir), "no ledger made");
    }

    /** The same port for both: a usage error before anything is made. */
    @Test
    void theSamePortForBothExits64AndMakesNoLedger() {
        StringWriter err = new StringWriter();
        int code = run(err, "--port", "18583", "--admin-port", "18583", "--ledger", dir.resolve("x.db").toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().startsWith("--port and --admin-port are both 18583; give two different ports"),
                err.toString());
        assertTrue(Files.notExists(dir.resolve("x.db")));
    }

    @Test
    void printsOneListeningLineServesAndStopsCleanlyOnSigterm() throws Exception {
        Path ledger = dir.resolve("cli.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED",
                SimulatorCli.class.getName(), "--port", "0", "--admin-port", "0", "--ledger", ledger.toString(),
                "--late-delay", "300ms")
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(60, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("listening iso8583=127\\.0\\.0\\.1:(\\d+) admin=(http://127\\.0\\.0\\.1:\\d+)").matcher(line);
            assertTrue(m.matches(), "got: " + line);
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(m.group(2) + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("UP", new ObjectMapper().readTree(health.body()).get("status").asText());
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertTrue(stderr.contains("simulator stopped"), stderr);
        try (Ledger l = Ledger.open(ledger, Clock.systemUTC(), List.of())) {
            assertEquals(5, l.schemaVersion(), "the ledger file is intact and reusable");
        }
    }

    @Test
    void aSimulatorThatIsKilledLeavesNoCopyOfTheSqliteLibraryInTheTempFolder() throws Exception {
        dev.tally.spec.jdbc.NativeLibraryChild.assertHaltedCommandLineLeftNothing(dir, ConfiguredChildMain.class.getName(),
                "simulator");
    }

    /** junit-platform.properties names temp folders with letters: no random number in a path to be masked as a card. */
    @Test
    void tempFoldersAreNamedWithLettersOnly() {
        assertTrue(dir.getFileName().toString().matches("junit-[a-z]{12}"), dir.toString());
    }

    /** A TMK that is not the lab's and not weak. */
    private static final String TMK = "0123456789ABCDEFFEDCBA9876543210";

    /** {@code text} in a file only its owner can read (as the docs say to keep a TMK file). */
    private Path ownerOnlyFile(String name, String text) throws java.io.IOException {
        Path f = Files.createFile(dir.resolve(name), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(f, text);
    }

    /** The configuration tally-sim would start with given {@code args}. */
    private static dev.tally.simulator.SimulatorConfig configOf(String... args) {
        SimulatorCli cli = new SimulatorCli();
        new CommandLine(cli).parseArgs(args);
        return cli.config();
    }

    /**
     * {@code --tmk-file FILE} gives the TMK without putting it on the command line (ps, /proc/PID/cmdline): the key is
     * the file's 32 hex digits, spaces and a newline around them allowed; a file only its owner reads is not warned of.
     */
    @Test
    void theTmkIsReadFromTmkFile() throws Exception {
        Path file = ownerOnlyFile("tmk.hex", "  " + TMK.toLowerCase(java.util.Locale.ROOT) + "\r\n\n");
        String[] said = new String[1];
        dev.tally.simulator.SimulatorConfig[] c = new dev.tally.simulator.SimulatorConfig[1];
        said[0] = stderrDuring(() -> c[0] = configOf("--tmk-file", file.toString(), "--ledger",
                dir.resolve("x.db").toString()));
        assertTrue(java.util.Arrays.equals(java.util.HexFormat.of().parseHex(TMK), c[0].tmk()), "the file's key");
        assertFalse(said[0].contains("can be read by other users") || said[0].contains("command line"), said[0]);
        assertFalse(said[0].toUpperCase(java.util.Locale.ROOT).contains(TMK.substring(16)), said[0]);
        // a weak key in a file is refused as on the command line; nothing started, the key not printed
        Files.writeString(file, "0123456789ABCDEF0123456789ABCDEF\n");
        StringWriter err = new StringWriter();
        int code = run(err, "--tmk-file", file.toString(), "--port", "0", "--admin-port", "0", "--scenario",
                dir.resolve("none.yaml").toString(), "--ledger", dir.resolve("x.db").toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().startsWith("--tmk-file is refused: the key in " + file + " is "), err.toString());
        assertFalse(err.toString().contains("89ABCDEF"), err.toString());
        assertEquals(List.of("tmk.hex"), names(dir), "nothing made");
    }

    /**
     * A TMK file that cannot give a key is a bad option (64) that says what is wrong with it, never what it holds, and
     * nothing is made: not there, a directory, empty, blank, gzip'd, a key a digit short, a KEY=VALUE line, too large.
     */
    @Test
    void aTmkFileThatHoldsNoKeyExits64SayingWhyAndMakesNothing() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("keys"));
        record Case(Path file, String says) {
        }
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(TMK.getBytes(StandardCharsets.US_ASCII));
        }
        Path gzFile = Files.write(folder.resolve("tmk.hex.gz"), gz.toByteArray());
        Path missing = folder.resolve("missing.hex");
        for (Case c : List.of(
                new Case(missing, "--tmk-file: cannot read the TMK file " + missing + ": no such file (check the path"
                        + " given to --tmk-file)"),
                new Case(folder, "--tmk-file: cannot read the TMK file " + folder + ": is a directory, not a file"),
                new Case(Files.writeString(folder.resolve("empty.hex"), ""), "--tmk-file: the TMK file "
                        + folder.resolve("empty.hex") + " is empty; it must hold the TMK alone, 32 hex digits"),
                new Case(Files.writeString(folder.resolve("blank.hex"), " \n"), " is empty (blank); it must hold"),
                new Case(gzFile, "--tmk-file: the TMK file " + gzFile + " is gzip-compressed, not text: gunzip it first"
                        + " (e.g. gunzip -k " + gzFile + ")"),
                new Case(Files.writeString(folder.resolve("short.hex"), TMK.substring(1) + "\n"),
                        " holds no TMK: it holds 31 hex digits; it must hold the TMK alone"),
                new Case(Files.writeString(folder.resolve("line.hex"), "tmk=" + TMK + "\n"), " holds no TMK: it holds"
                        + " characters that are no hex digits (a line such as tmk=...: give the key alone)"),
                new Case(Files.writeString(folder.resolve("big.hex"), (TMK + "\n").repeat(40)),
                        " holds more than 1024 bytes, so no TMK file"))) {
            StringWriter err = new StringWriter();
            int code = run(err, "--tmk-file", c.file().toString(), "--port", "0", "--admin-port", "0",
                    "--ledger", dir.resolve("x.db").toString());
            assertEquals(64, code, c.file() + ": " + err);
            assertTrue(err.toString().contains(c.says()), err.toString());
            assertFalse(err.toString().contains("89ABCDEF"), err.toString());
            assertTrue(Files.notExists(dir.resolve("x.db")), "nothing was started");
        }
    }

    /** --tmk and --tmk-file together: refused (64), nothing made; neither wins silently. */
    @Test
    void tmkAndTmkFileTogetherExit64() throws Exception {
        Path file = ownerOnlyFile("tmk.hex", TMK + "\n");
        StringWriter err = new StringWriter();
        int code = run(err, "--tmk", TMK, "--tmk-file", file.toString(), "--port", "0", "--admin-port", "0",
                "--ledger", dir.resolve("x.db").toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().startsWith("--tmk and --tmk-file both give the TMK; give one of them"), err.toString());
        assertFalse(err.toString().contains("89ABCDEF"), err.toString());
        assertEquals(List.of("tmk.hex"), names(dir), "nothing made");
    }

    /**
     * A TMK file others can read is used, with a warning naming it, what is at stake and the fix; --tmk on the command
     * line is used with a warning that other users see a command line, pointing to --tmk-file.
     */
    @Test
    void aTmkOthersCanSeeIsWarnedOf() throws Exception {
        Path file = ownerOnlyFile("tmk.hex", TMK + "\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        String said = stderrDuring(() -> configOf("--tmk-file", file.toString(), "--ledger", dir.resolve("x.db").toString()));
        assertTrue(said.contains("the TMK file " + file + " can be read by other users (rw-r--r--): whoever reads it"
                + " can decrypt every session key"), said);
        assertTrue(said.contains("; chmod 600 " + file), said);
        assertEquals(1, said.lines().filter(l -> l.contains("can be read by other users")).count(), said);

        said = stderrDuring(() -> configOf("--tmk", TMK, "--ledger", dir.resolve("x.db").toString()));
        assertTrue(said.contains("--tmk: the TMK is on the command line, which other users of this machine can see"
                + " (ps, /proc/PID/cmdline); prefer --tmk-file FILE"), said);
        assertFalse(said.contains(TMK.substring(16)), said);
        said = stderrDuring(() -> configOf("--ledger", dir.resolve("x.db").toString()));
        assertFalse(said.contains("--tmk"), "the lab TMK: nothing to warn of; " + said);
    }

    /** A --message-log that is the TMK file (or rotates onto it) is refused as the ledger is: 64, the file unchanged. */
    @Test
    void aMessageLogThatIsTheTmkFileExits64AndChangesNothing() throws Exception {
        Path file = ownerOnlyFile("tmk.hex", TMK + "\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), file);
        for (String log : List.of(file.toString(), link.toString())) {
            StringWriter err = new StringWriter();
            int code = run(err, "--tmk-file", file.toString(), "--port", "0", "--admin-port", "0",
                    "--ledger", dir.resolve("x.db").toString(), "--message-log", log);
            assertEquals(64, code, err.toString());
            assertTrue(err.toString().startsWith("--message-log: the message log " + log + " is the TMK file"
                    + " (--tmk-file): a message log is appended to"), err.toString());
        }
        Files.delete(link);
        Files.move(file, dir.resolve("m.jsonl.1"));
        StringWriter err = new StringWriter();
        int code = run(err, "--tmk-file", dir.resolve("m.jsonl.1").toString(), "--port", "0", "--admin-port", "0",
                "--ledger", dir.resolve("x.db").toString(), "--message-log", dir.resolve("m.jsonl").toString());
        assertEquals(64, code, err.toString());
        assertTrue(err.toString().contains("rotates to " + dir.resolve("m.jsonl.1") + ", which is the TMK file"),
                err.toString());
        assertEquals(List.of("m.jsonl.1"), names(dir), "nothing made");
        assertEquals(TMK + "\n", Files.readString(dir.resolve("m.jsonl.1")));
    }

    /** What is logged (slf4j-simple writes to System.err) while {@code body} runs. */
    private static String stderrDuring(Runnable body) {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(sink, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        String captured = sink.toString(StandardCharsets.UTF_8);
        original.print(captured);
        return captured;
    }
}
