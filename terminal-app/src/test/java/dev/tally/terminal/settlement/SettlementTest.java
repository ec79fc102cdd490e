package dev.tally.terminal.settlement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.crypto.KeyCheckValue;
import dev.tally.spec.crypto.KeyWrap;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.KeyBlocks;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.SettlementTotals;
import dev.tally.terminal.card.LabCardReader;
import dev.tally.terminal.engine.PaymentEngine;
import dev.tally.terminal.engine.PaymentStatus;
import dev.tally.terminal.engine.ReversalPolicy;
import dev.tally.terminal.engine.TerminalProfile;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostChannel;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.journal.BatchState;
import dev.tally.terminal.journal.Journal;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Settlement against a host that answers in ways the simulator cannot: a 0510 whose totals (field 63) are
 * malformed, one without a response code, and every refusal code. Each is a failed step the next
 * {@code settle} resumes — never an exception the cashier API would call the cashier's bad input (400) —
 * and only 95 leads to the batch upload.
 */
class SettlementTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T08:03:07Z"), ZoneOffset.UTC);
    static final TerminalProfile PROFILE = new TerminalProfile("TALLY001", "HOSPITAL0000001", "840", Duration.ofSeconds(2));

    @TempDir
    Path dir;

    /**
     * A settlement sends the reversals due first, each waiting up to the timeout: the till is told before, as before a
     * sale (it ran them without a word, so a settle could sit silent for minutes).
     */
    @Test
    void aSettlementTellsTheTillBeforeItSendsTheReversalsDue() {
        StubHost host = new StubHost((h, req) -> {
            String mti = MessageView.of(req).mti();
            boolean firstReversal = mti.startsWith("040") && h.mtis().stream().filter(m -> m.startsWith("040")).count() == 1;
            return "0200".equals(mti) || firstReversal ? null : h.goodAnswer(req); // the sale and its first try lost
        });
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
            t.engine.notesTo(notes::add);
            assertEquals(PaymentStatus.REVERSAL_PENDING, t.engine.sale("S-REV", 2000, null).status());
            SettlementResult r = t.settlement.settle();
            assertTrue(r.closed(), r.message());
            assertEquals(List.of("sending the reversal due of earlier payments first (order S-REV): it waits up to "
                    + PROFILE.timeout().toSeconds() + " s for the host's answer"), notes);
            assertEquals(List.of("0800", "0200", "0400", "0401", "0500"), host.mtis());
        }
    }

    @Test
    void aMalformedTotalsFieldInTheAnswerIsAFailedStepAndTheBatchResumes() {
        // the first 0510 says 00 but its field 63 is not 36 digits; the host's next answer is well formed
        StubHost host = new StubHost((h, req) -> isSettlement(req) && h.settlements == 1
                ? h.settlementAnswer(req, "00", "12AB5") : h.goodAnswer(req));
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-1", 2000, null).status());

            SettlementResult r = t.settlement.settle();
            assertFalse(r.closed(), r.message());
            assertNull(r.failureCode(), "not a refusal: the host's answer was unreadable");
            assertEquals(BatchState.SETTLING, r.batch().state());
            assertTrue(r.message().startsWith("settlement of batch 000001 not finished: the 0500 of batch 000001 was"
                    + " answered 00, but the answer is malformed: settlement totals (field 63) must be 36 digits"), r.message());
            assertTrue(r.message().endsWith("the batch stays SETTLING: settle again to resume it (tally settle, or POST /v1/settlement"
                    + " while tally serve runs)"), r.message());
            assertEquals(BatchState.SETTLING, t.journal.batches().inProgress("TALLY001").orElseThrow().state());

            SettlementResult again = t.settlement.settle();
            assertTrue(again.closed(), again.message());
            assertTrue(again.resumed());
            assertEquals(1, again.batch().batchNumber());
            assertEquals("00", again.settlementResponseCode());
            assertEquals(List.of("0800", "0200", "0500", "0500"), host.mtis());
        }
    }

    @Test
    void aMalformedTotalsFieldInTheTrailersAnswerLeavesTheBatchUploading() {
        StubHost host = new StubHost((h, req) -> {
            String pc = MessageView.of(req).processingCode();
            if (isSettlement(req) && "920000".equals(pc)) {
                return h.settlementAnswer(req, "95", SettlementTotals.ZERO.encode());
            }
            if (isSettlement(req) && h.settlements == 2) {
                return h.settlementAnswer(req, "00", "not totals");
            }
            return h.goodAnswer(req);
        });
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-1", 2000, null).status());
            SettlementResult r = t.settlement.settle();
            assertFalse(r.closed(), r.message());
            assertEquals(BatchState.UPLOADING, r.batch().state());
            assertEquals(1, r.batch().uploaded());
            assertTrue(r.message().contains("the trailer (0500 960000) of batch 000001 was answered 00, but the answer is"
                    + " malformed"), r.message());

            SettlementResult again = t.settlement.settle();
            assertTrue(again.closed(), again.message());
            assertEquals(List.of("0800", "0200", "0500", "0320", "0500", "0500"), host.mtis(),
                    "the upload the host acknowledged is not sent again");
        }
    }

    /** SPEC.md §5: a 0510 is MACed. A 00 without a MAC would settle and purge for good: a failed step instead. */
    @Test
    void aSettlementApprovalWithoutAMacIsAFailedStepAndNothingIsSettled() {
        StubHost host = new StubHost((h, req) -> {
            if (isSettlement(req) && h.settlements == 1) {
                ISOMsg unsigned = h.goodAnswer(req);
                unsigned.unset(Field.MAC.number());
                return unsigned;
            }
            return h.goodAnswer(req);
        });
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-1", 2000, null).status());
            SettlementResult r = t.settlement.settle();
            assertFalse(r.closed(), r.message());
            assertTrue(r.message().contains("the 0500 of batch 000001 was answered 00 without a MAC: not trusted"), r.message());
            assertEquals(BatchState.SETTLING, r.batch().state());
            assertEquals(dev.tally.terminal.journal.AttemptState.APPROVED, t.journal.lastAttempt("S-1").orElseThrow().state(),
                    "not settled");
            assertTrue(t.settlement.settle().closed(), "resumed once the host answers as the spec says");
        }
    }

    /**
     * A payment in a batch whose settlement has started is not cancelled at the till: the batch's totals, already
     * sent to the acquirer (who may have closed it, its answer lost), count it.
     */
    @Test
    void aPaymentInABatchBeingSettledCannotBeCancelledAndTheResumedSettlementSettlesIt() {
        StubHost host = new StubHost((h, req) -> isSettlement(req) && h.settlements == 1 ? null : h.goodAnswer(req));
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-1", 2000, null).status());
            SettlementResult r = t.settlement.settle();
            assertFalse(r.closed(), r.message());
            assertEquals(BatchState.SETTLING, r.batch().state());

            dev.tally.terminal.engine.PaymentResult cancel = t.engine.reverse("S-1");
            assertEquals(PaymentStatus.NOTHING_TO_REVERSE, cancel.status(), cancel.message());
            assertTrue(cancel.message().contains("is in batch 000001, whose settlement has started (SETTLING): finish it"
                    + " first"), cancel.message());
            assertEquals(dev.tally.terminal.journal.AttemptState.APPROVED, t.journal.lastAttempt("S-1").orElseThrow().state());
            assertFalse(host.mtis().contains("0400"), "nothing reversed: " + host.mtis());

            SettlementResult again = t.settlement.settle();
            assertTrue(again.closed(), again.message());
            assertEquals(dev.tally.terminal.journal.AttemptState.SETTLED, t.journal.lastAttempt("S-1").orElseThrow().state());
            // a payment of the next batch is still cancelled as before
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-2", 500, null).status());
            assertEquals(PaymentStatus.REVERSED, t.engine.reverse("S-2").status());
        }
    }

    @Test
    void anAnswerWithoutAResponseCodeIsAFailedStep() {
        StubHost host = new StubHost((h, req) -> isSettlement(req) && h.settlements == 1
                ? h.settlementAnswer(req, null, null) : h.goodAnswer(req));
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            SettlementResult r = t.settlement.settle();
            assertFalse(r.closed(), r.message());
            assertTrue(r.message().contains("the 0500 of batch 000001 was answered without a response code (field 39)"),
                    r.message());
            assertTrue(t.settlement.settle().closed());
        }
    }

    /**
     * 12 means "batch number closed already" only as the answer to the 0500: a 12 to an upload (0320) is a plain
     * refusal of that step, shown by its meaning, and the batch resumes as for any other.
     */
    @Test
    void twelveToAnUploadIsAPlainRefusalNotAReusedBatchNumber() {
        StubHost host = new StubHost((h, req) -> {
            if (isSettlement(req)) {
                return h.settlementAnswer(req, "95", SettlementTotals.ZERO.encode());
            }
            return "0320".equals(MessageView.of(req).mti()) ? h.settlementAnswer(req, "12", null) : h.goodAnswer(req);
        });
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-1", 2000, null).status());
            SettlementResult r = t.settlement.settle();
            assertFalse(r.closed(), r.message());
            assertEquals("12", r.failureCode());
            assertTrue(r.message().contains("answered 12 (Invalid transaction); the batch stays UPLOADING: settle again to"
                    + " resume it"), r.message());
            assertFalse(r.message().contains("holds batch"), r.message());
        }
    }

    /**
     * A host whose ledger lost the batch's upload request after its 95 (replaced or reset) refuses the trailer 12. The
     * batch goes back to SETTLING: the next settle sends the 0500 anew and uploads every sale again. Before, each settle
     * resent the trailer, was refused again, and no later batch could settle.
     */
    @Test
    void aTrailerRefused12SendsTheBatchBackToSettlingAndTheNextSettleStartsItAnew() {
        StubHost host = new StubHost((h, req) -> {
            String pc = MessageView.of(req).processingCode();
            if (isSettlement(req) && "920000".equals(pc)) {
                return h.settlementAnswer(req, "95", SettlementTotals.ZERO.encode());
            }
            if (isSettlement(req)) { // the trailer: refused the first time, as by a host whose ledger was reset
                return h.settlements == 2 ? h.settlementAnswer(req, "12", null) : h.goodAnswer(req);
            }
            return h.goodAnswer(req);
        });
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-1", 2000, null).status());
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-2", 3000, null).status());
            SettlementResult r = t.settlement.settle();
            assertFalse(r.closed(), r.message());
            assertEquals("12", r.failureCode());
            assertEquals(BatchState.SETTLING, r.batch().state());
            assertEquals(0, r.batch().uploaded());
            assertTrue(r.message().contains("the trailer (0500 960000) was answered 12: the host holds no upload request"
                    + " for this batch") && r.message().contains("back to SETTLING: settle again"), r.message());

            SettlementResult again = t.settlement.settle();
            assertTrue(again.closed(), again.message());
            assertEquals(List.of("0800", "0200", "0200", "0500", "0320", "0320", "0500", "0500", "0320", "0320", "0500"),
                    host.mtis(), "the 0500 anew, both sales uploaded again, then the trailer");
        }
    }

    /** Only 95 (UPLOAD_BATCH in the response-code catalogue) leads to the upload; every other code is a refusal. */
    @ParameterizedTest
    @ValueSource(strings = {"91", "96", "30", "A0", "05", "Z9"})
    void aRefusedSettlementUploadsNothingAndLeavesTheBatchSettling(String code) {
        StubHost host = new StubHost((h, req) -> isSettlement(req) && h.settlements == 1
                ? h.settlementAnswer(req, code, null) : h.goodAnswer(req));
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-1", 2000, null).status());
            SettlementResult r = t.settlement.settle();
            assertFalse(r.closed(), r.message());
            assertEquals(code, r.failureCode());
            assertEquals(BatchState.SETTLING, r.batch().state());
            assertTrue(r.message().contains("the 0500 of batch 000001 answered " + code + " ("), r.message());
            assertFalse(host.mtis().contains("0320"), "uploaded after " + code + ": " + host.mtis());
            assertEquals(1, host.mtis().stream().filter("0500"::equals).count(), "a trailer after " + code);

            assertTrue(t.settlement.settle().closed(), "resumed once the host accepts");
        }
    }

    /**
     * The 0500's answer is MAC-checked under the keys the 0500 was MACed with: the session dropping its keys
     * meanwhile (another payment's A0/A1 in serve mode) says nothing about this answer.
     */
    @Test
    void theAnswerIsMacCheckedUnderTheKeysItsRequestWasMacedWith() {
        StubHost host = new StubHost((h, req) -> {
            if (isSettlement(req)) {
                h.whileAnswering.run();
            }
            return h.goodAnswer(req);
        });
        try (Terminal t = new Terminal(dir.resolve("j.db"), host)) {
            assertEquals(PaymentStatus.APPROVED, t.engine.sale("S-1", 2000, null).status());
            host.whileAnswering = t.session::invalidateKeys;
            SettlementResult r = t.settlement.settle();
            assertTrue(r.closed(), r.message());
            assertEquals(List.of("0800", "0200", "0500"), host.mtis());
        }
    }

    private static boolean isSettlement(ISOMsg req) {
        return "0500".equals(MessageView.of(req).mti());
    }

    /**
     * The host end of an in-memory channel: signs on with real session keys under the lab TMK, answers the
     * rest through {@code answer}, and every message crosses as packed bytes, as on the wire.
     */
    static final class StubHost implements HostChannel {

        private static final HexFormat HEX = HexFormat.of().withUpperCase();

        private final byte[] macKey;
        private final byte[] pinKey;
        private final BiFunction<StubHost, ISOMsg, ISOMsg> answer;
        private final List<ISOMsg> received = new CopyOnWriteArrayList<>();
        /** The 0500s received so far, the one being answered included. */
        int settlements;
        /** Run by an answer function that asks for it, while the host holds the request. */
        volatile Runnable whileAnswering = () -> { };

        StubHost(BiFunction<StubHost, ISOMsg, ISOMsg> answer) {
            SecureRandom rnd = new SecureRandom();
            this.macKey = KeyWrap.randomKey16(rnd);
            this.pinKey = KeyWrap.randomKey16(rnd);
            this.answer = answer;
        }

        List<String> mtis() {
            return received.stream().map(m -> MessageView.of(m).mti()).toList();
        }

        /** A 0510 with {@code rc} (none when null) and field 63 exactly as given (none when null), MACed. */
        ISOMsg settlementAnswer(ISOMsg req, String rc, String field63) {
            ISOMsg m = MessageBuilder.responseTo(req).responseCode(rc != null ? rc : "00").build();
            if (rc == null) {
                m.unset(Field.RESPONSE_CODE.number()); // raw: a host that breaks the spec
            }
            if (field63 != null) {
                m.set(Field.SETTLEMENT_TOTALS.number(), field63); // raw: a host that breaks the spec
            }
            MessageMac.apply(m, macKey);
            return m;
        }

        /** 00 to anything (a sale gets an RRN and an approval code; totals are echoed), MACed. */
        ISOMsg goodAnswer(ISOMsg req) {
            MessageBuilder b = MessageBuilder.responseTo(req).responseCode("00");
            MessageView v = MessageView.of(req);
            if ("0200".equals(v.mti())) {
                b.rrn("000000000042").authCode("OK4242");
            }
            v.settlementTotals().ifPresent(b::settlementTotals);
            ISOMsg m = b.build();
            MessageMac.apply(m, macKey);
            return m;
        }

        @Override
        public String address() {
            return "stub host";
        }

        @Override
        public void connect() {
        }

        @Override
        public synchronized Exchange exchange(ISOMsg request, Duration timeout) {
            ISOMsg req = Iso87.unpack(Iso87.pack(request));
            received.add(req);
            ISOMsg resp;
            if ("001".equals(MessageView.of(req).networkManagementCode())) {
                byte[] tmk = LabKeys.tmk();
                resp = MessageBuilder.responseTo(req).responseCode("00")
                        .keyBlocks(new KeyBlocks(HEX.formatHex(KeyWrap.encryptUnderKek(tmk, pinKey)), KeyCheckValue.hex(pinKey),
                                HEX.formatHex(KeyWrap.encryptUnderKek(tmk, macKey)), KeyCheckValue.hex(macKey)))
                        .build();
            } else {
                if (isSettlement(req)) {
                    settlements++;
                }
                resp = answer.apply(this, req);
            }
            return resp == null ? new Exchange.NoAnswer("no answer") : new Exchange.Answered(Iso87.unpack(Iso87.pack(resp)));
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** A terminal wired as the CLI wires it, over the stub. */
    static final class Terminal implements AutoCloseable {
        final Journal journal;
        final HostSession session;
        final PaymentEngine engine;
        final Settlement settlement;

        Terminal(Path file, StubHost host) {
            journal = Journal.open(file, CLOCK);
            session = new HostSession(host, PROFILE.terminalId(), LabKeys.tmk(), () -> journal.nextStan("TALLY001"), CLOCK,
                    PROFILE.timeout());
            engine = new PaymentEngine(journal, session, new LabCardReader(TestCards.bundled()), PROFILE,
                    ReversalPolicy.of(3, Duration.ZERO), CLOCK);
            settlement = new Settlement(journal, session, engine, PROFILE, CLOCK);
        }

        @Override
        public void close() {
            try {
                session.close();
            } finally {
                journal.close();
            }
        }
    }
}
