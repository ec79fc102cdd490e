package dev.tally.terminal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.LabKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The TMK's warnings on standard error: the published lab TMK used against a host that is not this machine, a key
 * typed on the command line (ps shows it), a config file holding it that others can read. Each said once; standard
 * output stays the command's.
 */
class MasterKeyWarningsTest {

    private static final String OTHER_TMK = "00112233445566778899AABBCCDDEEFF";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** The global options parsed as tally parses them, the command not run. */
    private TallyCli parsed(String... args) {
        TallyCli g = new TallyCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
        new CommandLine(g).parseArgs(args);
        return g;
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void theLabTmkAgainstAHostElsewhereIsWarnedOnce() {
        TallyCli g = parsed("--host", "192.0.2.10", "echo");
        assertArrayEquals(LabKeys.tmk(), TerminalSetup.tmk(g));
        TerminalSetup.tmk(g); // a command may resolve it twice (a recovery, then the payment)
        assertEquals(1, count(err(), "tally: warning: using the public lab TMK (KCV 08D7B4) with the host 192.0.2.10:"
                + " any session key it wraps can be read by anyone; give the acquirer's TMK with --tmk or tmk= in the"
                + " config file"), err());
        assertEquals("", out.toString(StandardCharsets.UTF_8), "standard output is the command's");
        assertFalse(err().contains("0123456789ABCDEF"), "the key itself is never printed");
    }

    /** replay and load have a --host of their own: the warning is about the host the key goes to. */
    @Test
    void theHostOfTheCommandIsTheOneJudged() {
        TallyCli g = parsed("echo");
        TerminalSetup.tmk(g, "203.0.113.7");
        assertTrue(err().contains("with the host 203.0.113.7"), err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "::1", "127.0.0.2"})
    void theLabTmkOnThisMachineIsSaidNothingAbout(String host) {
        TerminalSetup.tmk(parsed("--host", host, "echo"));
        assertEquals("", err());
    }

    @Test
    void aTmkTypedOnTheCommandLineIsWarnedOnceAndStillUsed() {
        TallyCli g = parsed("--tmk", OTHER_TMK, "echo");
        assertArrayEquals(java.util.HexFormat.of().parseHex(OTHER_TMK), TerminalSetup.tmk(g));
        TerminalSetup.tmk(g);
        assertEquals(1, count(err(), "tally: warning: the TMK given with --tmk can be read by other users of this machine"),
                err());
        assertTrue(err().contains("chmod 600") && err().contains("--config FILE"), err());
        assertFalse(err().contains("lab TMK"), err());
        assertFalse(err().contains(OTHER_TMK.substring(8, 24)), "the key itself is never printed: " + err());
    }

    @Test
    void aConfigFileHoldingTheTmkThatOthersCanReadIsNamedWithItsFix(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("till.properties");
        Files.writeString(config, "tmk=" + OTHER_TMK + "\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        int exit = run("--config", config.toString(), "decode", "--hex", "0800");
        // as printed: warnings are scrubbed, and a temp folder's random digits can read as a card number
        String shown = dev.tally.spec.format.Masking.scrubTyped(config.toString());
        assertEquals(1, count(err(), "tally: warning: the config file " + shown + " holds the TMK and other users can"
                + " read it (rw-r--r--)"), err());
        assertTrue(err().contains("chmod 600 " + shown), err());
        assertFalse(err().contains("--tmk can be read"), "the key did not come from the command line: " + err());
        assertFalse(err().contains(OTHER_TMK.substring(8, 24)), err());
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("warning"), "standard output is the command's");
        assertTrue(exit == 0 || exit == 64, "the command itself runs: " + exit + " " + err());
    }

    @Test
    void aConfigFileOnlyItsOwnerCanReadIsSaidNothingAbout(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("till.properties");
        Files.writeString(config, "tmk=" + OTHER_TMK + "\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        TallyCli g = new TallyCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
        CommandLine cmd = new CommandLine(g);
        java.util.Properties p = new java.util.Properties();
        p.setProperty("tmk", OTHER_TMK);
        cmd.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(p));
        cmd.parseArgs("echo");
        assertArrayEquals(java.util.HexFormat.of().parseHex(OTHER_TMK), TerminalSetup.tmk(g));
        assertEquals("", err(), "a key from the config file is not 'typed on the command line'");

        run("--config", config.toString(), "decode", "--hex", "0800");
        assertFalse(err().contains("warning"), err());
    }

    /** A weak key from the config file is refused naming tmk= in the config file, not a --tmk the operator never typed. */
    @Test
    void aWeakKeyFromTheConfigFileIsRefusedNamingTheConfigFile() {
        TallyCli g = new TallyCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
        CommandLine cmd = new CommandLine(g);
        java.util.Properties p = new java.util.Properties();
        p.setProperty("tmk", "0".repeat(32));
        cmd.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(p));
        cmd.parseArgs("echo");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TerminalSetup.tmk(g));
        assertTrue(e.getMessage().startsWith("tmk= (in the config file) is refused: "), e.getMessage());
    }

    /** A config file without the TMK is no secret: its permissions are the operator's business. */
    @Test
    void aReadableConfigFileWithoutTheTmkIsSaidNothingAbout(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("till.properties");
        Files.writeString(config, "timeout=30\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        run("--config", config.toString(), "decode", "--hex", "0800");
        assertFalse(err().contains("warning"), err());
    }

    private int run(String... args) {
        return TallyCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
    }
}
