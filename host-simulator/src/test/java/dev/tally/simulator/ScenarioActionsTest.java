package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.SettlementTotals;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** Scenario actions on messages other than sales: rules match any MTI. */
class ScenarioActionsTest extends SimulatorHarness {

    @Test
    void actionsApplyToEchoesReversalsStatusInquiriesAndSettlements() throws Exception {
        Path file = dir.resolve("s.json");
        Files.writeString(file, """
                {"rules": [
                  {"name": "echo twice", "match": {"mti": "0800", "stan": 2}, "action": {"respondTwice": true}},
                  {"name": "echo dropped", "match": {"mti": "0800", "stan": 4}, "action": {"dropRequest": true}},
                  {"name": "status garbled", "match": {"mti": "0100", "processingCode": "380000"}, "action": {"garbage": true}},
                  {"name": "reversal hangs up", "match": {"mti": "0400"}, "action": {"closeConnection": true}},
                  {"name": "repeat delayed", "match": {"mti": "0401"}, "action": {"delay": "200ms"}},
                  {"name": "settlement out of balance", "match": {"mti": "0500", "processingCode": "920000"}, "action": {"respond": "95"}}
                ]}""");
        start(config().withScenarioFile(file));
        try (TestTerminal t = terminal("TALLY001")) {
            t.signOn(); // STAN 1
            t.send(dev.tally.spec.message.MessageBuilder.request(dev.tally.spec.message.MessageType.ECHO)
                    .transmissionDateTime(TestTerminal.nextField7()).stan(t.nextStan()).terminalId("TALLY001").build());
            assertArrayEquals(Iso87.pack(t.receive()), Iso87.pack(t.receive()), "the echo is answered twice");
            assertEquals("00", MessageView.of(t.echo()).responseCode()); // STAN 3
            t.send(dev.tally.spec.message.MessageBuilder.request(dev.tally.spec.message.MessageType.ECHO)
                    .transmissionDateTime(TestTerminal.nextField7()).stan(t.nextStan()).terminalId("TALLY001").build());
            assertTrue(t.receiveWithin(Duration.ofMillis(500)).isEmpty(), "echo STAN 4 dropped");
            t.connect();

            ISOMsg sale = t.saleRequest(VISA, 2500, "X-1").build();
            assertEquals("00", MessageView.of(t.exchange((ISOMsg) sale.clone())).responseCode());
            t.send(t.statusOf(sale));
            assertThrows(ISOException.class, t::receive, "garbled status answer");
            t.connect();

            int rs = t.nextStan();
            t.send(t.reversalOf(sale, rs, false, ReversalReason.NO_RESPONSE));
            assertThrows(EOFException.class, t::receive, "the host hangs up on the 0400");
            assertEquals(1_000_000, ledger().balance("visa-1"), "but applied it");
            t.connect();
            assertEquals("00", MessageView.of(t.exchange(t.reversalOf(sale, rs, true, ReversalReason.NO_RESPONSE)))
                    .responseCode(), "the delayed 0401 is answered, idempotently");
            assertEquals(1_000_000, ledger().balance("visa-1"));

            assertEquals("95", MessageView.of(t.exchange(t.settlement(1, SettlementTotals.ZERO, false))).responseCode());
            assertEquals("00", MessageView.of(t.exchange(t.settlement(1, SettlementTotals.ZERO, true))).responseCode());
        }
    }

    /**
     * "Always out of balance" (a rule answering the 0500 95) is an upload request like the ledger's own: the batch is
     * recorded with the host's totals, the uploads belong to it (a repeat counted once), and the trailer closes it.
     */
    @Test
    void aSettlementForced95RecordsTheBatchSoItsUploadsAndTrailerBelongToIt() throws Exception {
        Path file = dir.resolve("s.json");
        Files.writeString(file, """
                {"rules": [{"match": {"mti": "0500", "processingCode": "920000"}, "action": {"respond": "95"}}]}""");
        start(config().withScenarioFile(file));
        try (TestTerminal t = terminal("TALLY001")) {
            t.signOn();
            ISOMsg sale = t.saleRequest(VISA, 2500, "X-95").build();
            ISOMsg answer = t.exchange((ISOMsg) sale.clone());
            SettlementTotals totals = new SettlementTotals(1, 2500, 0, 0);
            MessageView settle = MessageView.of(t.exchange(t.settlement(4, totals, false)));
            assertEquals("95", settle.responseCode());
            assertEquals(totals, settle.settlementTotals().orElseThrow(), "the host's totals, as for its own 95");
            assertEquals("00", MessageView.of(t.exchange(t.uploadOf(sale, answer))).responseCode());
            assertEquals("00", MessageView.of(t.exchange(t.uploadOf(sale, answer))).responseCode(), "a repeat");
            assertEquals("00", MessageView.of(t.exchange(t.settlement(4, totals, true))).responseCode());
            var batch = ledger().batches("TALLY001").getFirst();
            assertEquals("CLOSED", batch.status());
            assertEquals(4, batch.batchNumber());
            assertEquals(1, batch.uploads(), "the upload belongs to the batch, once");
        }
    }
}
