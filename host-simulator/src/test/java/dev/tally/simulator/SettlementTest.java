package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.SettlementTotals;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Settlement, batch upload and trailer (SPEC.md §4.7). */
class SettlementTest extends SimulatorHarness {

    private TestTerminal t;

    @BeforeEach
    void up() throws Exception {
        start();
        t = signedOn("TALLY001");
    }

    @Test
    void equalTotalsClose00AndSettlingTheSameBatchAgainIs00() throws Exception {
        t.exchange(t.saleRequest(VISA, 1000, "INV-1").build());
        t.exchange(t.saleRequest(VISA, 2000, "INV-2").build());
        ISOMsg reversed = t.saleRequest(VISA, 500, "INV-3").build();
        t.exchange((ISOMsg) reversed.clone());
        t.exchange(t.reversalOf(reversed, t.nextStan(), false, ReversalReason.OTHER));
        t.exchange(t.saleRequest(VISA, 1005, "INV-4").build()); // declined 05: not in the batch

        SettlementTotals totals = new SettlementTotals(2, 3000, 0, 0);
        MessageView v = MessageView.of(t.exchange(t.settlement(1, totals, false)));
        assertEquals("0510", v.mti());
        assertEquals("00", v.responseCode());
        assertEquals(1, v.batchNumber());
        assertEquals(totals, v.settlementTotals().orElseThrow());
        assertEquals("00", MessageView.of(t.exchange(t.settlement(1, totals, false))).responseCode(), "idempotent");

        // the next batch starts empty
        assertEquals("00", MessageView.of(t.exchange(t.settlement(2, SettlementTotals.ZERO, false))).responseCode());
        ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all().terminal("TALLY001")).stream()
                .filter(x -> x.debitStanding())
                .forEach(x -> assertTrue(x.settlementBatchId() != null, "approved sales are in a closed batch"));
    }

    /**
     * A batch number closed already, sent again with other totals (a new terminal journal against this ledger starts
     * at batch 1 again): refused 12, nothing closed. A 00 would tell the terminal its new sales are settled while
     * they stay open here.
     */
    @Test
    void aClosedBatchNumberWithOtherTotalsIsRefused12AndClosesNothing() throws Exception {
        t.exchange(t.saleRequest(VISA, 933, "INV-OLD").build());
        SettlementTotals first = new SettlementTotals(1, 933, 0, 0);
        assertEquals("00", MessageView.of(t.exchange(t.settlement(1, first, false))).responseCode());

        t.exchange(t.saleRequest(VISA, 800, "INV-NEW").build());
        MessageView reused = MessageView.of(t.exchange(t.settlement(1, new SettlementTotals(1, 800, 0, 0), false)));
        assertEquals("12", reused.responseCode());
        assertEquals(new SettlementTotals(1, 800, 0, 0), reused.settlementTotals().orElseThrow(), "the host's open sales");
        assertNull(ledger().transactions(dev.tally.simulator.ledger.Ledger.Filter.all().order("INV-NEW")).getFirst()
                .settlementBatchId(), "the new sale is not settled");
        assertEquals(1, ledger().batches("TALLY001").size());
        assertEquals("00", MessageView.of(t.exchange(t.settlement(1, first, false))).responseCode(),
                "the same batch again (its answer lost) is still 00");
        assertEquals("00", MessageView.of(t.exchange(t.settlement(2, new SettlementTotals(1, 800, 0, 0), false)))
                .responseCode(), "under the next number it closes");
    }

    /**
     * A reversal of a sale in a batch already closed is honoured (the terminal settled without it while its reversal
     * was pending), with a WARN line naming the batch, whose totals stand as settled. It went without a trace.
     */
    @Test
    void aReversalOfASaleInAClosedBatchIsHonouredWithAWarningAndTheBatchKeepsItsTotals() throws Exception {
        ISOMsg sale = t.saleRequest(VISA, 700, "INV-LATE-REV").build();
        t.exchange((ISOMsg) sale.clone());
        SettlementTotals totals = new SettlementTotals(1, 700, 0, 0);
        assertEquals("00", MessageView.of(t.exchange(t.settlement(1, totals, false))).responseCode());
        String log = LogCapture.during(() -> assertEquals("00", MessageView.of(
                t.exchange(t.reversalOf(sale, t.nextStan(), false, ReversalReason.NO_RESPONSE))).responseCode()));
        assertTrue(log.contains("which is in batch 000001 already closed: the card is refunded and the merchant credit"
                + " cancelled; the batch's totals stand as settled"), log);
        assertEquals(1_000_000, ledger().balance("visa-1"), "the customer is not left charged (the opening balance)");
        assertEquals(totals.encode(), ledger().batches("TALLY001").getFirst().hostTotals(), "the batch as settled");
    }

    @Test
    void settlementWithAWrongMacIsA0AndClosesNothing() throws Exception {
        t.exchange(t.saleRequest(VISA, 1000, "INV-M").build());
        ISOMsg settle = t.settlement(3, new SettlementTotals(1, 1000, 0, 0), false);
        dev.tally.spec.crypto.MessageMac.apply(settle, new byte[16]);
        t.sendRaw(settle);
        assertEquals("A0", MessageView.of(t.receive()).responseCode());
        assertTrue(ledger().batches("TALLY001").isEmpty());
    }

    @Test
    void differentTotalsAre95ThenUploadAndTrailerClose00() throws Exception {
        ISOMsg s1 = t.saleRequest(VISA, 1000, "INV-A").build();
        ISOMsg a1 = t.exchange((ISOMsg) s1.clone());
        ISOMsg s2 = t.saleRequest(VISA, 1069, "INV-B").build(); // applied, answer dropped: the terminal does not know
        t.send((ISOMsg) s2.clone());
        t.receiveWithin(java.time.Duration.ofMillis(500));
        t.connect();

        SettlementTotals terminalView = new SettlementTotals(1, 1000, 0, 0);
        MessageView first = MessageView.of(t.exchange(t.settlement(7, terminalView, false)));
        assertEquals("95", first.responseCode());
        assertEquals(new SettlementTotals(2, 2069, 0, 0), first.settlementTotals().orElseThrow(), "the host's view");

        MessageView up = MessageView.of(t.exchange(t.uploadOf(s1, a1)));
        assertEquals("0330", up.mti());
        assertEquals("00", up.responseCode());
        assertEquals(1, ledger().uploadCount("TALLY001"));

        MessageView trailer = MessageView.of(t.exchange(t.settlement(7, terminalView, true)));
        assertEquals("0510", trailer.mti());
        assertEquals("00", trailer.responseCode());
        String diff = ledger().batchDifferences("TALLY001", 7).orElseThrow();
        assertTrue(diff.contains("not uploaded"), diff);
        assertTrue(diff.contains(String.format("%06d", MessageView.of(s2).stan())), diff);

        assertEquals("00", MessageView.of(t.exchange(t.settlement(7, terminalView, false))).responseCode(),
                "a closed batch settles 00 again");

        var batch = new AdminClient(sim.adminUri()).getJson("/settlements?terminal=TALLY001").get("settlements").get(0);
        assertEquals(7, batch.get("batchNumber").asInt());
        assertEquals("CLOSED", batch.get("status").asText());
        assertEquals(1, batch.get("uploads").asInt());
        assertEquals(terminalView.encode(), batch.get("terminalTotals").asText());
        assertTrue(batch.get("differences").asText().contains("not uploaded"));
        for (String time : new String[] {"openedAt", "closedAt"}) {
            assertTrue(batch.get(time).asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3})?Z"),
                    time + " in UTC to the millisecond: " + batch.get(time));
        }
    }

    /**
     * A trailer (0500, 960000) for a batch the host never asked to upload (reviewer's s11): refused 12 with a WARN
     * naming the terminal and batch, nothing recorded. It was answered 00 and closed batch 1 with the sale in it, and
     * the terminal's own 0500 of the batch was then refused 12 as a reused number.
     */
    @Test
    void aTrailerForABatchWithNoUploadRequestedIsRefused12AndRecordsNothing() throws Exception {
        t.exchange(t.saleRequest(VISA, 700, "INV-TRL").build());
        String log = LogCapture.during(() -> {
            MessageView trailer = MessageView.of(t.exchange(t.settlement(1, SettlementTotals.ZERO, true)));
            assertEquals("0510", trailer.mti());
            assertEquals("12", trailer.responseCode());
        });
        assertTrue(log.contains("terminal TALLY001 batch 000001: settlement trailer refused (12), no upload was requested"
                + " for this batch"), log);
        assertTrue(ledger().batches("TALLY001").isEmpty(), "no batch recorded");
        assertNull(onlyTxn("TALLY001", "INV-TRL").settlementBatchId(), "the sale is in no batch");

        SettlementTotals totals = new SettlementTotals(1, 700, 0, 0);
        MessageView settle = MessageView.of(t.exchange(t.settlement(1, totals, false)));
        assertEquals("00", settle.responseCode(), "the terminal's own settlement of the batch closes it");
        assertEquals(totals, settle.settlementTotals().orElseThrow());
    }

    /**
     * A batch upload names the sale it uploads (field 60: 0200 + STAN + field 7). One naming another MTI under the sale's
     * STAN and field 7 is a format error: 30, nothing recorded against the batch, and the log names field 60. Before,
     * it was taken as an upload of that sale.
     */
    @Test
    void anUploadNamingAnotherMtiThanTheSaleIsAFormatErrorAndRecordsNothing() throws Exception {
        ISOMsg sale = t.saleRequest(VISA, 1300, "INV-U60").build();
        ISOMsg answer = t.exchange((ISOMsg) sale.clone());
        assertEquals("95", MessageView.of(t.exchange(t.settlement(8, new SettlementTotals(2, 2600, 0, 0), false)))
                .responseCode());
        ISOMsg upload = t.uploadOf(sale, answer);
        upload.set(60, "0100" + upload.getString(60).substring(4));
        MessageView[] refused = new MessageView[1];
        String log = LogCapture.during(() -> refused[0] = MessageView.of(t.exchange(upload)));
        assertEquals("0330", refused[0].mti());
        assertEquals("30", refused[0].responseCode());
        assertTrue(log.contains("field 60 (batch number / original data): original MTI of an upload must be 0200"), log);
        assertEquals(0, ledger().uploadCount("TALLY001"), "nothing uploaded");
        assertEquals("UPLOAD_REQUESTED", ledger().batches("TALLY001").getFirst().status());
        assertEquals("00", MessageView.of(t.exchange(t.uploadOf(sale, answer))).responseCode(), "named as the sale");
        assertEquals(1, ledger().uploadCount("TALLY001"));
    }

    /**
     * A trailer whose totals are not those of the 0500 answered 95 (a client written from SPEC.md found it accepted, its
     * totals replacing the 0500's): refused 12 with a WARN naming both totals, nothing recorded, the batch still waiting;
     * the trailer with the 0500's totals, as Tally's terminal sends it, then closes the batch.
     */
    @Test
    void aTrailerWithOtherTotalsThanIts0500IsRefused12AndRecordsNothing() throws Exception {
        ISOMsg sale = t.saleRequest(VISA, 1200, "INV-TT").build();
        ISOMsg answer = t.exchange((ISOMsg) sale.clone());
        SettlementTotals terminalView = new SettlementTotals(2, 2400, 0, 0); // counts a sale the host does not have
        assertEquals("95", MessageView.of(t.exchange(t.settlement(6, terminalView, false))).responseCode());
        assertEquals("00", MessageView.of(t.exchange(t.uploadOf(sale, answer))).responseCode());
        var waiting = ledger().batches("TALLY001").getFirst();

        SettlementTotals other = new SettlementTotals(1, 1200, 0, 0); // the host's totals, not the 0500's
        String log = LogCapture.during(() -> {
            MessageView trailer = MessageView.of(t.exchange(t.settlement(6, other, true)));
            assertEquals("0510", trailer.mti());
            assertEquals("12", trailer.responseCode());
            assertEquals(other, trailer.settlementTotals().orElseThrow(), "the host's totals of the batch");
        });
        assertTrue(log.contains("terminal TALLY001 batch 000006: settlement trailer refused (12), its totals "
                + other.encode() + " are not those of the settlement request that asked for the upload ("
                + terminalView.encode() + ")"), log);
        assertEquals(java.util.List.of(waiting), ledger().batches("TALLY001"), "the batch as the 0500 left it");
        assertEquals("UPLOAD_REQUESTED", waiting.status());
        assertEquals(terminalView.encode(), waiting.terminalTotals());

        assertEquals("00", MessageView.of(t.exchange(t.settlement(6, terminalView, true))).responseCode());
        var closed = ledger().batches("TALLY001").getFirst();
        assertEquals("CLOSED", closed.status());
        assertEquals(terminalView.encode(), closed.terminalTotals());
        assertTrue(closed.differences().contains("totals host=" + other.encode() + " terminal=" + terminalView.encode()),
                closed.differences());
    }

    /**
     * A settlement request of a batch waiting for its upload, sent again: with the totals of its 0500 answered 95 (that
     * answer lost, as Tally's terminal resends it) it is 95 again and the batch unchanged; with other totals under the
     * number (another journal reusing it) it is refused 12 with a WARN naming both, nothing recorded, also when they
     * are the host's. Before, the other totals replaced the 0500's (or, equal to the host's, closed the batch 00
     * without its upload).
     */
    @Test
    void a0500AgainForABatchWaitingForItsUploadIs95WithItsTotalsAndRefused12WithOthers() throws Exception {
        ISOMsg sale = t.saleRequest(VISA, 1200, "INV-RE").build();
        ISOMsg answer = t.exchange((ISOMsg) sale.clone());
        SettlementTotals terminalView = new SettlementTotals(2, 2400, 0, 0); // counts a sale the host does not have
        SettlementTotals host = new SettlementTotals(1, 1200, 0, 0);
        assertEquals("95", MessageView.of(t.exchange(t.settlement(4, terminalView, false))).responseCode());
        var waiting = ledger().batches("TALLY001").getFirst();

        MessageView again = MessageView.of(t.exchange(t.settlement(4, terminalView, false)));
        assertEquals("95", again.responseCode(), "the same 0500 again (its 95 lost)");
        assertEquals(host, again.settlementTotals().orElseThrow());
        assertEquals(java.util.List.of(waiting), ledger().batches("TALLY001"), "unchanged");

        for (SettlementTotals other : new SettlementTotals[] {new SettlementTotals(3, 3600, 0, 0), host}) {
            String log = LogCapture.during(() -> {
                MessageView refused = MessageView.of(t.exchange(t.settlement(4, other, false)));
                assertEquals("0510", refused.mti());
                assertEquals("12", refused.responseCode(), other.encode());
                assertEquals(host, refused.settlementTotals().orElseThrow(), "the host's totals of the batch");
            });
            assertTrue(log.contains("terminal TALLY001 batch 000004: settlement request refused (12), its totals "
                    + other.encode() + " are not those of the settlement request answered 95 (" + terminalView.encode()
                    + ")"), log);
            assertEquals(java.util.List.of(waiting), ledger().batches("TALLY001"), "the batch as its 0500 left it");
        }

        assertEquals("00", MessageView.of(t.exchange(t.uploadOf(sale, answer))).responseCode());
        assertEquals("00", MessageView.of(t.exchange(t.settlement(4, terminalView, true))).responseCode());
        var closed = ledger().batches("TALLY001").getFirst();
        assertEquals("CLOSED", closed.status());
        assertEquals(terminalView.encode(), closed.terminalTotals());
        assertEquals(1, closed.uploads());
    }

    /**
     * The trailer of a batch answered 95, sent again: once the batch waits for its upload the trailer closes it (also
     * on a new connection after a restart, as a terminal that crashed after its uploads resends it); repeated after
     * its 00 was lost it is 00 again and changes nothing.
     */
    @Test
    void aTrailerAfter95ClosesTheBatchAcrossARestartAndARepeatIs00Again() throws Exception {
        ISOMsg sale = t.saleRequest(VISA, 1200, "INV-UP").build();
        ISOMsg answer = t.exchange((ISOMsg) sale.clone());
        SettlementTotals terminalView = new SettlementTotals(2, 2400, 0, 0); // counts a sale the host does not have
        assertEquals("95", MessageView.of(t.exchange(t.settlement(5, terminalView, false))).responseCode());
        assertEquals("00", MessageView.of(t.exchange(t.uploadOf(sale, answer))).responseCode());
        // the terminal is killed after its uploads, the simulator restarted, and the settlement resumed with the trailer
        t.close();
        int port = sim.isoPort();
        sim.close();
        startAgainOn(port, config());
        t = signedOn("TALLY001");
        assertEquals("00", MessageView.of(t.exchange(t.settlement(5, terminalView, true))).responseCode());
        var closed = ledger().batches("TALLY001").getFirst();
        assertEquals("CLOSED", closed.status());
        assertEquals(1, closed.uploads());
        assertEquals("00", MessageView.of(t.exchange(t.settlement(5, terminalView, true))).responseCode(),
                "the trailer repeated (its answer lost)");
        assertEquals(1, ledger().batches("TALLY001").size());
        assertEquals(closed, ledger().batches("TALLY001").getFirst(), "unchanged");
    }
}
