package dev.tally.terminal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad value of a support command's option (replay, report) is a plain message naming the option, what it takes and
 * what was given, exit 64, and nothing is sent or written; it was picocli's "'x' is not an int" or BigDecimal's
 * NumberFormatException text.
 */
class SupportOptionsTest {

    record Run(int exit, String out, String err) {
    }

    static Run tally(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = TallyCli.run(args, o, e, Clock.systemUTC());
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBadValueIsAPlainMessageAndNothingIsSentOrWritten(@TempDir Path dir) throws Exception {
        Path log = recordedSignOn(dir);
        Path written = dir.resolve("replay-messages.jsonl");
        try (ServerSocketChannel host = ServerSocketChannel.open()) {
            host.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            host.configureBlocking(false);
            String port = String.valueOf(host.socket().getLocalPort());
            List<String[]> cases = new ArrayList<>();
            // the words of the global options' (PlainNumbers), then their range checks
            cases.add(new String[] {"--timeout", "abc", "Invalid value for option '--timeout': 'abc' is not a number"
                    + " (write it with digits and at most one '.', e.g. 60 or 2.5)"});
            cases.add(new String[] {"--timeout", "5s", "'--timeout': '5s' is not a number"});
            cases.add(new String[] {"--timeout", "1e9", "'--timeout': '1e9' is not a number"});
            cases.add(new String[] {"--timeout", "0", "--timeout must be more than 0 to 86400 seconds, got 0"});
            cases.add(new String[] {"--timeout", "86400.5", "--timeout must be more than 0 to 86400 seconds, got 86400.5"});
            cases.add(new String[] {"--port", "x", "Invalid value for option '--port': 'x' is not a whole number"
                    + " (digits only, e.g. 3)"});
            cases.add(new String[] {"--port", "99999999999", "'--port': '99999999999' is too large"});
            cases.add(new String[] {"--port", "70000", "--port must be the host's port, 1 to 65535, got 70000"});
            for (String[] c : cases) {
                List<String> args = new ArrayList<>(List.of("--message-log", written.toString(), "replay", log.toString(),
                        "--host", "127.0.0.1", "--speed", "max"));
                if (!c[0].equals("--port")) {
                    args.addAll(List.of("--port", port));
                }
                args.addAll(List.of(c[0], c[1]));
                for (boolean json : List.of(false, true)) {
                    List<String> a = new ArrayList<>(args);
                    if (json) {
                        a.add("--json");
                    }
                    Run r = tally(a.toArray(String[]::new));
                    assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.toString());
                    String said = json ? r.out() : r.err();
                    assertTrue(said.contains(c[2]), c[0] + " " + c[1] + ": " + r);
                    for (String raw : List.of("BigDecimal", "NumberFormatException", "is not an int", "java.")) {
                        assertFalse(r.toString().contains(raw), raw + ": " + r);
                    }
                }
                assertNull(host.accept(), "a replay with a bad " + c[0] + " connected to the host");
                assertFalse(Files.exists(written), "a replay with a bad " + c[0] + " wrote its message log");
            }
        }
        Path journal = dir.resolve("journal.db");
        for (String bad : List.of("abc", "12x", "1.5")) {
            Run r = tally("--journal", journal.toString(), "report", "--stan", bad);
            assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.toString());
            assertTrue(r.err().contains("Invalid value for option '--stan': '" + bad + "' is not a whole number"),
                    r.toString());
            assertFalse(Files.exists(journal), "report made a journal");
        }
        for (String bad : List.of("0", "1234567", "-5")) {
            Run r = tally("--journal", journal.toString(), "report", "--stan", bad);
            assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.toString());
            assertTrue(r.err().contains("--stan must be 1 to 999999, a STAN (e.g. 123 or 000123; a STAN is never 0), got '"
                    + bad + "'"), r.toString());
            assertFalse(Files.exists(journal), "report made a journal");
        }
    }

    /**
     * One parser per kind of value: replay's --port and --timeout refuse a value in the very words the global options
     * do, and take what they take ('2.5000' seconds was refused by replay, taken as the global --timeout).
     */
    @Test
    void replaysNumberOptionsReadAsTheGlobalOnesDo(@TempDir Path dir) throws Exception {
        Path log = recordedSignOn(dir);
        int closed;
        try (ServerSocketChannel gone = ServerSocketChannel.open()) { // a port nothing listens on once closed
            gone.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closed = gone.socket().getLocalPort();
        }
        for (String[] c : List.of(new String[] {"--port", "abc"}, new String[] {"--port", "99999999999"},
                new String[] {"--timeout", "abc"}, new String[] {"--timeout", "2,5"})) {
            Run global = tally(c[0], c[1], "--journal", dir.resolve("g.db").toString(), "journal");
            Run replay = tally("replay", log.toString(), "--host", "127.0.0.1", c[0], c[1]);
            assertEquals(ExitCodes.BAD_INPUT, global.exit(), global.toString());
            assertEquals(ExitCodes.BAD_INPUT, replay.exit(), replay.toString());
            String words = global.err().strip().replace(" (see 'tally --help')", "");
            assertEquals(words, replay.err().strip(), "replay " + c[0] + " " + c[1]);
        }
        // taken by both: the replay runs (its log holds only a sign-on, which is not replayed: nothing is sent)
        Run replay = tally("replay", log.toString(), "--host", "127.0.0.1", "--port", String.valueOf(closed),
                "--timeout", "2.5000");
        assertEquals(ExitCodes.OK, replay.exit(), replay.toString());
        assertFalse(replay.err().contains("--timeout"), replay.toString());
    }

    /**
     * A replay whose recorded request is refused (a sale without fields the catalogue requires) writes no message log:
     * docs/support.md says bad input is refused before anything is sent or written. It left an empty --message-log
     * file, made before the requests were checked.
     */
    @Test
    void aRefusedReplayWritesNoMessageLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("recorded.jsonl");
        Files.writeString(log, "{\"ts\":1795337000101,\"dir\":\"OUT\",\"peer\":\"127.0.0.1:8583\",\"terminalId\":\"TALLY001\","
                + "\"mti\":\"0200\",\"stan\":\"000002\",\"messageId\":\"attempt-1\",\"event\":\"REQUEST\","
                + "\"fields\":{\"PAN\":\"476173******0119\",\"PROCESSING_CODE\":\"000000\",\"AMOUNT\":\"000000000500\","
                + "\"STAN\":\"000002\",\"TERMINAL_ID\":\"TALLY001\"}}\n");
        Path written = dir.resolve("replay-messages.jsonl");
        try (ServerSocketChannel host = ServerSocketChannel.open()) {
            host.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            host.configureBlocking(false);
            Run r = tally("--message-log", written.toString(), "replay", log.toString(), "--host", "127.0.0.1",
                    "--port", String.valueOf(host.socket().getLocalPort()));
            assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.toString());
            assertTrue(r.err().contains("recorded.jsonl line 1"), r.toString());
            assertNull(host.accept(), "a refused replay connected to the host");
            assertFalse(Files.exists(written), "a refused replay made its message log: " + r);
        }
    }

    /** A message log of one recorded sign-on request: something for replay to send. */
    private static Path recordedSignOn(Path dir) throws java.io.IOException {
        Path log = dir.resolve("recorded.jsonl");
        Files.writeString(log, "{\"ts\":1795337000101,\"dir\":\"OUT\",\"peer\":\"127.0.0.1:8583\",\"terminalId\":\"TALLY001\","
                + "\"mti\":\"0800\",\"stan\":\"000001\",\"messageId\":\"sign-on-000001\",\"event\":\"REQUEST\","
                + "\"fields\":{\"PROCESSING_CODE\":\"920000\",\"STAN\":\"000001\",\"TERMINAL_ID\":\"TALLY001\"}}\n");
        return log;
    }
}
