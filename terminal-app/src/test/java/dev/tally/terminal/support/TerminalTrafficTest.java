package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order in which the shared link of {@code tally serve} reports things is not the order they happened: its
 * reader thread hands the answer to the waiting payment and may read a second copy (or a late answer) before that
 * payment's thread reports the first. Whatever the order of the calls, the first answer is the RESPONSE and a copy
 * the DUPLICATE_RESPONSE after it; an answer after the deadline is the LATE_RESPONSE after the TIMEOUT.
 */
class TerminalTrafficTest {

    static final TestCard CARD = TestCards.bundled().defaultCard();

    static ISOMsg sale(int stan) {
        return MessageBuilder.request(MessageType.SALE).pan(CARD.pan()).expiry(CARD.expiry()).amount(1072)
                .transmissionDateTime("1122104107").stan(stan).localDateTime(LocalDateTime.of(2026, 11, 22, 10, 41, 7))
                .posEntryMode("011").posConditionCode("00").terminalId("TALLY001").merchantId("HOSPITAL0000001")
                .currency("840").orderReference("INV-" + stan).build();
    }

    static ISOMsg answer(ISOMsg sale) {
        return MessageBuilder.responseTo(sale).responseCode("00").rrn("632610000001").authCode("A1B2C3").build();
    }

    /** The events and MTIs the message log holds once {@code calls} were made on a TerminalTraffic writing it. */
    static List<String> logged(Path dir, java.util.function.Consumer<TerminalTraffic> calls) throws Exception {
        Path file = dir.resolve("log.jsonl");
        try (TerminalTraffic t = new TerminalTraffic(new MessageLog(file, 1 << 20, 2, Clock.systemUTC()), null)) {
            calls.accept(t);
        }
        return lines(file);
    }

    static List<String> lines(Path file) throws Exception {
        return MessageLog.read(file).stream().map(e -> e.event() + (e.mti() == null ? "" : " " + e.mti())).toList();
    }

    @Test
    void aCopyReadBeforeTheFirstAnswerIsReportedIsTheDuplicateAfterIt(@TempDir Path dir) throws Exception {
        assertEquals(List.of("REQUEST 0200", "RESPONSE 0210", "DUPLICATE_RESPONSE 0210"), logged(dir, t -> {
            ISOMsg sale = sale(7);
            t.sent(sale, "h:1");
            t.stray(answer(sale), "h:1"); // the reader, before the payment's thread reports the first copy
            t.answered(sale, answer(sale), "h:1", 5);
        }));
    }

    @Test
    void aCopyAfterTheAnswerIsReportedIsADuplicateToo(@TempDir Path dir) throws Exception {
        assertEquals(List.of("REQUEST 0200", "RESPONSE 0210", "DUPLICATE_RESPONSE 0210"), logged(dir, t -> {
            ISOMsg sale = sale(7);
            t.sent(sale, "h:1");
            t.answered(sale, answer(sale), "h:1", 5);
            t.stray(answer(sale), "h:1");
        }));
    }

    @Test
    void anAnswerAsTheDeadlineRangIsLateAfterTheTimeoutAndItsCopyADuplicate(@TempDir Path dir) throws Exception {
        assertEquals(List.of("REQUEST 0200", "TIMEOUT", "LATE_RESPONSE 0210", "DUPLICATE_RESPONSE 0210", "REQUEST 0200",
                "RESPONSE 0210"), logged(dir, t -> {
            ISOMsg sale = sale(8);
            t.sent(sale, "h:1");
            t.stray(answer(sale), "h:1"); // came as the deadline completed the wait
            t.unanswered(sale, "h:1", 1000, false, false, "no answer to 0200 STAN 000008 within 1000 ms");
            t.stray(answer(sale), "h:1");
            ISOMsg other = sale(9); // another payment's answer meanwhile is nobody's stray
            t.sent(other, "h:1");
            t.answered(other, answer(other), "h:1", 3);
        }));
    }

    @Test
    void anExchangeThatThrowsLetsItsHeldBackAnswersGo(@TempDir Path dir) throws Exception {
        assertEquals(List.of("REQUEST 0200", "LATE_RESPONSE 0210"), logged(dir, t -> {
            ISOMsg sale = sale(10);
            t.sent(sale, "h:1");
            t.stray(answer(sale), "h:1");
            t.settled(sale);
        }));
    }

    /** An answer held back for a request whose end was never reported is logged when the log closes, not lost. */
    @Test
    void closingLogsTheAnswersStillHeldBack(@TempDir Path dir) throws Exception {
        assertEquals(List.of("REQUEST 0200", "LATE_RESPONSE 0210"), logged(dir, t -> {
            ISOMsg sale = sale(11);
            t.sent(sale, "h:1");
            t.stray(answer(sale), "h:1"); // and the process stops before the payment reports anything
        }));
    }
}
