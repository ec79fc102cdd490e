package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.MessageLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally serve} with a message log, and a host that answers a sale twice (test amount .72): the answer the
 * payment waited for is logged RESPONSE, the second copy DUPLICATE_RESPONSE after it (docs/support.md §1), and the
 * problem report shows them so.
 */
class ServeDuplicateAnswerTest {

    static final int N = 12; // enough for the reader to win the race (about one in ten) at least once when it is not handled

    @Test
    void aDuplicateAnswerIsLoggedAsSuchAfterTheResponse(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("messages.jsonl");
        try (Lab lab = new Lab(dir, Duration.ofSeconds(5))) {
            try (ServeProcess api = new ServeProcess(lab, dir.resolve("token"), "--timeout", "5", "--message-log",
                    log.toString())) {
                for (int i = 1; i <= N; i++) {
                    ServeProcess.Reply r = api.post("/v1/payments", "{\"orderId\":\"DUP-" + i + "\",\"amount\":\"10.72\"}");
                    assertEquals(200, r.status(), r.body());
                    assertEquals("APPROVED", r.json().get("status").asText(), r.body());
                }
                Lab.await("both copies of every answer in the log", Duration.ofSeconds(30), () -> copies(log) == 2 * N);
            }
            for (int i = 1; i <= N; i++) {
                String order = "DUP-" + i;
                List<MessageLog.Event> events = MessageLog.read(log).stream()
                        .filter(e -> order.equals(e.orderRef())).map(MessageLog.Entry::event).toList();
                assertEquals(List.of(MessageLog.Event.REQUEST, MessageLog.Event.RESPONSE,
                        MessageLog.Event.DUPLICATE_RESPONSE), events, order);
            }
            Lab.Run r = Lab.raw("--journal", lab.journal.toString(), "--message-log", log.toString(), "report",
                    "--order", "DUP-1");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("RESPONSE 0210") && r.out().contains("DUPLICATE_RESPONSE 0210")
                    && !r.out().contains("LATE_RESPONSE"), r.out());
        }
    }

    private static long copies(Path log) {
        try {
            return !Files.exists(log) ? 0 : MessageLog.read(log).stream().filter(e -> e.orderRef() != null
                    && e.orderRef().startsWith("DUP-") && "0210".equals(e.mti())).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
