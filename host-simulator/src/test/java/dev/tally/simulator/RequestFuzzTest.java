package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.SettlementTotals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jpos.iso.IFB_BINARY;
import org.jpos.iso.IFB_LLLBINARY;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import dev.tally.spec.format.Iso87;

/**
 * The simulator's request handling under fuzzed requests: a message of the catalogue, built validly,
 * then with fields removed or overwritten by fuzzed values, MACed or not, sent over a real connection.
 * Whatever the host answers (or drops), it stays up: after every input a clean terminal still gets an
 * echo answered 00. Regression inputs: src/test/resources/dev/tally/simulator/RequestFuzzTestInputs/.
 */
class RequestFuzzTest {

    private static final List<TestCard> CARDS = TestCards.bundled().all();
    private static final int[] FIELDS = {2, 3, 4, 7, 11, 12, 13, 14, 22, 25, 37, 38, 39, 41, 42, 48, 49, 52, 54, 55,
            60, 61, 62, 63, 64, 70, 90};
    private static Simulator sim;

    private static synchronized Simulator simulator() throws Exception {
        if (sim == null) {
            Path dir = Files.createTempDirectory("tally-request-fuzz");
            sim = Simulator.start(SimulatorConfig.defaults(dir.resolve("ledger.db")).withLateDelay(Duration.ofMillis(50)));
            Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
        }
        return sim;
    }

    @FuzzTest(maxDuration = "10s")
    void anyRequestIsAnsweredOrDroppedAndTheHostStaysUp(FuzzedDataProvider d) throws Exception {
        // Jazzer's SSRF detector flags every socket; this test talks to its own loopback simulator only
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"))) {
            exercise(d);
        }
    }

    private static void exercise(FuzzedDataProvider d) throws Exception {
        Simulator host = simulator();
        try (TestTerminal t = new TestTerminal(host.isoPort(), String.format("FZ%06d", d.consumeInt(0, 999_999)))) {
            if (d.consumeBoolean()) {
                t.signOn();
            }
            ISOMsg m = request(t, d);
            int changes = d.consumeInt(0, 6);
            for (int i = 0; i < changes; i++) {
                int f = FIELDS[d.consumeInt(0, FIELDS.length - 1)];
                if (d.consumeBoolean()) {
                    m.unset(f);
                } else if (Iso87.fieldPackager(f) instanceof IFB_BINARY || Iso87.fieldPackager(f) instanceof IFB_LLLBINARY) {
                    m.set(f, d.consumeBytes(d.consumeInt(0, 40)));
                } else {
                    m.set(f, d.consumeString(d.consumeInt(0, 50)));
                }
            }
            try {
                if (d.consumeBoolean()) {
                    t.send(m);
                } else {
                    t.sendRaw(m);
                }
            } catch (ISOException | IOException | RuntimeException cannotEvenPack) {
                return; // the client could not pack it: nothing reached the host
            }
            try {
                t.receiveWithin(Duration.ofMillis(200));
            } catch (IOException | ISOException closedOrGarbled) {
                // the host may close the connection (scenario .71, a frame it will not read) or send garbage (.73)
            }
        }
        try (TestTerminal probe = new TestTerminal(host.isoPort(), "PROBE001")) {
            assertEquals("00", probe.echo().getString(39), "the host still answers a clean terminal");
        }
    }

    private static ISOMsg request(TestTerminal t, FuzzedDataProvider d) {
        TestCard card = CARDS.get(d.consumeInt(0, CARDS.size() - 1));
        long amount = d.consumeLong(1, 2_000_000);
        ISOMsg sale = t.saleRequest(card, amount, "FUZZ-" + d.consumeInt(0, 99)).build();
        MessageType type = MessageType.values()[d.consumeInt(0, MessageType.values().length - 1)];
        return switch (type) {
            case SIGN_ON, ECHO -> MessageBuilder.request(type).transmissionDateTime(TestTerminal.nextField7())
                    .stan(t.nextStan()).terminalId(t.terminalId).build();
            case SALE -> t.keys() != null && d.consumeBoolean()
                    ? t.withPin(t.saleRequest(card, amount, "FUZZ-PIN"), card, d.consumeBoolean() ? card.pin() : "0000").build()
                    : sale;
            case BALANCE_INQUIRY -> t.balanceRequest(card).build();
            case STATUS_INQUIRY -> t.statusOf(sale);
            case REVERSAL, REVERSAL_REPEAT -> t.reversalOf(sale, t.nextStan(), type == MessageType.REVERSAL_REPEAT,
                    ReversalReason.NO_RESPONSE);
            case SETTLEMENT, SETTLEMENT_TRAILER -> t.settlement(d.consumeInt(1, 3),
                    new SettlementTotals(d.consumeInt(0, 5), d.consumeLong(0, 100_000), 0, 0),
                    type == MessageType.SETTLEMENT_TRAILER);
            case BATCH_UPLOAD -> t.uploadOf(sale, MessageBuilder.responseTo(sale).responseCode("00")
                    .rrn("000000000001").authCode("ABC123").build());
        };
    }
}
