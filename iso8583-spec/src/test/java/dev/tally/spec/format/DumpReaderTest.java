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

    @Test
    void errorsNameTheDump() {
        String good = HexFormat.of().formatHex(Iso87.pack(echo(1)));
        MessageFormatException e = assertThrows(MessageFormatException.class,
                () -> DumpReader.decodeAll(good + "\n\n" + good.substring(0, 20)));
        assertTrue(e.getMessage().startsWith("dump 2:"), e.getMessage());
        assertThrows(MessageFormatException.class, () -> DumpReader.decodeAll("{\"ts\": nope}"));
        assertThrows(MessageFormatException.class, () -> DumpReader.decodeAll("  "));
    }
}
