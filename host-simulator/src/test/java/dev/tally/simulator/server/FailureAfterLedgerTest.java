package dev.tally.simulator.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.simulator.ledger.TxnState;
import dev.tally.simulator.scenario.ScenarioSource;
import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request the ledger has recorded must not be answered 96 (system malfunction: nothing done) when the host fails
 * after that: the terminal would call a standing debit "no charge" (DESIGN.md §6). It gets no answer instead, so the
 * terminal reverses. A failure before anything was recorded still answers 96.
 */
class FailureAfterLedgerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:41:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** What the host put on the wire. */
    private static final class Wire implements ISOSource {
        final List<ISOMsg> sent = new CopyOnWriteArrayList<>();

        @Override
        public void send(ISOMsg m) {
            sent.add(m);
        }

        @Override
        public boolean isConnected() {
            return true;
        }
    }

    private static final List<TestCard> CARDS = TestCards.bundled().all();

    /** The listener as HostServer wires it, its host on {@code hostLedger}, answers scheduled on {@code scheduler}. */
    private static HostRequestListener listener(Ledger hostLedger, Ledger keys, Path rules, ScheduledExecutorService scheduler,
                                                TrafficMetrics metrics) {
        Traffic traffic = new Traffic(null);
        return new HostRequestListener(new AcquirerHost(hostLedger, new SessionKeyStore(keys, LabKeys.tmk()), CARDS, false,
                CLOCK), new ScenarioSource(rules), new Delivery(scheduler, Duration.ofSeconds(5), traffic, metrics), metrics, traffic,
                false);
    }

    /** A well-formed 0200 of order INV-FAIL (MACs are off). */
    private static ISOMsg sale() {
        TestCard card = TestCards.bundled().defaultCard();
        return MessageBuilder.request(MessageType.SALE).pan(card.pan()).amount(1_000)
                .transmissionDateTime(CLOCK.instant().atZone(ZoneOffset.UTC)).stan(1)
                .localDateTime(LocalDateTime.now(CLOCK)).expiry(card.expiry()).posEntryMode("011")
                .posConditionCode("00").terminalId("TERM0001").merchantId("HOSPITAL0000001")
                .currency(card.currency()).orderReference("INV-FAIL").build();
    }

    @Test
    void aSaleDebitedBeforeTheHostFailedGetsNoAnswerNot96() throws Exception {
        // a delayed answer whose scheduler is gone (as while the simulator stops): the failure comes after the debit
        Path rules = Files.writeString(dir.resolve("s.json"),
                "{\"rules\":[{\"match\":{\"mti\":\"0200\"},\"action\":{\"delay\":\"1s\"}}]}");
        ScheduledExecutorService stopped = Executors.newSingleThreadScheduledExecutor();
        stopped.shutdownNow();
        try (Ledger ledger = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            TrafficMetrics metrics = new TrafficMetrics();
            Wire wire = new Wire();
            listener(ledger, ledger, rules, stopped, metrics).process(wire, sale());

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (metrics.snapshot().unanswered() + wire.sent.size() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            LedgerTransaction t = ledger.transactions(Ledger.Filter.all().order("INV-FAIL")).getFirst();
            assertEquals(TxnState.APPROVED, t.state(), "the ledger recorded the debit");
            assertEquals(List.of(), wire.sent.stream().map(m -> m.getString(39)).toList(),
                    "no answer (a 96 would tell the terminal no charge was made)");
            assertEquals(1, metrics.snapshot().unanswered());
        }
    }

    @Test
    void aFailureBeforeTheLedgerRecordedAnythingIsStillAnswered96() throws Exception {
        Path rules = Files.writeString(dir.resolve("s.json"), "{\"rules\":[]}");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (Ledger ledger = Ledger.open(dir.resolve("l.db"), CLOCK, CARDS)) {
            // a host whose ledger is closed: the sale fails before anything is recorded
            Ledger closed = Ledger.open(dir.resolve("closed.db"), CLOCK, CARDS);
            closed.close();
            Wire wire = new Wire();
            listener(closed, ledger, rules, scheduler, new TrafficMetrics()).process(wire, sale());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (wire.sent.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(List.of("96"), wire.sent.stream().map(m -> m.getString(39)).toList());
            assertTrue(ledger.transactions(Ledger.Filter.all()).isEmpty());
        } finally {
            scheduler.shutdownNow();
        }
    }
}
