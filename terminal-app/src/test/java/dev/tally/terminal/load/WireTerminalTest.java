package dev.tally.terminal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.message.MessageView;
import dev.tally.terminal.card.LabCardReader;
import dev.tally.terminal.engine.FakeHost;
import dev.tally.terminal.engine.ReversalPolicy;
import dev.tally.terminal.engine.TerminalProfile;
import dev.tally.terminal.journal.Journal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally load --no-journal} takes a sale's answer as the engine does ({@code SaleVerdict}): what it counts, the
 * error kind it names, and the reversal reason it sends. Against a {@link FakeHost}, for answers the simulator never
 * gives (a MAC that fails or is missing, no field 39).
 */
class WireTerminalTest {

    /** Ample on a slow machine: every request here is answered. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final ReversalPolicy NOW = new ReversalPolicy(3, Duration.ZERO, 2.0, Duration.ZERO);

    @TempDir
    Path dir;

    /** A host answering each sale with what {@code sale} makes of it, everything else (sign-on, reversal) 00. */
    static FakeHost host(BiFunction<FakeHost, ISOMsg, ISOMsg> sale) throws Exception {
        return new FakeHost((h, req) -> "0200".equals(MessageView.of(req).mti()) ? sale.apply(h, req) : h.answer(req, "00"));
    }

    static TerminalProfile profile(String terminalId) {
        return new TerminalProfile(terminalId, "HOSPITAL0000001", "840", TIMEOUT);
    }

    static WireTerminal wire(FakeHost host) {
        WireTerminal t = new WireTerminal("127.0.0.1", host.port(), profile("WIRE0001"), LabKeys.tmk(),
                new LabCardReader(TestCards.bundled()), Clock.systemUTC(), false, new LoadStats());
        t.signOn();
        return t;
    }

    /** A terminal of {@code tally load --journal}: the real engine. */
    static JournalTerminal journaled(FakeHost host, Journal journal) {
        JournalTerminal t = new JournalTerminal("127.0.0.1", host.port(), profile("JRNL0001"), LabKeys.tmk(),
                new LabCardReader(TestCards.bundled()), journal, NOW, Clock.systemUTC());
        t.signOn();
        return t;
    }

    static List<String> mtis(FakeHost host) {
        return host.received.stream().map(m -> MessageView.of(m).mti()).toList();
    }

    /** Field 39 of the last reversal the host received: the reason the terminal gave. */
    static String reversalReason(FakeHost host) {
        return host.received.stream().map(MessageView::of).filter(m -> m.mti().startsWith("040"))
                .reduce((a, b) -> b).orElseThrow().responseCode();
    }

    /** An answer whose MAC fails is reversed with A0 (MAC failure) and counted alike in both modes; it was sent with 98. */
    @Test
    void anAnswerWhoseMacFailsIsReversedWithA0() throws Exception {
        try (FakeHost host = host((h, req) -> {
            ISOMsg resp = h.answer(req, "00");
            byte[] mac = MessageView.of(resp).mac().orElseThrow();
            mac[0] ^= 1;
            resp.set(64, mac);
            return resp;
        }); WireTerminal t = wire(host)) {
            assertEquals(new SaleOutcome("REVERSED", "00", true, 1, "mac_failure"), t.sale("L-MAC-1", 1234, null));
            assertEquals("A0", reversalReason(host));
            try (Journal journal = Journal.open(dir.resolve("j.db"), Clock.systemUTC());
                 JournalTerminal engine = journaled(host, journal)) {
                assertEquals(new SaleOutcome("REVERSED", "00", true, 1, "mac_failure"), engine.sale("L-MAC-2", 1234, null));
                assertEquals("A0", reversalReason(host));
            }
        }
    }

    /**
     * An answer without a MAC from a host that exchanged keys is not trusted whatever its code (SPEC.md §5): reversed
     * with A0 and counted {@code mac_missing}. An approval and a decline were taken as they came.
     */
    @Test
    void anApprovalOrADeclineWithoutAMacIsReversedWithA0() throws Exception {
        try (FakeHost host = host((h, req) -> {
            ISOMsg resp = h.answer(req, MessageView.of(req).amount() == 1205 ? "05" : "00");
            resp.unset(64);
            return resp;
        }); WireTerminal t = wire(host)) {
            assertEquals(new SaleOutcome("REVERSED", "00", true, 1, "mac_missing"), t.sale("L-NOMAC-1", 1200, null));
            assertEquals("A0", reversalReason(host));
            assertEquals(new SaleOutcome("REVERSED", "05", true, 1, "mac_missing"), t.sale("L-NOMAC-2", 1205, null));
            assertEquals("A0", reversalReason(host));
        }
    }

    /**
     * An A1 (sign-on required) without a MAC: the host holds no keys for the terminal, so it signs on again and
     * reverses the sale under the new keys with A0, as the engine does (nothing shows the host wrote the A1). It was
     * counted a decline, and every later sale went out under keys the host did not hold.
     */
    @Test
    void anA1WithoutAMacSignsOnAgainAndIsReversedWithA0() throws Exception {
        try (FakeHost host = host((h, req) -> {
            boolean first = FakeHost.count(h.received.stream().map(MessageView::of).toList(), "0200") == 1;
            ISOMsg resp = h.answer(req, first ? "A1" : "00");
            if (first) {
                resp.unset(64);
            }
            return resp;
        }); WireTerminal t = wire(host)) {
            assertEquals(new SaleOutcome("REVERSED", "A1", true, 1, "mac_missing"), t.sale("L-A1-1", 1234, null));
            assertEquals("A0", reversalReason(host));
            assertEquals(List.of("0800", "0200", "0800", "0400"), mtis(host), "signed on again before the reversal");
            assertEquals(new SaleOutcome("APPROVED", "00", true, 0, null), t.sale("L-A1-2", 1234, null));
            assertEquals(List.of("0800", "0200", "0800", "0400", "0200"), mtis(host));
        }
    }

    /** A MACed A1 is a decline, as the engine takes it, and the next sale signs on first: the host holds no keys. */
    @Test
    void aMacedA1DeclinesAndTheNextSaleSignsOnAgain() throws Exception {
        try (FakeHost host = host((h, req) -> h.answer(req,
                FakeHost.count(h.received.stream().map(MessageView::of).toList(), "0200") == 1 ? "A1" : "00"));
             WireTerminal t = wire(host)) {
            assertEquals(new SaleOutcome("DECLINED", "A1", true, 0, null), t.sale("L-A1M-1", 1234, null));
            assertEquals(new SaleOutcome("APPROVED", "00", true, 0, null), t.sale("L-A1M-2", 1234, null));
            assertEquals(List.of("0800", "0200", "0800", "0200"), mtis(host));
        }
    }

    /**
     * A MACed answer without field 39 says nothing of what the host did: reversed with 06 and counted
     * {@code no_response_code}, without a journal and through the engine alike, and timed as an answer. Without a
     * journal it was counted DECLINED (no reversal); through the engine its kind was "reversed_06", and it went untimed
     * as if no answer had come.
     */
    @Test
    void anAnswerWithoutAResponseCodeIsReversedWith06InBothModes() throws Exception {
        try (FakeHost host = host((h, req) -> {
            ISOMsg resp = h.answer(req, "00");
            resp.unset(39);
            dev.tally.spec.crypto.MessageMac.apply(resp, h.macKey);
            return resp;
        })) {
            try (WireTerminal t = wire(host)) {
                assertEquals(new SaleOutcome("REVERSED", null, true, 1, "no_response_code"), t.sale("L-NO39-1", 1234, null));
                assertEquals("06", reversalReason(host));
            }
            try (Journal journal = Journal.open(dir.resolve("j.db"), Clock.systemUTC());
                 JournalTerminal t = journaled(host, journal)) {
                assertEquals(new SaleOutcome("REVERSED", null, true, 1, "no_response_code"), t.sale("L-NO39-2", 1234, null));
                assertEquals("06", reversalReason(host));
            }
        }
    }

    /** A host answering each sale {@code saleCode} (MACed), each reversal with what {@code reversal} makes of it. */
    static FakeHost reversalHost(String saleCode, BiFunction<FakeHost, ISOMsg, ISOMsg> reversal) throws Exception {
        return new FakeHost((h, req) -> MessageView.of(req).mti().startsWith("040") ? reversal.apply(h, req)
                : h.answer(req, "0200".equals(MessageView.of(req).mti()) ? saleCode : "00"));
    }

    /**
     * A 0410 whose MAC fails is not trusted, whatever its code, as the engine's reversal loop takes it
     * ({@code ReversalVerdict}): the sale stays REVERSAL_PENDING, the reversal's answer counted
     * {@code reversal_mac_failure} beside why it was reversed. It was counted REVERSED, the order taken as free.
     */
    @Test
    void aReversalAcknowledgedUnderAMacThatFailsStaysPending() throws Exception {
        try (FakeHost host = reversalHost("94", (h, req) -> {
            ISOMsg ack = h.answer(req, "00");
            int field = MessageMac.macField(ack);
            byte[] mac = ack.getBytes(field);
            mac[0] ^= 1;
            ack.set(field, mac);
            return ack;
        }); WireTerminal t = wire(host)) {
            SaleOutcome o = t.sale("L-RMAC-1", 1234, null);
            assertEquals(new SaleOutcome("REVERSAL_PENDING", "94", true, 1, "duplicate", "reversal_mac_failure"), o);
            LoadStats stats = new LoadStats();
            stats.record(o, 1);
            assertEquals(Map.of("duplicate", 1L, "reversal_mac_failure", 1L), stats.errors());
            assertEquals(Map.of("REVERSAL_PENDING", 1L), stats.results());
            try (Journal journal = Journal.open(dir.resolve("j.db"), Clock.systemUTC());
                 JournalTerminal engine = journaled(host, journal)) {
                assertEquals("REVERSAL_PENDING", engine.sale("L-RMAC-2", 1234, null).result(), "as the engine leaves it");
            }
        }
    }

    /** A 00 or 25 to a reversal without a MAC (SPEC.md §5) is not trusted either: REVERSAL_PENDING, not REVERSED. */
    @Test
    void aReversalAcknowledgedWithoutAMacStaysPending() throws Exception {
        try (FakeHost host = reversalHost("94", (h, req) -> {
            ISOMsg ack = h.answer(req, FakeHost.count(h.received.stream().map(MessageView::of).toList(), "040") == 1
                    ? "00" : "25");
            ack.unset(new int[] {64, 128}); // 128 when field 90 is there
            return ack;
        }); WireTerminal t = wire(host)) {
            assertEquals(new SaleOutcome("REVERSAL_PENDING", "94", true, 1, "duplicate", "reversal_mac_missing"),
                    t.sale("L-RNOMAC-1", 1234, null));
            assertEquals(new SaleOutcome("REVERSAL_PENDING", "94", true, 1, "duplicate", "reversal_mac_missing"),
                    t.sale("L-RNOMAC-2", 1234, null));
        }
    }

    /**
     * An A1 to a reversal drops the session keys, as the engine's reversal loop does: the next sale signs on first. The
     * reversal itself is refused (REVERSAL_FAILED, as before). The next sale went out under keys the host did not hold.
     */
    @Test
    void anA1ToAReversalSignsOnAgainBeforeTheNextSale() throws Exception {
        try (FakeHost host = reversalHost("94", (h, req) -> h.answer(req, "A1")); WireTerminal t = wire(host)) {
            assertEquals(new SaleOutcome("REVERSAL_FAILED", "94", true, 1, "duplicate"), t.sale("L-RA1-1", 1234, null));
            assertEquals(List.of("0800", "0200", "0400"), mtis(host));
            t.sale("L-RA1-2", 1234, null);
            assertEquals(List.of("0800", "0200", "0400", "0800", "0200", "0400"), mtis(host));
        }
    }
}
