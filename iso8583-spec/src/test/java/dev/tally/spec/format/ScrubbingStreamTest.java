package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScrubbingStreamTest {

    private static final String PAN = "4761739001010119";
    private static final String MASKED = "476173******0119";

    @Test
    void aStackTraceIsPrintedWithItsCardNumbersMasked() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream err = ScrubbingStream.printStream(sink);
        Exception cause = new IllegalStateException("constraint failed for pan " + PAN + "=2512101");
        Exception e = new RuntimeException("could not book 4761 7390 0101 0119", cause);
        e.addSuppressed(new IllegalArgumentException("also " + PAN));
        e.printStackTrace(err);
        String printed = sink.toString(StandardCharsets.UTF_8);

        assertFalse(printed.contains(PAN), printed);
        assertFalse(printed.contains("4761 7390 0101 0119"), printed);
        assertFalse(printed.contains("2512101"), "the track 2 tail: " + printed);
        assertTrue(printed.contains("java.lang.RuntimeException: could not book " + MASKED), printed);
        assertTrue(printed.contains("Caused by: java.lang.IllegalStateException: constraint failed for pan " + MASKED + "=****"),
                printed);
        assertTrue(printed.contains("Suppressed: java.lang.IllegalArgumentException: also " + MASKED), printed);
        assertTrue(printed.contains("at dev.tally.spec.format.ScrubbingStreamTest.aStackTraceIsPrintedWithItsCardNumbersMasked"),
                "the frames are kept: " + printed);
    }

    @Test
    void aCardNumberWrittenInPiecesIsMaskedWhole() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream err = ScrubbingStream.printStream(sink);
        err.print("card 4761");
        err.print("7390010");
        err.print("10119 declined");
        assertEquals("", sink.toString(StandardCharsets.UTF_8), "nothing before the line ends");
        err.println();
        err.print("progress 12 sales\r");
        assertEquals("card " + MASKED + " declined" + System.lineSeparator() + "progress 12 sales\r",
                sink.toString(StandardCharsets.UTF_8));
        err.print("held until flush " + PAN);
        err.flush();
        assertTrue(sink.toString(StandardCharsets.UTF_8).endsWith("held until flush " + MASKED));
    }

    @Test
    void aVeryLongLineIsCutWhereNoCardNumberCanBe() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream err = ScrubbingStream.printStream(sink);
        StringBuilder s = new StringBuilder();
        while (s.length() < ScrubbingStream.MAX_LINE - 8) {
            s.append("abcdefg ");
        }
        // the card number straddles the 64 KiB mark
        err.print(s + PAN + " end");
        err.println();
        String printed = sink.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains(PAN));
        assertTrue(printed.contains(MASKED + " end"));

        sink.reset();
        err.print("1234 ".repeat(ScrubbingStream.MAX_LINE / 5 + 10));
        err.println(" tail");
        printed = sink.toString(StandardCharsets.UTF_8);
        assertEquals("[a line of digits too long to log, withheld] tail" + System.lineSeparator(), printed);
    }

    @Test
    void textWithoutCardNumbersPassesUnchanged() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream err = ScrubbingStream.printStream(sink);
        String text = "2026-11-23T10:00:00.000Z [main] INFO Simulator - stan 000123 amount 000000001234 rrn 632610000001 ünïcode";
        err.println(text);
        assertEquals(text + System.lineSeparator(), sink.toString(StandardCharsets.UTF_8));
    }

    /** Bytes are read and written in the charset of the stream replaced: a Latin-1 console gets Latin-1 back. */
    @Test
    void theReplacedStreamsCharsetIsKept() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new ScrubbingStream(sink, StandardCharsets.ISO_8859_1), false,
                StandardCharsets.ISO_8859_1);
        err.println("caf\u00e9 " + PAN);
        err.flush();
        assertEquals("caf\u00e9 " + MASKED + System.lineSeparator(), sink.toString(StandardCharsets.ISO_8859_1));
        assertEquals(4 + 1 + MASKED.length() + System.lineSeparator().length(), sink.size(), "one byte for the e acute");
    }
}
