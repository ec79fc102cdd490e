package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets a clear message and exit 64 (unreachable host: 69) and leaves the journal exactly as it was. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    Path dir;
    Lab lab;
    String journalBefore;
    byte[] fileBefore;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        lab = new Lab(dir, Duration.ofSeconds(3));
        assertEquals(0, lab.tally("sale", "--order", "INV-1", "--amount", "1.00").exit());
    }

    @AfterAll
    void stop() {
        try {
            lab.assertInvariant();
        } finally {
            lab.close();
        }
    }

    static Stream<Arguments> badSales() {
        return Stream.of(
                Arguments.of("negative amount", new String[] {"sale", "--order", "INV-2", "--amount", "-1"}),
                Arguments.of("zero amount", new String[] {"sale", "--order", "INV-2", "--amount", "0"}),
                Arguments.of("three decimals", new String[] {"sale", "--order", "INV-2", "--amount", "1.234"}),
                Arguments.of("letters", new String[] {"sale", "--order", "INV-2", "--amount", "ten"}),
                Arguments.of("above the limit", new String[] {"sale", "--order", "INV-2", "--amount", "1000000000.00"}),
                Arguments.of("1000-character order id", new String[] {"sale", "--order", "X".repeat(1000), "--amount", "1.00"}),
                Arguments.of("order id with a space", new String[] {"sale", "--order", "INV 2", "--amount", "1.00"}),
                Arguments.of("order id that is a card number", new String[] {"sale", "--order", "4761739001010119", "--amount", "1.00"}),
                Arguments.of("order id holding a card number in groups",
                        new String[] {"sale", "--order", "INV-4761.7390.0101.0119", "--amount", "1.00"}),
                Arguments.of("unknown card", new String[] {"sale", "--order", "INV-2", "--amount", "1.00", "--card", "nosuch"}),
                Arguments.of("unknown card PAN", new String[] {"sale", "--order", "INV-2", "--amount", "1.00", "--card", "4111111111111111"}),
                Arguments.of("no order", new String[] {"sale", "--amount", "1.00"}),
                Arguments.of("unknown command", new String[] {"refund", "--order", "INV-2"}),
                Arguments.of("bad timeout", new String[] {"--timeout", "-5", "sale", "--order", "INV-2", "--amount", "1.00"}),
                Arguments.of("bad TMK", new String[] {"--tmk", "12", "sale", "--order", "INV-2", "--amount", "1.00"}),
                Arguments.of("all-zero TMK", new String[] {"--tmk", "0".repeat(32), "sale", "--order", "INV-2", "--amount", "1.00"}),
                Arguments.of("TMK of DES weak keys",
                        new String[] {"--tmk", "0101010101010101FEFEFEFEFEFEFEFE", "sale", "--order", "INV-2", "--amount", "1.00"}),
                Arguments.of("currency without 2 decimals (yen)",
                        new String[] {"--currency", "392", "sale", "--order", "INV-2", "--amount", "100"}),
                Arguments.of("not a currency", new String[] {"--currency", "999", "sale", "--order", "INV-2", "--amount", "1.00"}),
                Arguments.of("no reversal attempts", new String[] {"--reversal-attempts", "0", "sale", "--order", "INV-2", "--amount", "1.00"}),
                Arguments.of("timeout in words", new String[] {"--timeout", "abc", "sale", "--order", "INV-2", "--amount", "1.00"}),
                Arguments.of("port in words", new String[] {"--port", "x", "sale", "--order", "INV-2", "--amount", "1.00"}),
                Arguments.of("reversal attempts with a decimal point",
                        new String[] {"--reversal-attempts", "2.5", "sale", "--order", "INV-2", "--amount", "1.00"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSales")
    void isRefusedWith64AndChangesNothing(String what, String[] args) throws Exception {
        String before = lab.journalDump();
        byte[] bytes = Files.readAllBytes(lab.journal);
        Lab.Run r = lab.tally(args);
        assertEquals(64, r.exit(), what + ": " + r);
        assertTrue(r.err().startsWith("tally: "), r.err());
        assertTrue(r.json().get("status").asText().equals("ERROR"), r.out());
        assertEquals(before, lab.journalDump(), what + " changed the journal");
        assertTrue(Arrays.equals(bytes, Files.readAllBytes(lab.journal)), what + " touched the journal file");
        assertTrue(r.err().length() < 400 || !r.err().contains("\tat "), "a message, not a stack trace: " + r.err());
    }

    /** A card number the reader does not know, written with separators no scrubbing sees, is never printed back. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("separatedCardNumbers")
    void anUnknownCardIsRefusedWithoutRepeatingIt(String card) throws Exception {
        String before = lab.journalDump();
        Lab.Run r = lab.tally("sale", "--order", "INV-2", "--amount", "1.00", "--card", card);
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("unknown card") && r.err().contains("visa-1"), "names what is allowed: " + r.err());
        assertFalse((r.out() + r.err()).contains("7390"), "the card value is printed: " + r);
        assertEquals(before, lab.journalDump());
    }

    static Stream<String> separatedCardNumbers() {
        return Stream.of("4761.7390.0101.0119", "4761-7390-0101-0119", "4761 7390 0101 0119", "4761/7390/0101/0119",
                "4761.7390");
    }

    /** A card number typed into the wrong place, its groups joined by whatever the person typed, is never printed back. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cardNumbersInTheWrongPlace")
    void aCardNumberInAnyOptionIsNeverPrintedBack(String what, String[] args) throws Exception {
        String before = lab.journalDump();
        Lab.Run r = lab.tally(args);
        assertEquals(64, r.exit(), what + ": " + r);
        assertFalse((r.out() + r.err()).contains("7390"), what + ": the card number is printed: " + r);
        assertEquals(before, lab.journalDump(), what + " changed the journal");
    }

    static Stream<Arguments> cardNumbersInTheWrongPlace() {
        List<Arguments> cases = new ArrayList<>();
        for (String sep : new String[] {",", ".", "/", ":", "_", " "}) {
            String pan = String.join(sep, "4761", "7390", "0101", "0119");
            cases.add(Arguments.of("amount, '" + sep + "'", new String[] {"sale", "--order", "INV-2", "--amount", pan}));
            cases.add(Arguments.of("terminal id, '" + sep + "'",
                    new String[] {"--terminal-id", pan, "sale", "--order", "INV-2", "--amount", "1.00"}));
            cases.add(Arguments.of("global option after the command, '" + sep + "'",
                    new String[] {"sale", "--order", "INV-2", "--amount", "1.00", "--currency", pan}));
        }
        return cases.stream();
    }

    /** Before, the cleanup joined a reversal thread never started: 'tally: Thread not started', the cause lost. */
    @Test
    void serveOnABusyApiPortSaysSoAndWhatToDo() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String before = lab.journalDump();
            Lab.Run r = lab.tally("serve", "--api-port", String.valueOf(busy.getLocalPort()));
            assertEquals(64, r.exit(), r.toString());
            assertTrue(r.err().contains("cannot serve the cashier API on 127.0.0.1:" + busy.getLocalPort())
                    && r.err().contains("--api-port"), r.err());
            assertEquals(before, lab.journalDump());
            assertEquals(0, lab.tally("sale", "--order", "INV-AFTER-SERVE", "--amount", "1.00").exit(),
                    "the journal was let go");
        }
    }

    @Test
    void anOrderIdThatIsACardNumberIsRefusedAndANumericInvoiceIdIsNot() {
        Lab.Run card = lab.tally("sale", "--order", "4761-7390-0101-0119", "--amount", "1.00");
        assertEquals(64, card.exit(), card.toString());
        assertTrue(card.err().contains("looks like a card number: use your invoice or order id"), card.err());
        assertFalse((card.out() + card.err()).contains("7390"), card.toString());
        assertTrue(lab.ledger("4761-7390-0101-0119").isEmpty(), "nothing sent");
        // 16 digits that fail the Luhn check: an invoice number, not a card number
        Lab.Run invoice = lab.tally("sale", "--order", "4761739001010118", "--amount", "1.00");
        assertEquals(0, invoice.exit(), invoice.toString());
        assertEquals(1, lab.standingDebits("4761739001010118"));
    }

    static final String TMK = "0123456789ABCDEFFEDCBA9876543210";

    /** picocli quotes unmatched arguments back; a key among them (a global option after the subcommand, a typo) is not. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("keysOutOfPlace")
    void aKeyOutOfPlaceIsRefusedWithoutPrintingIt(String what, String key, String[] args) {
        String before = lab.journalDump();
        List<String> all = new ArrayList<>(List.of("--journal", lab.journal.toString(), "--json"));
        all.addAll(List.of(args));
        Lab.Run r = Lab.raw(all.toArray(String[]::new));
        assertEquals(64, r.exit(), what + ": " + r);
        assertFalse((r.out() + r.err()).toUpperCase().contains(key.toUpperCase()), what + ": key printed: " + r);
        assertFalse((r.out() + r.err()).toUpperCase().contains(key.substring(0, 16).toUpperCase()), what + ": key printed: " + r);
        assertEquals("ERROR", r.status());
        assertEquals(before, lab.journalDump());
    }

    static Stream<Arguments> keysOutOfPlace() {
        String k48 = TMK + "0011223344556677";
        return Stream.of(
                Arguments.of("--tmk after the subcommand", TMK, new String[] {"sale", "--order", "A", "--amount", "1.00", "--tmk", TMK}),
                Arguments.of("--tmk=KEY after the subcommand", TMK, new String[] {"sale", "--order", "A", "--amount", "1.00", "--tmk=" + TMK}),
                Arguments.of("a misspelt --tmk", TMK, new String[] {"--tmkk", TMK, "sale", "--order", "A", "--amount", "1.00"}),
                Arguments.of("a misspelt --tmk=, short key", "0123456789ABCDEFFEDCBA98", new String[] {"--TMK=0123456789ABCDEFFEDCBA98", "echo"}),
                Arguments.of("a lower-case key after the subcommand", TMK.toLowerCase(), new String[] {"echo", "--tmk", TMK.toLowerCase()}),
                Arguments.of("a triple-length key as a stray argument", k48, new String[] {"echo", k48}));
    }

    @Test
    void aGlobalOptionAfterTheSubcommandIsNamedAsSuch() {
        Lab.Run r = Lab.raw("--journal", lab.journal.toString(), "sale", "--order", "A", "--amount", "1.00", "--tmk", TMK);
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("--tmk is a global option: put it before the subcommand, e.g. 'tally --tmk HEX sale ...'"),
                r.err());
        assertFalse(r.err().contains(TMK), r.err());
    }

    @Test
    void anUnreachableHostSaysSoAndChangesNothing() throws Exception {
        // port 1: nothing listens there (binding it needs privileges), so the connection is refused at once; a free port
        // found and closed here could be taken by another process (or a connection's local end) before the sale runs
        int closedPort = 1;
        String before = lab.journalDump();
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(closedPort),
                "--journal", lab.journal.toString(), "--timeout", "1", "sale", "--order", "INV-3", "--amount", "1.00"));
        Lab.Run r = Lab.raw(args.toArray(String[]::new));
        assertEquals(69, r.exit(), r.toString());
        assertTrue(r.err().contains("cannot reach the host at 127.0.0.1:" + closedPort + ": connection refused"), r.err());
        assertTrue(r.err().contains("this command's request was not sent"), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("j.n.") || r.err().contains("BaseChannel"),
                "the reason in words, not jPOS's class and line: " + r.err());
        assertEquals(before, lab.journalDump());
    }

    @Test
    void helpDocumentsTheExitCodes() {
        Lab.Run r = Lab.raw("--help");
        assertEquals(0, r.exit());
        for (String code : List.of("0   approved", "2   declined", "3   refused", "4   no approval", "64  bad input", "1   internal")) {
            assertTrue(r.out().contains(code), "help lacks '" + code + "':\n" + r.out());
        }
    }

    @Test
    void aConfigFileSetsDefaultsAndFlagsWin() throws Exception {
        Path cfg = dir.resolve("tally.properties");
        Files.writeString(cfg, "host=127.0.0.1\nport=" + lab.sim.isoPort() + "\njournal=" + lab.journal
                + "\ntimeout=5\nterminal-id=TALLY001\n"); // an approval is expected: a timeout a loaded machine answers within
        Lab.Run r = Lab.raw("--config", cfg.toString(), "--json", "sale", "--order", "INV-CFG", "--amount", "2.00");
        assertEquals(0, r.exit(), r.toString());
        Lab.Run bad = Lab.raw("--config", cfg.toString(), "--port", "1", "--json", "echo");
        assertEquals(69, bad.exit(), "the --port flag wins over the file: " + bad);
        Lab.Run missing = Lab.raw("--config", dir.resolve("nope.properties").toString(), "echo");
        assertEquals(64, missing.exit(), missing.toString());
    }

    /**
     * A Windows path in a config file ({@code journal=C:\\users\\...}) reads as a broken \\u escape: it said only
     * "Malformed \\uxxxx encoding.". Now the file, the line (comments are not read) and what to write; nothing done.
     */
    @Test
    void aConfigFileWithABrokenBackslashUEscapeNamesTheLine() throws Exception {
        Path cfg = dir.resolve("windows.properties");
        Files.writeString(cfg, "# till 3, copied from C:\\users\\till\n\nport=" + lab.sim.isoPort()
                + "\njournal=C:\\users\\till\\journal.db\n");
        String before = lab.journalDump();
        Lab.Run r = Lab.raw("--config", cfg.toString(), "sale", "--order", "INV-WIN", "--amount", "2.00");
        assertEquals(64, r.exit(), r.toString());
        // not the whole path: a temp folder's long random number may pass Luhn, and is masked on the way out then
        assertTrue(r.err().startsWith("tally: the config file ") && r.err().contains(cfg.getFileName()
                + " line 4: a backslash followed by 'u' must start"
                + " a \\uXXXX escape"), r.err());
        assertTrue(r.err().contains("use / in paths"), r.err());
        assertFalse(r.err().contains("Malformed"), r.err());
        assertEquals(before, lab.journalDump());

        Lab.Run missing = Lab.raw("--config", dir.resolve("nope.properties").toString(), "echo");
        assertEquals(64, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("cannot read the config file ")
                && missing.err().contains("nope.properties: no such file (check the path given to --config)"), missing.err());
    }

    /** It was "port out of range:70000", after a new journal had been made. Now refused before anything is opened. */
    @Test
    void aPortOutOfRangeIsRefusedBeforeTheJournalIsMade() throws Exception {
        Path fresh = dir.resolve("port-test").resolve("journal.db");
        for (String port : List.of("70000", "0", "-1")) {
            Lab.Run r = Lab.raw("--port", port, "--journal", fresh.toString(), "--json", "sale", "--order", "INV-PORT",
                    "--amount", "1.00");
            assertEquals(64, r.exit(), r.toString());
            assertTrue(r.err().startsWith("tally: --port must be the host's port, 1 to 65535, got " + port), r.err());
            assertFalse(Files.exists(fresh.getParent()), "nothing made: " + r);
        }
    }

    /** A misspelt setting would silently keep its default (a 60 s timeout for 'timout=3'): refused, naming it. */
    @Test
    void aConfigFileWithAnUnknownSettingIsRefused() throws Exception {
        Path cfg = dir.resolve("typo.properties");
        Files.writeString(cfg, "port=" + lab.sim.isoPort() + "\njournal=" + lab.journal + "\ntimout=3\nlocation=Ward 3\n");
        String before = lab.journalDump();
        Lab.Run r = Lab.raw("--config", cfg.toString(), "sale", "--order", "INV-TYPO", "--amount", "2.00");
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("unknown setting 'timout'") && r.err().contains("timeout=30"), r.err());
        assertEquals(before, lab.journalDump());
        Files.writeString(cfg, "port=" + lab.sim.isoPort() + "\njournal=" + lab.journal + "\ntimeout=3\nlocation=Ward 3\n"
                + "operator=J. Doe\nmessage-log-keep=2\n");
        assertEquals(0, Lab.raw("--config", cfg.toString(), "sale", "--order", "INV-TYPO", "--amount", "2.00").exit(),
                "option names (of any command) and the report's keys are settings");
        // picocli reads 'tally.sale.x' and 'x', never 'sale.x': that one would be ignored, so it is refused
        Files.writeString(cfg, "port=" + lab.sim.isoPort() + "\njournal=" + lab.journal + "\nsale.timeout=3\n");
        Lab.Run prefixed = Lab.raw("--config", cfg.toString(), "sale", "--order", "INV-TYPO2", "--amount", "2.00");
        assertEquals(64, prefixed.exit(), prefixed.toString());
        assertTrue(prefixed.err().contains("unknown setting 'sale.timeout'"), prefixed.err());
        Files.writeString(cfg, "tally.port=" + lab.sim.isoPort() + "\njournal=" + lab.journal + "\ntally.timeout=3\n");
        assertEquals(0, Lab.raw("--config", cfg.toString(), "sale", "--order", "INV-TYPO2", "--amount", "2.00").exit(),
                "qualified by the command, as picocli reads them");
    }

    /** A setting given twice took the last line's value unseen (port=1 after port=8583): refused, naming it. */
    @Test
    void aConfigFileGivingASettingTwiceIsRefusedAndSpacesAfterAValueAreNotPartOfIt() throws Exception {
        Path cfg = dir.resolve("twice.properties");
        Files.writeString(cfg, "port=" + lab.sim.isoPort() + "\njournal=" + lab.journal + "\ntimeout=3\nport=1\n");
        String before = lab.journalDump();
        Lab.Run r = Lab.raw("--config", cfg.toString(), "sale", "--order", "INV-TWICE", "--amount", "2.00");
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("gives 'port' more than once"), r.err());
        assertEquals(before, lab.journalDump());
        Files.writeString(cfg, "port = " + lab.sim.isoPort() + "  \njournal=" + lab.journal + "\ntimeout = 3 \n");
        Lab.Run spaced = Lab.raw("--config", cfg.toString(), "sale", "--order", "INV-TWICE", "--amount", "2.00");
        assertEquals(0, spaced.exit(), "'port = 8583 ' is port 8583: " + spaced);
        // but a text setting keeps them: a merchant id (field 42) is right-padded with spaces to 15 characters
        Files.writeString(cfg, "port=" + lab.sim.isoPort() + "\njournal=" + lab.journal + "\ntimeout=3\nmerchant-id=SHOP1"
                + " ".repeat(10) + "\n");
        Lab.Run padded = Lab.raw("--config", cfg.toString(), "sale", "--order", "INV-PADDED", "--amount", "2.00");
        assertEquals(0, padded.exit(), "a merchant id padded with spaces: " + padded);
    }
}
