package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpReaderTest {

    private static ISOMsg echo(int stan) {
        return MessageBuilder.request(MessageType.ECHO).transmissionDateTime("1122104107").stan(stan)
                .terminalId("TALLY001").build();
    }

    @Test
    void severalHexDumpsSeparatedByBlankLines() {
        String a = HexFormat.of().formatHex(Framing.frame(Iso87.pack(echo(1)), Framing.DEFAULT_TPDU));
        String b = HexFormat.of().formatHex(Iso87.pack(echo(2)));
        List<DecodedMessage> d = DumpReader.decodeAll(a + "\n\n" + b + "\n");
        assertEquals(2, d.size());
        assertEquals("000002", d.get(1).message().getString(11));
    }

    @Test
    void jposHexdumpFormat() {
        String dump = ISOUtil.hexdump(Framing.frame(Iso87.pack(echo(7)), Framing.DEFAULT_TPDU));
        DecodedMessage d = DumpReader.decodeAll(dump).get(0);
        assertEquals("0800", d.mti());
        assertEquals("000007", d.message().getString(11));
    }

    @Test
    void messageLogLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.jsonl");
        ISOMsg sale = MessageBuilder.request(MessageType.SALE).pan("4761739001010119").expiry(java.time.YearMonth.of(2030, 12))
                .amount(500).transmissionDateTime("1122104107").stan(3).localTime("104107").localDate("1122")
                .posEntryMode("011").posConditionCode("00").terminalId("TALLY001").merchantId("HOSPITAL0000001")
                .currency("840").orderReference("A-1").build();
        try (MessageLog log = new MessageLog(file, 1 << 20, 1, Clock.systemUTC())) {
            log.message(MessageLog.Direction.OUT, "h", sale, "m", MessageLog.Event.REQUEST, null);
        }
        DecodedMessage d = DumpReader.decodeAll(Files.readString(file)).get(0);
        String text = d.render();
        assertTrue(text.contains("476173******0119"));
        assertFalse(text.contains("4761739001010119"));
        assertEquals("000000000500", d.message().getString(4));
    }

    /**
     * decode --file of a log copied while it was written: its last line, cut short, is left out with a warning; one cut
     * short in the middle is refused, naming it and how to leave it out. Hex arguments (no warnings) are taken whole.
     */
    @Test
    void messageLogLinesWhoseLastIsCutShort(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.jsonl");
        try (MessageLog log = new MessageLog(file, 1 << 20, 1, Clock.systemUTC())) {
            for (int stan = 1; stan <= 3; stan++) {
                log.message(MessageLog.Direction.OUT, "h", echo(stan), "m-" + stan, MessageLog.Event.REQUEST, null);
            }
        }
        String text = Files.readString(file);
        String cut = text.substring(0, text.length() - 20);
        List<String> warnings = new java.util.ArrayList<>();
        List<DecodedMessage> d = DumpReader.decodeAll(cut, "m.jsonl", warnings::add);
        assertEquals(List.of("000001", "000002"), d.stream().map(m -> m.message().getString(11)).toList());
        assertEquals(List.of("m.jsonl line 3 is cut short (the log was copied while written, or its writer stopped):"
                + " left out"), warnings);

        MessageFormatException e = assertThrows(MessageFormatException.class, () -> DumpReader.decodeAll(cut));
        assertTrue(e.getMessage().startsWith("line 3 is not a complete message-log line ("), e.getMessage());
        String middle = cut + "\n" + text.lines().toList().get(2) + "\n";
        e = assertThrows(MessageFormatException.class, () -> DumpReader.decodeAll(middle, "m.jsonl", warnings::add));
        assertTrue(e.getMessage().startsWith("m.jsonl line 3 is not a complete message-log line ("), e.getMessage());
        assertTrue(e.getMessage().contains("sed -i '3d' COPY"), e.getMessage());

        String onlyCut = text.lines().toList().get(0).substring(0, 30);
        e = assertThrows(MessageFormatException.class, () -> DumpReader.decodeAll(onlyCut, "m.jsonl", w -> { }));
        assertEquals("the message-log lines hold no message (only events, and a last line cut short)", e.getMessage());
    }

    @Test
    void errorsNameTheDump() {
        String good = HexFormat.of().formatHex(Iso87.pack(echo(1)));
        MessageFormatException e = assertThrows(MessageFormatException.class,
                () -> DumpReader.decodeAll(good + "\n\n" + good.substring(0, 20)));
        assertTrue(e.getMessage().startsWith("dump 2:"), e.getMessage());
        assertThrows(MessageFormatException.class, () -> DumpReader.decodeAll("{\"ts\": nope}"));
        assertThrows(MessageFormatException.class, () -> DumpReader.decodeAll("  "));
    }

    /** A message decoded from a log says when, which way, what and with whom it was logged: a hex dump cannot. */
    @Test
    void aMessageFromALogShowsItsTimeDirectionEventAndPeer() {
        String lines = """
                {"ts":1795337060102,"dir":"IN","peer":"127.0.0.1:8583","terminalId":"TALLY001","orderRef":"INV-7","stan":"000016","messageId":"attempt-8","event":"TIMEOUT","latencyMs":60000,"note":"no answer"}
                {"ts":1795337000101,"dir":"OUT","peer":"127.0.0.1:8583","terminalId":"TALLY001","mti":"0800","stan":"000001","messageId":"echo-000001","event":"REQUEST","fields":{"TRANSMISSION_DATE_TIME":"1122104107","STAN":"000001","TERMINAL_ID":"TALLY001"}}
                {"ts":1795337000203,"dir":"IN","peer":"127.0.0.1:8583","terminalId":"TALLY001","mti":"0810","stan":"000001","messageId":"echo-000001","event":"DUPLICATE_RESPONSE","responseCode":"00","fields":{"TRANSMISSION_DATE_TIME":"1122104107","STAN":"000001","RESPONSE_CODE":"00","TERMINAL_ID":"TALLY001"}}
                """;
        List<DecodedMessage> d = DumpReader.decodeAll(lines);
        assertEquals(2, d.size());
        assertTrue(d.get(0).render().startsWith("logged   2026-11-22T08:43:20.101Z  OUT  REQUEST  peer 127.0.0.1:8583"
                + "  terminal TALLY001  (line 2)\n"), d.get(0).render());
        assertTrue(d.get(1).render().startsWith("logged   2026-11-22T08:43:20.203Z  IN  DUPLICATE_RESPONSE  peer"
                + " 127.0.0.1:8583  terminal TALLY001  (line 3)\n"), d.get(1).render());
        assertEquals(java.util.Map.of("at", "2026-11-22T08:43:20.203Z", "direction", "IN", "event", "DUPLICATE_RESPONSE",
                "peer", "127.0.0.1:8583", "terminalId", "TALLY001", "line", 3), d.get(1).toMap().get("logged"));

        String xml = """
                <logger>
                <log realm="channel/127.0.0.1:8583" at="2026-11-22T10:41:07.123+01:00">
                  <send><isomsg direction="outgoing"><field id="0" value="0800"/><field id="11" value="000001"/>
                  <field id="41" value="TALLY001"/><field id="70" value="301"/></isomsg></send>
                </log>
                <log realm="channel/127.0.0.1:8583" at="2026-11-22T10:41:07.140">
                  <receive><isomsg><field id="0" value="0810"/><field id="11" value="000001"/><field id="39" value="00"/>
                  <field id="41" value="TALLY001"/><field id="70" value="301"/></isomsg></receive>
                </log>
                </logger>
                """;
        List<DecodedMessage> x = DumpReader.decodeAll(xml);
        assertTrue(x.get(0).render().startsWith("logged   2026-11-22T09:41:07.123Z  outgoing  peer channel/127.0.0.1:8583"
                + "  terminal TALLY001\n"), x.get(0).render());
        assertTrue(x.get(1).render().startsWith("logged   2026-11-22T10:41:07.140 (the log's local time: no zone written)"
                + "  incoming  peer channel/127.0.0.1:8583  terminal TALLY001\n"), x.get(1).render());

        String hex = HexFormat.of().formatHex(Iso87.pack(echo(2)));
        DecodedMessage plain = DumpReader.decodeAll(hex).get(0);
        assertFalse(plain.render().contains("logged") || plain.toMap().containsKey("logged"), plain.render());
    }
}
