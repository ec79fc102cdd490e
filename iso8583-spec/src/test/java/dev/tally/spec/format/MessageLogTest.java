package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.OrderReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageLogTest {

    private static final TestCard CARD = TestCards.bundled().defaultCard();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:41:07.123Z"), ZoneOffset.UTC);

    private static ISOMsg sale() {
        return MessageBuilder.request(MessageType.SALE).pan(CARD.pan()).expiry(CARD.expiry()).amount(1234)
                .transmissionDateTime("1122104107").stan(42).localDateTime(LocalDateTime.of(2026, 11, 22, 10, 41, 7))
                .posEntryMode("011").posConditionCode("00").terminalId("TALLY001").merchantId("HOSPITAL0000001")
                .currency("840").orderReference("INV-42").pinBlock(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}).build();
    }

    @Test
    void requestsResponsesAndTimeoutsAreLoggedMaskedAndReadBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("messages.jsonl");
        try (MessageLog log = new MessageLog(file, 1 << 20, 3, CLOCK)) {
            ISOMsg sale = sale();
            log.message(MessageLog.Direction.OUT, "127.0.0.1:8583", sale, "m-1", MessageLog.Event.REQUEST, null);
            ISOMsg resp = MessageBuilder.responseTo(sale).responseCode("00").rrn("632610000001").authCode("A1B2C3").build();
            log.message(MessageLog.Direction.IN, "127.0.0.1:8583", resp, "m-1", MessageLog.Event.RESPONSE, 12L);
            log.event(MessageLog.Direction.OUT, "127.0.0.1:8583", "TALLY001", "INV-42", "000042", "m-1",
                    MessageLog.Event.TIMEOUT, 60_000L, "no answer for card " + CARD.pan());
        }
        String text = Files.readString(file);
        assertFalse(text.contains(CARD.pan()), "full PAN in the message log");
        assertFalse(text.contains("0102030405060708"), "PIN block in the message log");
        List<MessageLog.Entry> entries = MessageLog.read(file);
        assertEquals(3, entries.size());
        MessageLog.Entry req = entries.get(0);
        assertEquals(1_795_344_067_123L, req.ts());
        assertEquals("0200", req.mti());
        assertEquals("000042", req.stan());
        assertEquals("INV-42", req.orderRef());
        assertEquals("476173******0119", req.fields().get("PAN"));
        assertEquals("000000001234", req.fields().get("AMOUNT"));
        assertFalse(req.fields().containsKey("PIN_BLOCK"));
        assertFalse(req.fields().containsKey("EXPIRY"));
        assertEquals("00", entries.get(1).responseCode());
        assertEquals(12L, entries.get(1).latencyMs());
        assertEquals(MessageLog.Event.TIMEOUT, entries.get(2).event());
        assertTrue(entries.get(2).note().contains("476173******0119"));
    }

    /**
     * The MAC of a message with a secondary bitmap (field 128: a reversal, a status inquiry) is named as field 64's is,
     * not {@code F128} among named fields; a log written before still reads, its {@code F128} under the name, so a
     * replay compares it with a new answer's field. Both rebuild the message with its MAC in 128.
     */
    @Test
    void theSecondaryMacIsLoggedByNameAndAnOlderLogsF128ReadsAsIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("messages.jsonl");
        ISOMsg reversal = MessageBuilder.request(MessageType.REVERSAL).pan(CARD.pan()).amount(1234)
                .transmissionDateTime("1122104207").stan(43).localDateTime(LocalDateTime.of(2026, 11, 22, 10, 41, 7))
                .posEntryMode("011").posConditionCode("00").terminalId("TALLY001").merchantId("HOSPITAL0000001")
                .currency("840").orderReference("INV-42").reversalReason(dev.tally.spec.codes.ReversalReason.NO_RESPONSE)
                .originalData(new dev.tally.spec.message.OriginalData("0200", 42, "1122104107")).build();
        reversal.set(128, org.jpos.iso.ISOUtil.hex2byte("1A2B3C4D5E6F7081"));
        try (MessageLog log = new MessageLog(file, 1 << 20, 3, CLOCK)) {
            log.message(MessageLog.Direction.OUT, "127.0.0.1:8583", reversal, "m-2", MessageLog.Event.REQUEST, null);
        }
        String line = Files.readString(file);
        assertTrue(line.contains("\"SECONDARY_MAC\":\"1A2B3C4D5E6F7081\""), line);
        assertFalse(line.contains("F128"), line);
        String older = line.replace("\"SECONDARY_MAC\"", "\"F128\"");
        for (String written : List.of(line.strip(), older.strip())) {
            MessageLog.Entry e = MessageLog.parse(written);
            assertEquals("1A2B3C4D5E6F7081", e.fields().get("SECONDARY_MAC"), written);
            assertFalse(e.fields().containsKey("F128"), written);
            assertEquals(List.copyOf(MessageLog.parse(line.strip()).fields().keySet()), List.copyOf(e.fields().keySet()),
                    "in the same order");
            assertEquals("1A2B3C4D5E6F7081", org.jpos.iso.ISOUtil.hexString(e.toMessage().getBytes(128)));
        }
    }

    /**
     * A message someone else built may carry a card number in any field: standing alone in one Tally names (54, 60,
     * 63, 42, a binary field as hex), its groups joined by an underscore, slash or colon in a field Tally leaves
     * free (48, 43, 120), or spaced out in field 62. None of it reaches the log; zero-padded numbers stay as sent.
     */
    @Test
    void aCardNumberInAnyFieldOfAMessageFromElsewhereIsNotLogged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("messages.jsonl");
        ISOMsg sale = sale();
        sale.set(54, CARD.pan());
        sale.set(60, CARD.pan());
        sale.set(63, CARD.pan());
        sale.set(42, "371449635398431");
        sale.set(64, org.jpos.iso.ISOUtil.hex2byte(CARD.pan()));
        sale.set(48, "4761_7390_0101_0119");
        sale.set(43, "CARD 4761:7390:0101:0119 MAIN ST");
        sale.set(120, "4761/7390/0101/0119");
        sale.set(62, "4761 7390 0101 0119");
        ISOMsg upload = new ISOMsg("0320");
        upload.set(3, "000000");
        upload.set(11, "000124");
        upload.set(41, "TALLY001");
        upload.set(60, "02000001231122104107");
        try (MessageLog log = new MessageLog(file, 1 << 20, 3, CLOCK)) {
            log.message(MessageLog.Direction.IN, "127.0.0.1:40000", sale, "m-1", MessageLog.Event.REQUEST, null);
            log.message(MessageLog.Direction.IN, "127.0.0.1:40000", upload, "m-2", MessageLog.Event.REQUEST, null);
        }
        String text = Files.readString(file);
        for (String secret : List.of(CARD.pan(), "371449635398431", "7390_0101", "7390:0101", "7390/0101", "7390 0101")) {
            assertFalse(text.contains(secret), secret + " in the message log: " + text);
        }
        List<MessageLog.Entry> entries = MessageLog.read(file);
        assertEquals(OrderReference.WITHHELD, entries.get(0).orderRef());
        assertEquals("476173******0119", entries.get(0).fields().get("BATCH_DATA"));
        assertEquals("02000001231122104107", entries.get(1).fields().get("BATCH_DATA"), "an upload's original data");
        assertEquals("000000001234", entries.get(0).fields().get("AMOUNT"));
        // the MAC whose hex read as a card number was logged masked: the message rebuilt from the line leaves it out
        // (a replay of the log read every line of it, and stopped at such a MAC: "field MAC is not hex")
        assertEquals("476173******0119", entries.get(0).fields().get("MAC"));
        ISOMsg rebuilt = entries.get(0).toMessage();
        assertFalse(rebuilt.hasField(64));
        assertEquals("000000001234", rebuilt.getString(4), "the rest of the message as logged");
    }

    /** Another system's key in field 48 (an 0800 sent to the simulator) is withheld in the message log. */
    @Test
    void aKeyInField48IsNotLogged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("messages.jsonl");
        ISOMsg m = new ISOMsg("0800");
        m.set(7, "1122104107");
        m.set(11, "000001");
        m.set(41, "TALLY001");
        m.set(48, "PINKEY " + MessageDecoderTest.KEY);
        m.set(54, "0002840C000000100000"); // a balance as Tally writes it stays: its C among digits is no key
        m.set(70, "001");
        try (MessageLog log = new MessageLog(file, 1 << 20, 3, CLOCK)) {
            log.message(MessageLog.Direction.IN, "127.0.0.1:40000", m, "m-1", MessageLog.Event.REQUEST, null);
        }
        String text = Files.readString(file);
        assertFalse(text.contains(MessageDecoderTest.KEY) || text.contains("FEDCBA98"), text);
        assertEquals("PINKEY [redacted] (39 characters)", MessageLog.read(file).getFirst().fields().get("ADDITIONAL_DATA"));
        assertEquals("0002840C000000100000", MessageLog.read(file).getFirst().fields().get("ADDITIONAL_AMOUNTS"));
    }

    /**
     * A request from another terminal may carry a card number as its order reference (field 62): the log
     * shows neither it nor its digits, in orderRef or in the fields, on the message or an event about it.
     */
    @Test
    void anOrderReferenceThatLooksLikeACardNumberIsWithheld(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("messages.jsonl");
        ISOMsg sale = sale();
        sale.set(62, "4761-7390-0101-0119"); // set after the builder, which refuses it
        try (MessageLog log = new MessageLog(file, 1 << 20, 3, CLOCK)) {
            log.message(MessageLog.Direction.IN, "127.0.0.1:40000", sale, "m-1", MessageLog.Event.REQUEST, null);
            log.event(MessageLog.Direction.OUT, "127.0.0.1:40000", "TALLY001", sale.getString(62), "000042", "m-1",
                    MessageLog.Event.TIMEOUT, 5L, "not answerable (30)");
        }
        String text = Files.readString(file);
        assertFalse(text.contains("7390"), text);
        List<MessageLog.Entry> entries = MessageLog.read(file);
        assertEquals("[withheld: looks like a card number]", entries.get(0).orderRef());
        assertEquals("[withheld: looks like a card number]", entries.get(0).fields().get("ORDER_REFERENCE"));
        assertEquals("[withheld: looks like a card number]", entries.get(1).orderRef());
    }

    @Test
    void eachLineIsWhatJacksonDataBindingWritesForTheEntry(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("messages.jsonl");
        ISOMsg answer = MessageBuilder.responseTo(sale()).responseCode("00").rrn("000000000042").authCode("A12345").build();
        try (MessageLog log = new MessageLog(file, 1 << 20, 3, CLOCK)) {
            log.message(MessageLog.Direction.OUT, "127.0.0.1:8583", sale(), "m-1", MessageLog.Event.REQUEST, null);
            log.message(MessageLog.Direction.IN, "127.0.0.1:8583", answer, "m-1", MessageLog.Event.RESPONSE, 12L);
            log.event(MessageLog.Direction.IN, null, "TALLY001", null, "000042", "m-2", MessageLog.Event.TIMEOUT, 30_000L,
                    "no answer in 30 s, \"quoted\" and a tab\t and é");
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size());
        for (String line : lines) {
            MessageLog.Entry e = MessageLog.parse(line);
            assertEquals(MessageLog.JSON.writeValueAsString(e), line, "same bytes as data binding");
        }
        assertEquals("{\"ts\":1795344067123,\"dir\":\"IN\",\"terminalId\":\"TALLY001\",\"stan\":\"000042\","
                + "\"messageId\":\"m-2\",\"event\":\"TIMEOUT\",\"latencyMs\":30000,"
                + "\"note\":\"no answer in 30 s, \\\"quoted\\\" and a tab\\t and é\"}", lines.get(2));
    }

    @Test
    void rotatesBySize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.jsonl");
        try (MessageLog log = new MessageLog(file, 2048, 2, CLOCK)) {
            for (int i = 0; i < 40; i++) {
                log.message(MessageLog.Direction.OUT, "p", sale(), "m-" + i, MessageLog.Event.REQUEST, null);
            }
        }
        assertTrue(Files.size(file) <= 2048);
        assertTrue(Files.exists(Path.of(file + ".1")));
        assertTrue(Files.exists(Path.of(file + ".2")));
        assertFalse(Files.exists(Path.of(file + ".3")), "keeps only 2 rotated files");
        assertEquals("m-39", MessageLog.read(file).getLast().messageId());
    }

    /**
     * A message log made by Tally is its owner's only (0600), as the journal is, whatever the umask (022 makes files
     * 0644): its lines carry the order ids (patients' invoice numbers), amounts and masked card numbers the journal
     * holds 0600. So is each new file a rotation starts. Before, both were readable by every user of the machine.
     */
    @Test
    void aLogFileMadeHereIsReadableByItsOwnerOnlyAlsoAfterARotation(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("m.jsonl");
        try (MessageLog log = new MessageLog(file, 2048, 2, CLOCK)) {
            log.message(MessageLog.Direction.OUT, "p", sale(), "m-0", MessageLog.Event.REQUEST, null);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            for (int i = 1; i < 40; i++) {
                log.message(MessageLog.Direction.OUT, "p", sale(), "m-" + i, MessageLog.Event.REQUEST, null);
            }
        }
        for (Path p : List.of(file, Path.of(file + ".1"), Path.of(file + ".2"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
        }
    }

    /**
     * A log file already there keeps its mode: the operator's choice (a support account that reads it through its
     * group would silently stop if Tally changed it).
     */
    @Test
    void aLogFileAlreadyThereKeepsItsMode(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("m.jsonl");
        Files.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        try (MessageLog log = new MessageLog(file, 1 << 20, 2, CLOCK)) {
            log.message(MessageLog.Direction.OUT, "p", sale(), "m-0", MessageLog.Event.REQUEST, null);
        }
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("m-0", MessageLog.read(file).getLast().messageId());
    }

    /**
     * An operator who moves the live log away (to archive it) finds a new file at the path with the lines written
     * after, also across a rotation. Before, the process wrote on into the moved file, and at its next rotation the
     * move of the missing file failed: the log stopped for good until a restart.
     */
    @Test
    void aLogMovedAwayByAnOperatorGoesOnInANewFileAtThePath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.jsonl");
        Path archive = Files.createDirectories(dir.resolve("archive"));
        try (MessageLog log = new MessageLog(file, 2048, 2, CLOCK)) {
            log.message(MessageLog.Direction.OUT, "p", sale(), "m-0", MessageLog.Event.REQUEST, null);
            Files.move(file, archive.resolve("m.jsonl"));
            log.message(MessageLog.Direction.OUT, "p", sale(), "m-1", MessageLog.Event.REQUEST, null);
            assertEquals(List.of("m-1"), MessageLog.read(file).stream().map(MessageLog.Entry::messageId).toList());
            assertEquals(List.of("m-0"), MessageLog.read(archive.resolve("m.jsonl")).stream()
                    .map(MessageLog.Entry::messageId).toList());

            for (int i = 2; i < 40; i++) { // past a rotation, with the file moved away again just before it
                if (i == 20) {
                    Files.move(file, archive.resolve("m.jsonl.second"));
                }
                log.message(MessageLog.Direction.OUT, "p", sale(), "m-" + i, MessageLog.Event.REQUEST, null);
            }
        }
        assertEquals("m-39", MessageLog.read(file).getLast().messageId());
    }

    /**
     * logrotate's way (rename, then a new file at the path) is followed too; a file found at the path whose last line
     * was cut short gets that line ended first, so the next line reads as one; and a line after close is refused.
     */
    @Test
    void aFileMadeAnewAtThePathIsFollowedAndALineCutShortIsEndedFirst(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.jsonl");
        MessageLog log = new MessageLog(file, 1 << 20, 2, CLOCK);
        log.message(MessageLog.Direction.OUT, "p", sale(), "m-0", MessageLog.Event.REQUEST, null);
        Files.move(file, dir.resolve("m.jsonl.old"));
        Files.writeString(file, Files.readString(dir.resolve("m.jsonl.old")) + "{\"ts\":1,\"dir\":\"OU"); // cut short
        log.message(MessageLog.Direction.OUT, "p", sale(), "m-1", MessageLog.Event.REQUEST, null);
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertEquals("m-1", MessageLog.parse(lines.get(2)).messageId(), "the new line is a line of its own");
        log.close();
        assertThrows(java.io.UncheckedIOException.class,
                () -> log.message(MessageLog.Direction.OUT, "p", sale(), "m-2", MessageLog.Event.REQUEST, null));
        assertEquals(3, Files.readAllLines(file).size());
    }

    @Test
    void aTamperedLineIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.jsonl");
        Files.writeString(file, "{\"ts\":1,\"dir\":\"OUT\",\"event\":\"REQUEST\"}\n{\"ts\":oops}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageLog.read(file));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MessageLog.parse("{\"ts\":1}"));
    }

    /** A log of three entries as the writer writes it (each line ended), and the text of a fourth line. */
    private static String[] threeLinesAndAFourth(Path dir) throws Exception {
        Path whole = dir.resolve("whole.jsonl");
        try (MessageLog log = new MessageLog(whole, 1 << 20, 2, CLOCK)) {
            for (int i = 0; i < 4; i++) {
                log.message(MessageLog.Direction.OUT, "127.0.0.1:8583", sale(), "m-" + i, MessageLog.Event.REQUEST, null);
            }
        }
        List<String> lines = Files.readAllLines(whole);
        return new String[] {String.join("\n", lines.subList(0, 3)) + "\n", lines.get(3)};
    }

    /**
     * A copy of a live log taken while its writer writes, or a log whose writer stopped (a crash), ends in a line cut
     * short, without a line break after it: that line is left out with a warning naming the file and the line, and the
     * rest is read. It was "line 4: not a Tally message-log line: Unexpected end-of-input ...", and nothing was read.
     * Wherever the line is cut (every prefix of a real line).
     */
    @Test
    void aLastLineCutShortIsLeftOutWithAWarning(@TempDir Path dir) throws Exception {
        String[] log = threeLinesAndAFourth(dir);
        Path file = dir.resolve("cut.jsonl");
        for (int cut = 1; cut < log[1].length(); cut++) {
            String part = log[1].substring(0, cut);
            Files.writeString(file, log[0] + part);
            List<String> warnings = new java.util.ArrayList<>();
            List<MessageLog.Entry> entries = MessageLog.read(file, warnings::add);
            assertEquals(List.of("m-0", "m-1", "m-2"), entries.stream().map(MessageLog.Entry::messageId).toList(), part);
            assertEquals(List.of(file + " line 4 is cut short (the log was copied while written, or its writer stopped):"
                    + " left out"), warnings, part);
            assertEquals(3, MessageLog.read(file).size(), part);
        }
        // the whole line without its line break is a line
        Files.writeString(file, log[0] + log[1]);
        List<String> warnings = new java.util.ArrayList<>();
        assertEquals(4, MessageLog.read(file, warnings::add).size());
        assertEquals(List.of(), warnings);
    }

    /**
     * A copy cut inside a character of the last line (a note, or another system's text, holds characters of 2 and 3
     * bytes in UTF-8; the writer escapes those of 4) is a last line cut short as any other: left out with the same warning, the rest read. It was
     * refused whole: "cut.jsonl is not UTF-8 text (byte 0xE2 at offset ...)". Wherever in such a character the cut
     * falls.
     */
    @Test
    void aLastLineCutInsideACharacterIsLeftOutAsAnyLastLineCutShort(@TempDir Path dir) throws Exception {
        String[] log = threeLinesAndAFourth(dir);
        byte[] fourth = wideLine(dir);
        Path file = dir.resolve("cut.jsonl");
        int cuts = 0;
        for (int cut = 1; cut < fourth.length; cut++) {
            if ((fourth[cut] & 0xC0) != 0x80) {
                continue; // a cut between two characters: aLastLineCutShortIsLeftOutWithAWarning
            }
            cuts++;
            Files.write(file, concat(log[0].getBytes(StandardCharsets.UTF_8), java.util.Arrays.copyOf(fourth, cut)));
            List<String> warnings = new java.util.ArrayList<>();
            List<MessageLog.Entry> entries = MessageLog.read(file, warnings::add);
            assertEquals(List.of("m-0", "m-1", "m-2"), entries.stream().map(MessageLog.Entry::messageId).toList());
            assertEquals(List.of(file + " line 4 is cut short (the log was copied while written, or its writer stopped):"
                    + " left out"), warnings, "cut at byte " + cut);
        }
        assertEquals(1 + 2, cuts, "ü and € cut at every byte inside them");
    }

    /**
     * Bytes that are not UTF-8 anywhere but in a character cut short by the file's end are refused as before, naming the
     * first: such a character with a line break or more text after it, a byte that begins no character, a lead byte
     * whose next byte does not continue it.
     */
    @Test
    void bytesThatAreNotUtf8ElsewhereAreStillRefused(@TempDir Path dir) throws Exception {
        String[] log = threeLinesAndAFourth(dir);
        byte[] head = log[0].getBytes(StandardCharsets.UTF_8);
        byte[] euroCut = {(byte) 0xE2, (byte) 0x82}; // the first two of € (E2 82 AC)
        Path file = dir.resolve("bad.jsonl");
        for (byte[] tail : List.of(concat(euroCut, "\n".getBytes(StandardCharsets.UTF_8)),
                concat(euroCut, ("\n" + log[1] + "\n").getBytes(StandardCharsets.UTF_8)),
                concat(euroCut, "x\"}".getBytes(StandardCharsets.UTF_8)),
                new byte[] {'{', (byte) 0x80}, new byte[] {'{', (byte) 0xFF}, new byte[] {'{', (byte) 0xE2, 'A'})) {
            Files.write(file, concat(head, tail));
            int bad = head.length + (tail[0] == '{' ? 1 : 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageLog.read(file, w -> { }));
            assertTrue(e.getMessage().startsWith(file + " is not UTF-8 text (byte 0x" + String.format("%02X", tail[tail[0] == '{' ? 1 : 0])
                    + " at offset " + bad + ")"), e.getMessage());
        }
    }

    /**
     * The log reader gives the text Files.readString does, characters of 2-4 bytes across its buffers included; a
     * character of any length cut short by the end is one U+FFFD.
     */
    @Test
    void theLogReaderReadsUtf8AcrossItsBuffers(@TempDir Path dir) throws Exception {
        StringBuilder b = new StringBuilder();
        String[] parts = {"a", "ü", "€", "\uD83D\uDE00", "\n"};
        for (int i = 0; b.length() < 40_000; i++) {
            b.append(parts[(i * 7 + i / 3) % parts.length]);
        }
        Path file = dir.resolve("wide.txt");
        Files.writeString(file, b);
        assertEquals(b.toString(), Utf8File.readLog(file, "hint"));
        assertEquals(Files.readString(file), Utf8File.readLog(file, "hint"));
        byte[] whole = Files.readAllBytes(file);
        for (String last : new String[] {"ü", "€", "\uD83D\uDE00"}) {
            byte[] c = last.getBytes(StandardCharsets.UTF_8);
            for (int k = 1; k < c.length; k++) {
                Files.write(file, concat(whole, java.util.Arrays.copyOf(c, k)));
                assertEquals(b + "\uFFFD", Utf8File.readLog(file, "hint"), last + " cut after " + k + " bytes");
            }
        }
    }

    /** A fourth line as the writer writes it whose note holds ü and €, without its line break. */
    private static byte[] wideLine(Path dir) throws Exception {
        Path wide = dir.resolve("wide.jsonl");
        try (MessageLog log = new MessageLog(wide, 1 << 20, 2, CLOCK)) {
            log.event(MessageLog.Direction.IN, "127.0.0.1:8583", "TALLY001", "INV-42", "000042", "m-3",
                    MessageLog.Event.TIMEOUT, 60_000L, "Zeitüberschreitung nach 60 s (5,00 €): keine Antwort");
        }
        byte[] line = Files.readAllBytes(wide);
        String text = new String(line, StandardCharsets.UTF_8);
        assertTrue(text.contains("ü") && text.contains("€"), "written as UTF-8: " + text);
        return java.util.Arrays.copyOf(line, line.length - 1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * A line cut short in the middle (the writer started again after it, or the log was edited), or a last line that
     * ends with a line break, is refused: the error names the line, says it is not a complete message-log line and how
     * to leave it out. It quotes nothing of the line but the reason, card numbers masked.
     */
    @Test
    void aLineCutShortInTheMiddleIsRefusedSayingHowToLeaveItOut(@TempDir Path dir) throws Exception {
        String[] log = threeLinesAndAFourth(dir);
        String part = log[1].substring(0, log[1].length() / 2);
        Path file = dir.resolve("cut.jsonl");
        for (String text : List.of(log[0] + part + "\n", log[0] + part + "\n" + log[1] + "\n", log[0] + part + "\r\n")) {
            Files.writeString(file, text);
            List<String> warnings = new java.util.ArrayList<>();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageLog.read(file, warnings::add));
            assertTrue(e.getMessage().startsWith(file + " line 4 is not a complete message-log line ("), e.getMessage());
            assertTrue(e.getMessage().endsWith("): it was cut short where its writer stopped, or changed by hand; to read"
                    + " the rest, delete that line from a copy of the log (sed -i '4d' COPY) and give the copy"), e.getMessage());
            assertFalse(e.getMessage().contains(part.substring(part.length() - 12)), "the line is not quoted: " + e.getMessage());
            assertEquals(List.of(), warnings);
        }
        // a line that is whole JSON but no log entry is no line cut short, last or not
        Files.writeString(file, log[0] + "{\"ts\":1}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageLog.read(file));
        assertTrue(e.getMessage().contains("line 4 is not a complete message-log line (it has no event or direction)"),
                e.getMessage());
        // a card number Jackson quotes from a token is masked, as the CLI masks every message
        Files.writeString(file, "{\"ts\":1,\"note\":x" + CARD.pan() + "}\n" + log[0]);
        e = assertThrows(IllegalArgumentException.class, () -> MessageLog.read(file));
        assertTrue(e.getMessage().startsWith(file + " line 1 is not a complete message-log line"), e.getMessage());
        assertFalse(e.getMessage().contains(CARD.pan()), e.getMessage());
    }

    /** The lines as String.lines cuts them, and for each whether a line break ended it; across the reader's buffer too. */
    @Test
    void theLineReaderCutsAsStringLinesAndSaysWhetherALineWasEnded() throws Exception {
        String longLine = "x".repeat(64 * 1024 - 1); // its \r the buffer's last char, the \n the next read's first
        for (String text : List.of("", "a", "a\n", "a\nb", "a\r\nb\r\n", "a\rb\n\n", "\n\na", "a\r", "a\u2028b\u0085c\n",
                longLine + "\r\n" + longLine + "x\ny", "y".repeat(200_000))) {
            List<String> lines = new java.util.ArrayList<>();
            List<Boolean> ended = new java.util.ArrayList<>();
            try (LineReader r = new LineReader(new java.io.StringReader(text))) {
                while (r.hasNext()) {
                    lines.add(r.next());
                    ended.add(r.lastEnded());
                }
            }
            assertEquals(text.lines().toList(), lines, text.length() > 20 ? text.length() + " chars" : text);
            for (int i = 0; i < ended.size(); i++) {
                boolean last = i == ended.size() - 1;
                assertEquals(!last || text.endsWith("\n") || text.endsWith("\r"), ended.get(i), "line " + (i + 1));
            }
        }
    }

    /** It was "cannot open the message log /tmp: /tmp: Is a directory". */
    @Test
    void aMessageLogThatCannotBeOpenedSaysWhyOnce(@TempDir Path dir) {
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> new MessageLog(dir, 1024, 1, Clock.systemUTC()));
        assertEquals("cannot open the message log " + dir + ": is a directory, not a file", e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsNamedWithItsFirstBadByte(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.jsonl");
        Files.write(file, "{\"ts\":1,\"dir\":\"OUT\",\"event\":\"REQUEST\",\"note\":\"caf\u00e9\"}\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageLog.read(file));
        assertTrue(e.getMessage().startsWith(file + " is not UTF-8 text (byte 0xE9 at offset 49)"), e.getMessage());
    }
}
