package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairing a message log's requests with what came back, and the errors a tampered log gets. */
class RecordingTest {

    static final String SALE = "{\"ts\":1000,\"dir\":\"OUT\",\"peer\":\"h:1\",\"terminalId\":\"TALLY001\",\"orderRef\":\"A\","
            + "\"mti\":\"0200\",\"stan\":\"000002\",\"messageId\":\"attempt-1\",\"event\":\"REQUEST\",\"fields\":{\"PAN\":\"476173******0119\","
            + "\"PROCESSING_CODE\":\"000000\",\"AMOUNT\":\"000000001068\",\"STAN\":\"000002\",\"TERMINAL_ID\":\"TALLY001\"}}";
    static final String TIMEOUT = "{\"ts\":2000,\"dir\":\"IN\",\"peer\":\"h:1\",\"terminalId\":\"TALLY001\",\"orderRef\":\"A\","
            + "\"stan\":\"000002\",\"messageId\":\"attempt-1\",\"event\":\"TIMEOUT\",\"latencyMs\":1000}";
    static final String REVERSAL = "{\"ts\":2001,\"dir\":\"OUT\",\"peer\":\"h:1\",\"terminalId\":\"TALLY001\",\"orderRef\":\"A\","
            + "\"mti\":\"0400\",\"stan\":\"000003\",\"messageId\":\"attempt-1\",\"event\":\"REQUEST\",\"fields\":{\"PROCESSING_CODE\":\"000000\","
            + "\"STAN\":\"000003\",\"TERMINAL_ID\":\"TALLY001\"}}";
    static final String LATE = "{\"ts\":2002,\"dir\":\"IN\",\"peer\":\"h:1\",\"terminalId\":\"TALLY001\",\"orderRef\":\"A\","
            + "\"mti\":\"0210\",\"stan\":\"000002\",\"messageId\":\"attempt-1\",\"event\":\"LATE_RESPONSE\",\"responseCode\":\"00\","
            + "\"fields\":{\"RESPONSE_CODE\":\"00\",\"STAN\":\"000002\"}}";
    static final String ANSWER = "{\"ts\":2003,\"dir\":\"IN\",\"peer\":\"h:1\",\"terminalId\":\"TALLY001\",\"orderRef\":\"A\","
            + "\"mti\":\"0410\",\"stan\":\"000003\",\"messageId\":\"attempt-1\",\"event\":\"RESPONSE\",\"responseCode\":\"00\","
            + "\"latencyMs\":1,\"fields\":{\"RESPONSE_CODE\":\"00\",\"STAN\":\"000003\"}}";

    @Test
    void aTimeoutALateAnswerAndAReversalAnswerGoToTheRightRequests() {
        Recording r = Recording.fromMessageLog("log", String.join("\n", SALE, TIMEOUT, REVERSAL, LATE, ANSWER));
        assertEquals(2, r.requests().size());
        assertEquals(Recording.Outcome.TIMEOUT, r.requests().get(0).outcome());
        assertNull(r.requests().get(0).response());
        assertEquals(Recording.Outcome.ANSWERED, r.requests().get(1).outcome());
        assertEquals("00", r.requests().get(1).response().get("RESPONSE_CODE"));
        assertEquals("line 3", r.requests().get(1).where());
    }

    /**
     * A terminal's LATE_RESPONSE came after it stopped waiting: it is never the answer of a request still open. (serve
     * used to log a duplicate answer as LATE_RESPONSE ahead of the RESPONSE it copies; such a log pairs with the
     * RESPONSE.) In the host's log a LATE_RESPONSE is the answer it sent after a delay.
     */
    @Test
    void aTerminalsLateAnswerIsNotTheAnswerOfAnOpenRequestButAHostsIs() {
        String lateFirst = LATE.replace("\"responseCode\":\"00\"", "\"responseCode\":\"05\"")
                .replace("\"RESPONSE_CODE\":\"00\"", "\"RESPONSE_CODE\":\"05\"");
        String response = LATE.replace("LATE_RESPONSE", "RESPONSE");
        Recording r = Recording.fromMessageLog("log", String.join("\n", SALE, lateFirst, response));
        assertEquals(Recording.Outcome.ANSWERED, r.requests().getFirst().outcome());
        assertEquals("00", r.requests().getFirst().response().get("RESPONSE_CODE"), "paired with the RESPONSE line");

        Recording unanswered = Recording.fromMessageLog("log", String.join("\n", SALE, LATE));
        assertEquals(Recording.Outcome.NOT_RECORDED, unanswered.requests().getFirst().outcome());

        String hostRequest = SALE.replace("\"dir\":\"OUT\"", "\"dir\":\"IN\"");
        String hostLate = LATE.replace("\"dir\":\"IN\"", "\"dir\":\"OUT\"");
        Recording host = Recording.fromMessageLog("sim log", String.join("\n", hostRequest, hostLate));
        assertEquals(Recording.Outcome.ANSWERED, host.requests().getFirst().outcome());
        assertEquals("00", host.requests().getFirst().response().get("RESPONSE_CODE"));
    }

    @Test
    void linesEndAtLineBreaksOnlyNotAtOtherUnicodeSeparatorsInsideAValue() {
        // JSON allows U+2028 and U+0085 unescaped inside a string; they do not end a log line. CRLF does.
        String odd = SALE.replace("\"orderRef\":\"A\"", "\"orderRef\":\"A\u2028B\u0085C\"");
        Recording r = Recording.fromMessageLog("log", String.join("\r\n", odd, TIMEOUT.replace("\"orderRef\":\"A\"",
                "\"orderRef\":\"A\u2028B\u0085C\"")));
        assertEquals(1, r.requests().size());
        assertEquals(Recording.Outcome.TIMEOUT, r.requests().getFirst().outcome());
    }

    @Test
    void aLogFileReadLineByLineEndsItsLinesAsTheWholeTextDid(@TempDir Path dir) throws Exception {
        // CRLF, a lone CR, a blank line; U+2028 and U+0085 inside a value do not end a line
        String odd = SALE.replace("\"orderRef\":\"A\"", "\"orderRef\":\"A\u2028B\u0085C\"");
        String text = "\n" + odd + "\r\n" + TIMEOUT + "\r" + REVERSAL + "\n\n" + ANSWER + "\n";
        Path file = dir.resolve("log.jsonl");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Recording fromFile = Recording.read(file);
        Recording fromText = Recording.fromMessageLog(file.toString(), text);
        assertEquals(2, fromFile.requests().size());
        for (int i = 0; i < 2; i++) {
            assertEquals(fromText.requests().get(i).where(), fromFile.requests().get(i).where());
            assertEquals(fromText.requests().get(i).outcome(), fromFile.requests().get(i).outcome());
            assertEquals(fromText.requests().get(i).response(), fromFile.requests().get(i).response());
        }
        assertEquals("line 2", fromFile.requests().get(0).where());
        assertEquals("line 4", fromFile.requests().get(1).where());
        assertEquals(Recording.Outcome.TIMEOUT, fromFile.requests().get(0).outcome());
    }

    /** A log of 2,000 sales, one a line: past the reader's first buffer. */
    private static byte[] twoThousandSales() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            b.append(SALE.replace("000002", String.format("%06d", i + 1))).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aByteThatIsNotUtf8FarIntoALogFileIsNamedWithItsOffset(@TempDir Path dir) throws Exception {
        byte[] good = twoThousandSales();
        byte[] bad = java.util.Arrays.copyOf(good, good.length + 2);
        bad[good.length] = (byte) 0xE9; // Latin-1 e-acute
        bad[good.length + 1] = '\n'; // at the very end, E9 would be the first byte of a UTF-8 character cut short
        Path file = dir.resolve("latin1.jsonl");
        Files.write(file, bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recording.read(file));
        assertTrue(e.getMessage().startsWith(file + " is not UTF-8 text (byte 0xE9 at offset " + good.length + ")"),
                e.getMessage());
        assertTrue(e.getMessage().contains("iconv -f ISO-8859-1 -t UTF-8"), e.getMessage());
    }

    /**
     * A log copied while written may end inside a character of its last line (here the note's €, E2 82 AC): that line is
     * left out with the warning any last line cut short gets, and the 2,000 requests before it are read. It was refused
     * whole: "... is not UTF-8 text (byte 0xE2 at offset ...)". The same bytes with a line after them are still refused.
     */
    @Test
    void aLastLineCutInsideACharacterIsLeftOutAsAnyLastLineCutShort(@TempDir Path dir) throws Exception {
        byte[] good = twoThousandSales();
        byte[] last = TIMEOUT.replace("}", ",\"note\":\"Zeitüberschreitung (5,00 €)\"}").getBytes(StandardCharsets.UTF_8);
        int euro = new String(last, StandardCharsets.UTF_8).indexOf('€');
        euro = new String(last, StandardCharsets.UTF_8).substring(0, euro).getBytes(StandardCharsets.UTF_8).length;
        Path file = dir.resolve("cut.jsonl");
        for (int k = 1; k <= 2; k++) {
            byte[] cut = java.util.Arrays.copyOf(good, good.length + euro + k);
            System.arraycopy(last, 0, cut, good.length, euro + k);
            Files.write(file, cut);
            Recording r = Recording.read(file);
            assertEquals(2_000, r.requests().size());
            assertEquals(List.of(file + " line 2001 is cut short (the log was copied while written, or its writer stopped):"
                    + " left out"), r.warnings());
            // not the last line: refused
            byte[] ended = java.util.Arrays.copyOf(cut, cut.length + 1);
            ended[cut.length] = '\n';
            Files.write(file, ended);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recording.read(file));
            assertTrue(e.getMessage().startsWith(file + " is not UTF-8 text (byte 0xE2 at offset " + (good.length + euro)
                    + ")"), e.getMessage());
        }
    }

    /**
     * A refused request (a till's retry turned away LOCKED while the sale was out) is written on the audit trail as
     * SENT -> SENT; it is not the sale's end: the approved sale is recorded as answered 00, not as a TIMEOUT.
     */
    @Test
    void aRefusalWrittenWhileTheSaleWasOutIsNotItsOutcome(@TempDir Path dir) {
        java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.parse("2026-11-22T08:03:07Z"),
                java.time.ZoneOffset.UTC);
        Path file = dir.resolve("j.db");
        try (var j = dev.tally.terminal.journal.Journal.open(file, clock)) {
            var sent = j.openSent(sale("INV-R1"), "1122080307", a -> a).attempt();
            j.noteRefusal(sent.id(), clock.instant(), dev.tally.terminal.journal.AttemptEvent.REFUSED
                    + "sale of 10.00 840, nothing sent; the cashier was told: LOCKED: order INV-R1 has an unanswered attempt");
            j.approve(j.find(sent.id()).orElseThrow(), "00", "000000000001", "A12345",
                    "0210 answered 00: approved, RRN 000000000001");

            var lost = j.openSent(sale("INV-R2"), "1122080308", a -> a).attempt();
            j.reverseUnanswered(lost.id(), "98", clock.instant(), "no answer to 0200 within 60000 ms");
            j.reversalTransmitting(lost.id(), "0400 sent with reversal STAN 000009");
            j.noteRefusal(lost.id(), clock.instant(), dev.tally.terminal.journal.AttemptEvent.REFUSED
                    + "sale of 10.00 840, nothing sent; the cashier was told: LOCKED: order INV-R2 has an unanswered attempt");
            j.reversed(lost.id(), "0410 answered 00 (Approved)");
        }
        List<Recording.Recorded> r = Recording.fromJournal(file, java.time.Clock.systemUTC()).requests();
        assertEquals(3, r.size(), r.toString());
        Recording.Recorded approved = r.stream().filter(x -> x.label().contains("INV-R1")).findFirst().orElseThrow();
        assertEquals(Recording.Outcome.ANSWERED, approved.outcome(), approved.toString());
        assertEquals("00", approved.response().get("RESPONSE_CODE"));
        Recording.Recorded lostSale = r.stream().filter(x -> x.label().startsWith("0200") && x.label().contains("INV-R2"))
                .findFirst().orElseThrow();
        assertEquals(Recording.Outcome.TIMEOUT, lostSale.outcome());
        Recording.Recorded reversal = r.stream().filter(x -> x.label().startsWith("0400")).findFirst().orElseThrow();
        assertEquals(Recording.Outcome.ANSWERED, reversal.outcome());
        assertEquals("00", reversal.response().get("RESPONSE_CODE"));
    }

    private static dev.tally.terminal.journal.NewAttempt sale(String order) {
        return new dev.tally.terminal.journal.NewAttempt("TALLY001", "HOSPITAL0000001", order,
                dev.tally.terminal.journal.AttemptKind.SALE, 1000, "840", java.time.LocalDateTime.of(2026, 11, 22, 9, 3, 7),
                "4761739001010119", "476173******0119");
    }

    @Test
    void aRequestWithoutAnyAnswerIsNotRecorded() {
        Recording r = Recording.fromMessageLog("log", SALE);
        assertEquals(Recording.Outcome.NOT_RECORDED, r.requests().getFirst().outcome());
    }

    @Test
    void tamperedLinesNameTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recording.fromMessageLog("log", SALE + "\n" + SALE.replace("\"PAN\"", "\"NOT_A_FIELD\"")));
        assertTrue(e.getMessage().startsWith("log line 2:") && e.getMessage().contains("NOT_A_FIELD"), e.getMessage());
        // a line cut short and ended (a writer started again after it) is refused, saying how to leave it out
        e = assertThrows(IllegalArgumentException.class, () -> Recording.fromMessageLog("log", SALE + "\n{\"ts\":\n"));
        assertTrue(e.getMessage().startsWith("log line 2 is not a complete message-log line (") && e.getMessage()
                .contains("sed -i '2d' COPY"), e.getMessage());
        // the last line, without a line break after it (a log copied while written), is left out, said in warnings
        Recording cut = Recording.fromMessageLog("log", SALE + "\n{\"ts\":");
        assertEquals(1, cut.requests().size());
        assertEquals(List.of("log line 2 is cut short (the log was copied while written, or its writer stopped): left out"),
                cut.warnings());
        e = assertThrows(IllegalArgumentException.class,
                () -> Recording.fromMessageLog("log", SALE.replace("\"mti\":\"0200\"", "\"mti\":\"0210\"")));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Recording.fromMessageLog("log", TIMEOUT));
        assertTrue(e.getMessage().contains("no request"), e.getMessage());
    }

    @Test
    void fieldListsTakeNumbersAndNames() {
        // F<n> names the field as the log keys it: 128 has a Tally name (the secondary MAC), 47 none
        assertEquals(Set.of("RRN", "AUTH_CODE", "SECONDARY_MAC", "F47"), Replayer.keys(List.of("37,AUTH_CODE", "F128", "F47")));
        assertThrows(IllegalArgumentException.class, () -> Replayer.keys(List.of("nope")));
        assertThrows(IllegalArgumentException.class, () -> Replayer.keys(List.of("200")));
    }
}
