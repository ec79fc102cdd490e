package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.MessageLog;
import dev.tally.spec.format.MessageLog.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** The host's message log: requests in, answers out, and what the scenario did instead, masked. */
class HostMessageLogTest extends SimulatorHarness {

    @Test
    void everyRequestAndWhatBecameOfItIsLoggedWithoutCardData() throws Exception {
        Path logFile = dir.resolve("host-messages.jsonl");
        sim = Simulator.start(config(), logFile);
        try (TestTerminal t = signedOn("TALLY001")) {
            t.exchange(t.withPin(t.saleRequest(VISA, 1000, "L-1"), VISA, VISA.pin()).build());
            t.send(t.saleRequest(VISA, 1072, "L-72").build());
            t.receive();
            t.receive();
            t.send(t.saleRequest(VISA, 1069, "L-69").build());
            assertTrue(t.receiveWithin(Duration.ofMillis(500)).isEmpty());
        }
        // no answer tells when the host is done with the .69: its OUT line does (closing first would lose it)
        await("the withheld answer's line", PROCESSED, () -> {
            try {
                return MessageLog.read(logFile).stream().anyMatch(e -> "L-69".equals(e.orderRef())
                        && e.dir() == MessageLog.Direction.OUT);
            } catch (Exception e) {
                return false;
            }
        });
        sim.close();
        sim = null;
        List<Entry> log = MessageLog.read(logFile);
        Entry saleIn = log.stream().filter(e -> "L-1".equals(e.orderRef()) && e.dir() == MessageLog.Direction.IN)
                .findFirst().orElseThrow();
        assertEquals("0200", saleIn.mti());
        assertEquals(MessageLog.Event.REQUEST, saleIn.event());
        Entry saleOut = log.stream().filter(e -> "L-1".equals(e.orderRef()) && e.dir() == MessageLog.Direction.OUT)
                .findFirst().orElseThrow();
        assertEquals("0210", saleOut.mti());
        assertEquals("00", saleOut.responseCode());
        assertEquals(saleIn.messageId(), saleOut.messageId());
        assertEquals(1, log.stream().filter(e -> "L-72".equals(e.orderRef())
                && e.event() == MessageLog.Event.DUPLICATE_RESPONSE).count());
        Entry withheld = log.stream().filter(e -> "L-69".equals(e.orderRef()) && e.dir() == MessageLog.Direction.OUT)
                .findFirst().orElseThrow();
        assertNull(withheld.mti());
        assertEquals(MessageLog.Event.TIMEOUT, withheld.event());
        assertTrue(withheld.note().contains("withheld"), withheld.note());

        String text = Files.readString(logFile);
        assertTrue(text.contains("476173******0119"));
        for (var card : CARDS.all()) {
            assertFalse(text.contains(card.pan()), "no full PAN in the message log");
        }
        ISOMsg rebuilt = saleIn.toMessage();
        assertFalse(rebuilt.hasField(52), "the PIN block is never logged");
    }

    /**
     * An answer held back (a .70 sale, answered after the late delay) when the simulator stops never goes out: the log
     * says so with a TIMEOUT line, as docs/simulator.md §9 has it for every answer that never went out. Before, the
     * request's REQUEST line was all there was.
     */
    @Test
    void anAnswerHeldBackWhenTheSimulatorStopsGetsATimeoutLine() throws Exception {
        Path logFile = dir.resolve("host-messages.jsonl");
        sim = Simulator.start(config().withLateDelay(Duration.ofHours(1)), logFile);
        try (TestTerminal t = signedOn("TALLY001")) {
            LogCapture.watching(soFar -> {
                t.send(t.saleRequest(VISA, 1070, "L-70").build());
                await("the answer held back", PROCESSED, () -> soFar.get().contains("answer 00 held back 3600000 ms"));
            });
            sim.close();
            sim = null;
        }
        List<Entry> out = MessageLog.read(logFile).stream()
                .filter(e -> "L-70".equals(e.orderRef()) && e.dir() == MessageLog.Direction.OUT).toList();
        assertEquals(1, out.size(), out.toString());
        assertEquals(MessageLog.Event.TIMEOUT, out.getFirst().event());
        assertEquals("answer 00 held back (scenario) not sent: the simulator stopped before it was due",
                out.getFirst().note());
    }

    /**
     * A response MTI sent to the host (a raw 0210) gets no answer, and its TIMEOUT line says why without naming a 30,
     * as the WARN line does. Before, the note read "not answerable (30)" and the WARN "format error (30), nothing
     * applied", as if a 30 had gone out.
     */
    @Test
    void aResponseMtiSentToTheHostIsLoggedAsNotAnswered() throws Exception {
        Path logFile = dir.resolve("host-messages.jsonl");
        sim = Simulator.start(config(), logFile);
        try (TestTerminal t = signedOn("TALLY001")) {
            ISOMsg stray = t.saleRequest(VISA, 1000, "L-0210").build();
            stray.set(0, "0210");
            t.send(stray);
            assertTrue(t.receiveWithin(Duration.ofMillis(500)).isEmpty(), "an answer is not answered");
        }
        Entry out = outLine(logFile, "L-0210", "the 0210's OUT line", PROCESSED);
        assertEquals(MessageLog.Event.TIMEOUT, out.event());
        assertEquals("not answered: 0210 is a response MTI", out.note());
    }

    /**
     * A sale with field 35 in the standard form (PAN, separator, then digits; SPEC.md §2: accepted, never required) is
     * served like any sale, and neither the message log nor the standard log holds the track, its PAN or its
     * discretionary data. A field 35 that is no track 2 is a format error naming the field. Before, every such sale
     * was answered 30: "field 35 (track 2 data): must be digits only".
     */
    @Test
    void aSaleWithATrack2IsServedAndTheTrackIsNeverLogged() throws Exception {
        Path logFile = dir.resolve("host-messages.jsonl");
        sim = Simulator.start(config(), logFile);
        String discretionary = "1011234567890";
        String stderr;
        try (TestTerminal t = signedOn("TALLY001")) {
            stderr = LogCapture.during(() -> {
                ISOMsg sale = t.saleRequest(VISA, 1000, "T2-1").build();
                sale.set(35, VISA.pan() + "=3012" + discretionary);
                assertEquals("00", t.exchange(sale).getString(39));
                ISOMsg garbage = t.saleRequest(VISA, 1000, "T2-2").build();
                garbage.set(35, VISA.pan() + "3012" + discretionary); // no separator
                assertEquals("30", t.exchange(garbage).getString(39));
            });
        }
        assertTrue(stderr.contains("field 35 (track 2 data): a track 2 is the PAN, one '=' separator, then digits"), stderr);
        assertEquals(1, txns("TALLY001", "T2-1").size());
        assertTrue(txns("TALLY001", "T2-2").isEmpty());
        sim.close();
        sim = null;
        String text = Files.readString(logFile) + stderr;
        assertFalse(text.contains(VISA.pan()), "no full PAN");
        assertFalse(text.contains(discretionary), "no track 2 discretionary data");
        assertFalse(MessageLog.read(logFile).stream().anyMatch(e -> e.fields() != null && e.fields().containsKey("TRACK2")),
                "field 35 is never logged");
    }

    /**
     * A request carrying fields the dialect gives no meaning (120, 127: private use) is logged with them, as support
     * needs to see they were there, but a key or PIN block in hex in them is withheld with the field's length and a
     * card number masked, in the message log and on standard error. Before, the log held {@code "F120":"<the key>"}.
     */
    @Test
    void aKeyInAPrivateFieldIsNotLoggedButTheFieldIs() throws Exception {
        Path logFile = dir.resolve("host-messages.jsonl");
        sim = Simulator.start(config(), logFile);
        String key = "0123456789ABCDEFFEDCBA9876543210";
        String stderr;
        try (TestTerminal t = signedOn("TALLY001")) {
            stderr = LogCapture.during(() -> {
                ISOMsg sale = t.saleRequest(VISA, 1000, "P-1").build();
                sale.set(120, key);
                sale.set(127, "LANE 7 " + VISA.pan() + " PIN 041234FEDCBA9876");
                t.exchange(sale); // answered or refused, the request is logged as it came
            });
        }
        sim.close();
        sim = null;
        Entry in = MessageLog.read(logFile).stream().filter(e -> "P-1".equals(e.orderRef())
                && e.dir() == MessageLog.Direction.IN).findFirst().orElseThrow();
        assertEquals("[redacted] (32 characters)", in.fields().get("F120"), "a key: redacted, its length said");
        assertEquals("LANE 7 476173******0119 PIN " + dev.tally.spec.format.Masking.BYTES_WITHHELD + " (44 characters)",
                in.fields().get("F127"));
        String text = Files.readString(logFile) + stderr;
        assertFalse(text.contains(key) || text.contains("FEDCBA98"), text);
        assertFalse(text.contains(VISA.pan()), text);
        // tally decode of the line shows it as logged, the length said once
        String decoded = dev.tally.spec.format.MessageDecoder.describe(in.toMessage()).render();
        assertTrue(decoded.contains("120  RESERVED PRIVATE USE                     [redacted] (32 characters)\n"), decoded);
    }

    /**
     * A simulator restarted on the same message log appends to it and its request ids carry on after the ones there,
     * so grouping the log by id never merges two requests. Before, the second run's ids started at H1 again.
     */
    @Test
    void requestIdsStayUniqueAcrossARestartOnTheSameLog() throws Exception {
        Path logFile = dir.resolve("host-messages.jsonl");
        for (int run = 1; run <= 2; run++) {
            sim = Simulator.start(config(), logFile);
            try (TestTerminal t = signedOn("TALLY00" + run)) {
                t.exchange(t.saleRequest(VISA, 1000, "R-" + run).build());
            }
            sim.close();
            sim = null;
        }
        List<Entry> requests = MessageLog.read(logFile).stream().filter(e -> e.event() == MessageLog.Event.REQUEST).toList();
        assertEquals(4, requests.size(), "two runs, a sign-on and a sale each");
        assertEquals(List.of("H1", "H2", "H3", "H4"), requests.stream().map(Entry::messageId).toList());
        Entry secondSale = requests.get(3);
        assertEquals("R-2", secondSale.orderRef());
        assertEquals(2, MessageLog.read(logFile).stream().filter(e -> secondSale.messageId().equals(e.messageId())).count(),
                "its request and its answer, nothing of the first run");
    }

    /**
     * A message log of an earlier run, with a rotated file beside it, passes the start's check that the log is no other
     * file (Simulator.checkMessageLog): it is appended to, the rotated file left as it was.
     */
    @Test
    void aMessageLogOfAnEarlierRunWithARotatedFileIsAppendedTo() throws Exception {
        Path logFile = dir.resolve("host-messages.jsonl");
        sim = Simulator.start(config(), logFile);
        signedOn("TALLY001").close(); // a sign-on and its answer
        sim.close();
        sim = null;
        Path rotated = Files.copy(logFile, dir.resolve("host-messages.jsonl.1"));
        byte[] rotatedBefore = Files.readAllBytes(rotated);
        int before = MessageLog.read(logFile).size();
        sim = Simulator.start(config(), logFile);
        signedOn("TALLY002").close(); // a sign-on and its answer
        assertTrue(MessageLog.read(logFile).size() > before, "appended");
        assertEquals("TALLY002", MessageLog.read(logFile).getLast().terminalId());
        assertTrue(java.util.Arrays.equals(rotatedBefore, Files.readAllBytes(rotated)));
    }

    /** A late answer whose connection is gone by then: the log says no answer went out (before: no OUT line at all). */
    @Test
    void aLateAnswerThatFindsItsConnectionGoneIsLoggedAsNoAnswer() throws Exception {
        Path logFile = dir.resolve("host-messages.jsonl");
        sim = Simulator.start(config().withLateDelay(LATE_AFTER_HANG_UP), logFile);
        try (TestTerminal t = signedOn("TALLY001")) {
            t.send(t.saleRequest(VISA, 1070, "L-70").build()); // .70: answered after the late delay
        }
        Entry out = outLine(logFile, "L-70", "the late answer's line", Duration.ofSeconds(20));
        assertEquals(MessageLog.Event.TIMEOUT, out.event());
        assertTrue(out.note().contains("answer 00 not sent: the connection is gone"), out.note());
        Entry in = MessageLog.read(logFile).stream().filter(e -> "L-70".equals(e.orderRef())
                && e.dir() == MessageLog.Direction.IN).findFirst().orElseThrow();
        assertEquals(in.messageId(), out.messageId());
    }

    /** The OUT line of order {@code order} in {@code logFile}, once written (awaited up to {@code within}, as {@code what}). */
    private static Entry outLine(Path logFile, String order, String what, Duration within) throws Exception {
        await(what, within, () -> {
            try {
                return MessageLog.read(logFile).stream().anyMatch(e -> order.equals(e.orderRef())
                        && e.dir() == MessageLog.Direction.OUT);
            } catch (Exception e) {
                return false;
            }
        });
        return MessageLog.read(logFile).stream().filter(e -> order.equals(e.orderRef())
                && e.dir() == MessageLog.Direction.OUT).findFirst().orElseThrow();
    }
}
