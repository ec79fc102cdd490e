package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message log copied while 'serve' writes it, or left by a writer that stopped (docs/support.md §1), ends in a line
 * cut short: 'decode --file', 'report' and 'replay' leave that last line out with a warning naming it, and read the
 * rest. They refused the whole log ("cutend.log line 190: not a Tally message-log line: Unexpected end-of-input ...",
 * exit 64). A line cut short in the middle is still refused, the error saying how to leave it out.
 */
class CutShortMessageLogTest {

    @TempDir
    Path dir;
    Lab lab;
    Path log;
    List<String> lines;

    @BeforeEach
    void record() throws Exception {
        lab = new Lab(dir, Duration.ofSeconds(3));
        log = dir.resolve("messages.jsonl");
        assertEquals(0, lab.tally("--message-log", log.toString(), "sale", "--order", "A-1", "--amount", "3.00").exit());
        assertEquals(0, lab.tally("--message-log", log.toString(), "sale", "--order", "A-2", "--amount", "4.00").exit());
        lines = Files.readAllLines(log);
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    /** The log as copied while its last line was being written: that line's first half, no line break after it. */
    private Path cutAtTheEnd() throws Exception {
        Path cut = dir.resolve("cutend.jsonl");
        String last = lines.getLast();
        Files.writeString(cut, String.join("\n", lines.subList(0, lines.size() - 1)) + "\n"
                + last.substring(0, last.length() / 2));
        return cut;
    }

    /** The log with line {@code n}'s second half gone, the lines after it still there. */
    private Path cutInTheMiddle(int n) throws Exception {
        Path cut = dir.resolve("cutmiddle.jsonl");
        List<String> broken = new ArrayList<>(lines);
        broken.set(n - 1, broken.get(n - 1).substring(0, broken.get(n - 1).length() / 2));
        Files.write(cut, broken);
        return cut;
    }

    private String leftOut(Path cut) {
        return "tally: warning: " + cut.getFileName() + " line " + lines.size() + " is cut short (the log was copied"
                + " while written, or its writer stopped): left out";
    }

    private static void saysOnce(Lab.Run r, String warning) {
        List<String> said = r.err().lines().filter(l -> l.contains("is cut short")).toList();
        assertEquals(1, said.size(), r.toString());
        assertTrue(said.getFirst().endsWith(warning.substring("tally: warning: ".length())), r.toString());
        assertTrue(said.getFirst().startsWith("tally: warning: "), r.toString());
    }

    @Test
    void decodeReportAndReplayLeaveOutALastLineCutShort() throws Exception {
        Path cut = cutAtTheEnd();
        int messages = (int) lines.subList(0, lines.size() - 1).stream().filter(l -> l.contains("\"mti\"")).count();

        Lab.Run decode = Lab.raw("decode", "--file", cut.toString());
        assertEquals(0, decode.exit(), decode.toString());
        saysOnce(decode, leftOut(cut));
        assertTrue(decode.out().contains("message " + messages + " of " + messages), decode.out());

        Lab.Run report = Lab.raw("--journal", lab.journal.toString(), "--message-log", cut.toString(), "report",
                "--order", "A-1");
        assertEquals(0, report.exit(), report.toString());
        saysOnce(report, leftOut(cut));
        assertTrue(report.out().contains("A-1"), report.out());

        Lab.Run replay = Lab.raw("--json", "replay", cut.toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(lab.sim.isoPort()), "--speed", "max", "--timeout", "3");
        assertEquals(0, replay.exit(), replay.toString());
        saysOnce(replay, leftOut(cut));
        assertTrue(replay.json().get("warnings").toString().contains(" is cut short (the log was copied while written,"
                + " or its writer stopped): left out"), replay.out());
        assertEquals(2, replay.json().get("totals").get("sent").asInt(), replay.out());
    }

    /**
     * The same, the copy's end falling inside a character of the last line (a note in UTF-8, as another system's text may
     * hold: here inside €, E2 82 AC): decode, report and replay leave that line out with the same warning. They refused
     * the whole log: "cutchar.jsonl is not UTF-8 text (byte 0xE2 at offset ...)". Such bytes where a line follows, or at
     * the end of a hex dump, are still refused.
     */
    @Test
    void aLastLineCutInsideACharacterIsLeftOutAsAnyLastLineCutShort() throws Exception {
        String last = lines.getLast();
        String withNote = last.substring(0, last.length() - 1) + ",\"note\":\"5,00 \u20ac\"}";
        byte[] head = (String.join("\n", lines.subList(0, lines.size() - 1)) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = withNote.getBytes(StandardCharsets.UTF_8);
        int inside = tail.length - 4; // after E2 of E2 82 AC, before 82 AC " }
        Path cut = dir.resolve("cutchar.jsonl");
        assertEquals((byte) 0xE2, tail[inside - 1]);
        Files.write(cut, concat(head, Arrays.copyOf(tail, inside)));

        Lab.Run decode = Lab.raw("decode", "--file", cut.toString());
        assertEquals(0, decode.exit(), decode.toString());
        saysOnce(decode, leftOut(cut));
        java.io.InputStream saved = dev.tally.terminal.cli.DecodeCommand.setStdin(Files.newInputStream(cut));
        Lab.Run piped;
        try {
            piped = Lab.raw("decode", "-");
        } finally {
            dev.tally.terminal.cli.DecodeCommand.setStdin(saved);
        }
        assertEquals(0, piped.exit(), "the same log piped in: " + piped);
        assertTrue(piped.err().contains("standard input line " + lines.size() + " is cut short"), piped.err());
        Lab.Run report = Lab.raw("--journal", lab.journal.toString(), "--message-log", cut.toString(), "report",
                "--order", "A-1");
        assertEquals(0, report.exit(), report.toString());
        saysOnce(report, leftOut(cut));
        Lab.Run replay = Lab.raw("replay", cut.toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(lab.sim.isoPort()), "--speed", "max", "--timeout", "3");
        assertEquals(0, replay.exit(), replay.toString());
        saysOnce(replay, leftOut(cut));

        // a line after it: the byte is refused, by each of them
        Files.write(cut, concat(concat(head, Arrays.copyOf(tail, inside)), ("\n" + last + "\n").getBytes(StandardCharsets.UTF_8)));
        var before = lab.sim.metrics().requestsByMti();
        for (Lab.Run r : List.of(Lab.raw("decode", "--file", cut.toString()),
                Lab.raw("--journal", lab.journal.toString(), "--message-log", cut.toString(), "report", "--order", "A-1"),
                Lab.raw("replay", cut.toString(), "--host", "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()),
                        "--speed", "max"))) {
            assertEquals(64, r.exit(), r.toString());
            assertTrue(r.err().contains(cut + " is not UTF-8 text (byte 0xE2 at offset " + (head.length + inside - 1) + ")"),
                    r.toString());
        }
        assertEquals(before, lab.sim.metrics().requestsByMti(), "the replay sent nothing");
        // a hex dump is no log: a character cut short at its end is refused as before
        Path hex = dir.resolve("dump.txt");
        Files.write(hex, concat("0800".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xE2, (byte) 0x82}));
        Lab.Run dump = Lab.raw("decode", "--file", hex.toString());
        assertEquals(64, dump.exit(), dump.toString());
        assertTrue(dump.err().contains(hex + " is not UTF-8 text (byte 0xE2 at offset 4)"), dump.toString());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aLineCutShortInTheMiddleIsRefusedSayingHowToLeaveItOut() throws Exception {
        int n = 2;
        Path cut = cutInTheMiddle(n);
        List<Lab.Run> runs = List.of(
                Lab.raw("decode", "--file", cut.toString()),
                Lab.raw("--journal", lab.journal.toString(), "--message-log", cut.toString(), "report", "--order", "A-1"),
                Lab.raw("replay", cut.toString(), "--host", "127.0.0.1", "--port", String.valueOf(lab.sim.isoPort()),
                        "--speed", "max"));
        var before = lab.sim.metrics().requestsByMti();
        for (Lab.Run r : runs) {
            assertEquals(64, r.exit(), r.toString());
            assertEquals("", r.out(), "no report: " + r);
            assertEquals(1, r.err().lines().count(), r.toString());
            assertTrue(r.err().contains(cut.getFileName() + " line " + n + " is not a complete message-log line ("),
                    r.toString());
            assertTrue(r.err().strip().endsWith("it was cut short where its writer stopped, or changed by hand; to read"
                    + " the rest, delete that line from a copy of the log (sed -i '" + n + "d' COPY) and give the copy"),
                    r.toString());
            String half = lines.get(n - 1).substring(0, lines.get(n - 1).length() / 2);
            assertFalse(r.err().contains(half.substring(half.length() - 16)), "the line is not echoed: " + r);
        }
        assertEquals(before, lab.sim.metrics().requestsByMti(), "the replay sent nothing");
    }
}
