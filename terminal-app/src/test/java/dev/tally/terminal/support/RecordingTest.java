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

    @Test
    void aByteThatIsNotUtf8FarIntoALogFileIsNamedWithItsOffset(@TempDir Path dir) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 2_000; i++) { // past the reader's first buffer
            b.append(SALE.replace("000002", String.format("%06d", i + 1))).append('\n');
        }
        byte[] good = b.toString().getBytes(StandardCharsets.UTF_8);
        byte[] bad = java.util.Arrays.copyOf(good, good.length + 1);
        bad[good.length] = (byte) 0xE9; // Latin-1 e-acute
        Path file = dir.resolve("latin1.jsonl");
        Files.write(file, bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recording.read(file));
        assertTrue(e.getMessage().startsWith(file + " is not UTF-8 text (byte 0xE9 at offset " + good.length + ")"),
                e.getMessage());
        assertTrue(e.getMessage().contains("iconv -f ISO-8859-1 -t UTF-8"), e.getMessage());
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
        e = assertThrows(IllegalArgumentException.class, () -> Recording.fromMessageLog("log", SALE + "\n{\"ts\":"));
        assertTrue(e.getMessage().startsWith("log line 2:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Recording.fromMessageLog("log", SALE.replace("\"mti\":\"0200\"", "\"mti\":\"0210\"")));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Recording.fromMessageLog("log", TIMEOUT));
        assertTrue(e.getMessage().contains("no request"), e.getMessage());
    }

    @Test
    void fieldListsTakeNumbersAndNames() {
        assertEquals(Set.of("RRN", "AUTH_CODE", "F128"), Replayer.keys(List.of("37,AUTH_CODE", "F128")));
        assertThrows(IllegalArgumentException.class, () -> Replayer.keys(List.of("nope")));
        assertThrows(IllegalArgumentException.class, () -> Replayer.keys(List.of("200")));
    }
}
