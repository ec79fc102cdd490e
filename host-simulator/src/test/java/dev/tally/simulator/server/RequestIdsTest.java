package dev.tally.simulator.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request ids carry on after the highest one a log holds, found from its end (docs/simulator.md §9). Before, a
 * simulator restarted on the same log gave H1, H2, ... again, and grouping the log by id merged different requests.
 */
class RequestIdsTest {

    @TempDir
    Path dir;

    private static final ISOMsg ECHO = MessageBuilder.request(MessageType.ECHO).transmissionDateTime("1122104107").stan(1)
            .terminalId("TALLY001").build();
    private static final ISOMsg ANSWER = MessageBuilder.responseTo(ECHO).responseCode("00").build();

    /** Writes, through the real MessageLog, a REQUEST line per id in {@code requests} then an answer line per id in {@code answers}. */
    private Path log(String name, List<Long> requests, List<Long> answers) {
        Path file = dir.resolve(name);
        MessageLog log = new MessageLog(file, 1L << 30, 5, Clock.systemUTC());
        for (long id : requests) {
            log.message(MessageLog.Direction.IN, "127.0.0.1:50000", ECHO, "H" + id, MessageLog.Event.REQUEST, null);
        }
        for (long id : answers) {
            log.message(MessageLog.Direction.OUT, "127.0.0.1:50000", ANSWER, "H" + id, MessageLog.Event.LATE_RESPONSE, 5L);
        }
        log.close();
        return file;
    }

    private static List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            ids.add(i);
        }
        return ids;
    }

    @Test
    void aNewLogStartsAtH1() throws Exception {
        assertEquals("H1", RequestIds.after(dir.resolve("none.jsonl")).next());
        Files.writeString(dir.resolve("empty.jsonl"), "");
        assertEquals("H1", RequestIds.after(dir.resolve("empty.jsonl")).next());
    }

    @Test
    void idsCarryOnAfterTheHighestInALogOfManyLinesReadInChunks() throws Exception {
        // ~5,000 lines of ~250 bytes: many lines straddle the 64 KiB reads
        Path file = log("a.jsonl", range(1, 5_000), List.of());
        assertEquals(5_000, RequestIds.highestIn(file));
        assertEquals("H5001", RequestIds.after(file).next());
    }

    /** The highest id's line cut in two by the backward reads (64 KiB each) is read whole. */
    @Test
    void aLineAcrossTwoReadsIsReadWhole() throws Exception {
        long lineLength = Files.size(log("one.jsonl", List.of(10_000L), List.of()));
        long after = 65_536 / lineLength; // lines after the highest one: it starts before the last read's first byte
        if (65_536 % lineLength == 0) {
            after--; // lands on a line end: the line before straddles nothing; shift so it does not
        }
        List<Long> requests = new ArrayList<>(range(10_001, 10_100));
        requests.add(99_999L);
        requests.addAll(range(10_100, 10_100 + after - 1));
        Path file = log("straddle.jsonl", requests, List.of());
        long end = Files.size(file);
        long start = end - (after + 1) * lineLength;
        org.junit.jupiter.api.Assertions.assertTrue(start < end - 65_536 && end - 65_536 < start + lineLength,
                "the line of H99999 spans the boundary of the last read");
        assertEquals(99_999, RequestIds.highestIn(file));
    }

    @Test
    void theHighestIsFoundBehindAnswersAndRequestsWrittenOutOfOrder() throws Exception {
        // the last 1,024 requests written in any order (as many as may be in hand at once), then 3,000 late answers
        List<Long> requests = range(1, 2_000);
        List<Long> last = new ArrayList<>(requests.subList(976, 2_000));
        Collections.shuffle(last, new Random(8583));
        requests = new ArrayList<>(requests.subList(0, 976));
        requests.addAll(last);
        List<Long> answers = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            answers.add(1L + i % 1_990);
        }
        assertEquals(2_000, RequestIds.highestIn(log("b.jsonl", requests, answers)));
    }

    @Test
    void aLogJustRotatedIsReadOnInTheRotatedFile() throws Exception {
        Path file = log("c.jsonl", range(1, 300), List.of());
        Files.move(file, Path.of(file + ".2"));
        log("c.jsonl.1", range(301, 700), List.of());
        Files.writeString(file, "");
        assertEquals(700, RequestIds.highestIn(file));
        Files.delete(file);
        assertEquals(700, RequestIds.highestIn(file), "the current file not made yet");
    }

    /** It reads back only as far as it must: a start on a large log stays fast. */
    @Test
    void onlyTheEndOfALargeLogIsRead() throws Exception {
        List<Long> requests = new ArrayList<>(List.of(999_999L)); // far back: beyond the last 1,025 requests
        requests.addAll(range(1, 3_000));
        assertEquals(3_000, RequestIds.highestIn(log("d.jsonl", requests, List.of())));
    }

    @Test
    void aTerminalsLogHoldsNoHostIds() throws Exception {
        Path file = dir.resolve("terminal.jsonl");
        MessageLog log = new MessageLog(file, 1L << 30, 5, Clock.systemUTC());
        log.message(MessageLog.Direction.OUT, "127.0.0.1:8583", ECHO, "attempt-7", MessageLog.Event.REQUEST, null);
        log.close();
        assertEquals(0, RequestIds.highestIn(file));
    }
}
