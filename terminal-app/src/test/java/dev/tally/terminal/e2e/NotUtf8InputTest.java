package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The support tools read text files as UTF-8. A file that is not (a raw binary capture, a jPOS XML log
 * written in Latin-1) is bad input: exit 64 and a message naming the file, not "internal error:
 * MalformedInputException" and exit 1.
 */
class NotUtf8InputTest {

    @TempDir
    Path dir;

    /** A raw capture: the bytes of a frame, not their hex. */
    static final byte[] RAW = {0x00, 0x3C, 0x60, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00, (byte) 0xFF, (byte) 0xFE, 0x3C};

    static void assertBadInputNaming(Lab.Run r, Path file) {
        assertEquals(64, r.exit(), r.toString());
        // as printed: every message goes through the PAN scrub, which masks a Luhn-valid run of digits in a temp dir's name
        assertTrue(r.err().contains(dev.tally.spec.format.Masking.scrub(file + " is not UTF-8 text")), r.err());
        assertFalse(r.err().contains("internal error") || r.err().contains("MalformedInputException"), r.err());
    }

    @Test
    void decodeOfARawCaptureNamesTheFileAndTheByte() throws Exception {
        Path capture = dir.resolve("capture.bin");
        Files.write(capture, RAW);
        Lab.Run r = Lab.raw("decode", "--file", capture.toString());
        assertBadInputNaming(r, capture);
        assertTrue(r.err().contains("byte 0xFF at offset 9"), r.err());
        assertTrue(r.err().contains("xxd -p"), "says what to do: " + r.err());
        Lab.Run json = Lab.raw("--json", "decode", "--file", capture.toString());
        assertEquals(64, json.exit(), json.toString());
        assertEquals("ERROR", json.status());
    }

    /** The same on standard input: the bytes were read as U+FFFD and the input then misdescribed. */
    @Test
    void decodeOfARawCaptureOnStandardInputNamesTheByte() {
        java.io.InputStream saved = dev.tally.terminal.cli.DecodeCommand.setStdin(new java.io.ByteArrayInputStream(RAW));
        Lab.Run r;
        try {
            r = Lab.raw("decode", "-");
        } finally {
            dev.tally.terminal.cli.DecodeCommand.setStdin(saved);
        }
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("standard input is not UTF-8 text (byte 0xFF at offset 9)"), r.err());
        assertTrue(r.err().contains("xxd -p"), "says what to do: " + r.err());
    }

    @Test
    void replayOfALatin1JposLogOrABinaryFileIsBadInput() throws Exception {
        Path latin1 = dir.resolve("jpos-latin1.xml");
        Files.write(latin1, ("<log realm=\"channel/127.0.0.1:8583\" at=\"2026-11-22T10:41:07.123\">\n<send>\n"
                + "<isomsg direction=\"outgoing\">\n<field id=\"0\" value=\"0200\"/>\n"
                + "<field id=\"43\" value=\"CAF\u00c9 H\u00d4PITAL\"/>\n</isomsg>\n</send>\n</log>\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        Lab.Run r = Lab.raw("replay", latin1.toString(), "--host", "127.0.0.1", "--port", "1");
        assertBadInputNaming(r, latin1);
        assertTrue(r.err().contains("iconv"), "says how to convert: " + r.err());

        Path binary = dir.resolve("capture.bin");
        Files.write(binary, RAW);
        assertBadInputNaming(Lab.raw("replay", binary.toString(), "--host", "127.0.0.1", "--port", "1"), binary);
    }

    @Test
    void reportOverAMessageLogThatIsNotUtf8IsBadInput() throws Exception {
        Path journal = dir.resolve("tally-journal.db");
        Files.createFile(journal);
        Path log = dir.resolve("messages.jsonl");
        Files.write(log, ("{\"ts\":1,\"dir\":\"OUT\",\"event\":\"REQUEST\",\"note\":\"caf\u00e9\"}\n").getBytes(StandardCharsets.ISO_8859_1));
        Lab.Run r = Lab.raw("--journal", journal.toString(), "--message-log", log.toString(), "report", "--order", "INV-1");
        assertBadInputNaming(r, log);
        assertEquals(0, Files.size(journal), "nothing written");
    }
}
