package dev.tally.terminal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key pasted into the wrong option (or a key one digit short given to a misspelt one) is quoted back by the
 * refusal: every error and warning of {@code tally} goes through {@link TallyCli#forOperator}, which withholds it, and
 * the message still says what was wrong. Nothing here reaches a host: every command is refused before it connects.
 */
class KeyInTheWrongOptionTest {

    /** A double-length key as an operator would paste it (it is the reviewer's, not the lab TMK). */
    private static final String KEY = "0123456789ABCDEFFEDCBA9876543210";
    /** What shows the key was printed, whatever part of it: its middle. */
    private static final String KEY_MIDDLE = "FEDCBA98";

    @TempDir
    Path dir;

    private record Said(int exit, String out, String err) {
    }

    private Said run(String... args) {
        List<String> all = new ArrayList<>(List.of("--journal", dir.resolve("till.db").toString(), "--port", "1",
                "--timeout", "1"));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TallyCli.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
        return new Said(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertNoKey(Said s, String typed) {
        assertFalse(s.err().contains(typed) || s.err().contains(KEY_MIDDLE), s.err());
        assertFalse(s.out().contains(typed) || s.out().contains(KEY_MIDDLE), s.out());
    }

    @Test
    void aKeyGivenAsTheMerchantIdIsNotPrinted() {
        Said s = run("--merchant-id", KEY, "echo");
        assertEquals(ExitCodes.BAD_INPUT, s.exit(), s.err());
        assertTrue(s.err().contains("merchant id must be 15 letters or digits (field 42), got '[redacted]'"), s.err());
        assertNoKey(s, KEY);
    }

    /** A key and its check value, 38 hex digits: no key length, but a key all the same. */
    @Test
    void aKeyWithItsCheckValueGivenAsTheTerminalIdIsNotPrinted() {
        String typed = KEY + "08D7B4";
        Said s = run("--terminal-id", typed, "echo");
        assertEquals(ExitCodes.BAD_INPUT, s.exit(), s.err());
        assertTrue(s.err().contains("terminal id must be 8 letters or digits (field 41), got '[bytes withheld]'"),
                s.err());
        assertNoKey(s, typed);
    }

    @Test
    void aKeyGivenAsTheCurrencyIsNotPrintedInTheJsonErrorEither() {
        Said s = run("--json", "--currency", KEY, "echo");
        assertEquals(ExitCodes.BAD_INPUT, s.exit(), s.err());
        assertTrue(s.err().contains("currency must be an ISO 4217 numeric code"), s.err());
        assertTrue(s.out().contains("\"status\":\"ERROR\""), s.out());
        assertNoKey(s, KEY);
    }

    /**
     * As the host it is quoted three times: the lab TMK's warning, the connection's failure and its cause. Written as
     * an IPv6 literal it fails to resolve at once (no name server is asked).
     */
    @Test
    void aKeyGivenAsTheHostIsNotPrintedInTheWarningNorTheError() {
        Said s = run("--host", "[" + KEY + "]", "echo");
        assertEquals(ExitCodes.HOST_UNAVAILABLE, s.exit(), s.err());
        assertTrue(s.err().contains("tally: warning: using the public lab TMK (KCV 08D7B4) with the host [[redacted]]"),
                s.err());
        assertTrue(s.err().contains("cannot reach the host at [[redacted]]:1"), s.err());
        assertNoKey(s, KEY);
    }

    @Test
    void aKeyGivenAsTheCardsFileIsNotPrinted() {
        Said s = run("--cards", KEY, "sale", "--order", "A1", "--amount", "1.00", "--card", "visa");
        assertEquals(ExitCodes.BAD_INPUT, s.exit(), s.err());
        assertTrue(s.err().contains("cannot read the cards file [redacted]: no such file (check the path given to --cards)"),
                s.err());
        assertNoKey(s, KEY);
    }

    @Test
    void aKeyGivenAsTheLogToReplayIsNotPrinted() {
        Said s = run("replay", KEY, "--host", "127.0.0.1", "--port", "1");
        assertEquals(ExitCodes.BAD_INPUT, s.exit(), s.err());
        assertTrue(s.err().contains("[redacted]: no such file"), s.err());
        assertNoKey(s, KEY);
    }

    /** picocli quotes an option it does not know with its value: a key one digit short is no key length. */
    @Test
    void aKeyOneDigitShortGivenToAnUnknownOptionIsNotPrinted() {
        String typed = KEY.substring(0, 31);
        Said s = run("--key=" + typed, "echo");
        assertEquals(ExitCodes.BAD_INPUT, s.exit(), s.err());
        assertTrue(s.err().contains("Unknown option: '--key=[bytes withheld]'"), s.err());
        assertNoKey(s, typed);
    }

    /** The order id the command is about is quoted whole though it be 32 hex digits (a UUID): it names the order. */
    @Test
    void anOrderIdOf32HexDigitsIsStillQuotedInARefusal() {
        String uuid = "9f1c2ab4e07d4c1a8b3e5d6f7a8b9c0d";
        Said s = run("status", "--order", uuid);
        assertTrue(s.err().contains("order " + uuid + " is not in the journal"), s.err());
    }
}
