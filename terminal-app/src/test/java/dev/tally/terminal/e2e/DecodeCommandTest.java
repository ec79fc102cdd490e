package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.IndependentEncoder;
import dev.tally.terminal.cli.DecodeCommand;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally decode}: hex written by another ISO 8583 implementation (SPEC.md alone) shows the same fields, masked. */
class DecodeCommandTest {

    static final HexFormat HEX = HexFormat.of().withUpperCase();
    static final byte[] PIN_BLOCK = HEX.parseHex("1A2B3C4D5E6F7081");
    /** field 55: 9F02 amount, 5A the PAN (card data), 95 TVR */
    static final byte[] ICC = HEX.parseHex("9F0206000000001234" + "5A084761739001010119" + "95050000000000");

    static String saleHex() {
        IndependentEncoder other = new IndependentEncoder("0200")
                .set(2, Lab.PAN).set(3, "000000").set(4, "000000001234").set(7, "1122104107")
                .set(11, "000123").set(12, "104107").set(13, "1122").set(14, "3012").set(22, "011").set(25, "00")
                .set(41, "TALLY001").set(42, "HOSPITAL0000001").set(49, "840").set(52, PIN_BLOCK).set(55, ICC)
                .set(62, "INV-2026-0001").set(64, HEX.parseHex("0102030405060708"));
        return HEX.formatHex(Framing.frame(other.encode(), Framing.DEFAULT_TPDU));
    }

    static void assertNoCardData(Lab.Run r) {
        String all = r.out() + r.err();
        assertFalse(all.contains(Lab.PAN), "full PAN printed");
        assertFalse(all.toUpperCase().contains(HEX.formatHex(PIN_BLOCK)), "PIN block printed");
    }

    @Test
    void hexFromAnotherImplementationShowsEveryFieldByNumberAndNameMasked() {
        Lab.Run r = Lab.raw("decode", saleHex());
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.contains("MTI      0200"), out);
        assertTrue(out.contains("bitmap"), out);
        assertTrue(out.matches("(?s).*\\n\\s+2\\s+.*476173\\*{6}0119.*"), out);
        assertTrue(out.matches("(?s).*\\n\\s+4\\s+.*000000001234.*"), out);
        assertTrue(out.contains("INV-2026-0001"), out);
        assertTrue(out.contains("9F02"), out);
        assertNoCardData(r);
    }

    /**
     * A track 2 in its standard form (PAN, separator nibble D, digits; SPEC.md: accepted, never required) decodes,
     * shown [hidden] (docs/support.md §2): neither its PAN nor its discretionary data is printed. Before: "cannot
     * decode: dump 1: field 35 (TRACK 2 DATA) at offset 41 holds a non-BCD digit ('=' at digit 17)".
     */
    @Test
    void aTrack2WithItsSeparatorDecodesHidden() {
        String discretionary = "1011234567890";
        IndependentEncoder other = new IndependentEncoder("0200")
                .set(2, Lab.PAN).set(3, "000000").set(4, "000000001234").set(7, "1122104107")
                .set(11, "000123").set(12, "104107").set(13, "1122").set(14, "3012").set(22, "021").set(25, "00")
                .set(35, Lab.PAN + "D3012" + discretionary)
                .set(41, "TALLY001").set(42, "HOSPITAL0000001").set(49, "840").set(62, "INV-2026-0001");
        for (String format : new String[] {"text", "json"}) {
            Lab.Run r = format.equals("json")
                    ? Lab.raw("--json", "decode", HEX.formatHex(Framing.frame(other.encode(), Framing.DEFAULT_TPDU)))
                    : Lab.raw("decode", HEX.formatHex(Framing.frame(other.encode(), Framing.DEFAULT_TPDU)));
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().matches("(?s).*TRACK 2 DATA.*\\[hidden\\].*"), r.out());
            assertFalse((r.out() + r.err()).contains(discretionary), "discretionary data printed");
            assertNoCardData(r);
        }
    }

    /** docs/support.md and terminal-app/README.md write it after the subcommand too. */
    @Test
    void jsonAfterTheSubcommandIsTheSame() {
        Lab.Run before = Lab.raw("--json", "decode", saleHex());
        Lab.Run after = Lab.raw("decode", "--json", saleHex());
        assertEquals(0, after.exit(), after.err());
        assertEquals(before.out(), after.out());
    }

    @Test
    void jsonWithSpacesLineBreaksAndStandardInput() {
        String hex = saleHex().replaceAll("(.{16})", "$1 ").replaceAll("(.{60})", "$1\n");
        InputStream saved = DecodeCommand.setStdin(new ByteArrayInputStream(hex.getBytes(StandardCharsets.UTF_8)));
        Lab.Run r;
        try {
            r = Lab.raw("--json", "decode", "-");
        } finally {
            DecodeCommand.setStdin(saved);
        }
        assertEquals(0, r.exit(), r.err());
        JsonNode m = r.json().get("messages").get(0);
        assertEquals("0200", m.get("mti").asText());
        JsonNode f2 = null;
        JsonNode f55 = null;
        for (JsonNode f : m.get("fields")) {
            if (f.get("field").asInt() == 2) {
                f2 = f;
            }
            if (f.get("field").asInt() == 55) {
                f55 = f;
            }
        }
        assertEquals("476173******0119", f2.get("value").asText());
        assertTrue(f55.get("tags").size() >= 2, f55.toString());
        assertNoCardData(r);
    }

    @Test
    void garbageNamesTheByteOffsetAndTheFieldAndExits64(@TempDir Path dir) throws Exception {
        String cut = saleHex().substring(0, 60);
        Lab.Run r = Lab.raw("decode", cut);
        assertEquals(64, r.exit());
        assertTrue(r.err().contains("offset"), r.err());
        assertTrue(r.err().toLowerCase().contains("field") || r.err().contains("length header"), r.err());

        Lab.Run notHex = Lab.raw("decode", "02 00 ZZ");
        assertEquals(64, notHex.exit());
        assertTrue(notHex.err().contains("position"), notHex.err());

        Path file = dir.resolve("dumps.txt");
        Files.writeString(file, saleHex() + "\n\n" + saleHex());
        Lab.Run two = Lab.raw("decode", "--file", file.toString());
        assertEquals(0, two.exit(), two.err());
        assertTrue(two.out().contains("message 2 of 2"), two.out());

        Lab.Run nothing = Lab.raw("decode");
        assertEquals(64, nothing.exit());
    }

    @Test
    void aJposXmlLogIsDecoded() {
        String xml = """
                <log realm="channel/127.0.0.1:8583" at="2026-11-22T10:41:07.123">
                  <send>
                    <isomsg direction="outgoing">
                      <field id="0" value="0200"/>
                      <field id="2" value="476173______0119"/>
                      <field id="3" value="000000"/>
                      <field id="4" value="000000001234"/>
                      <field id="11" value="000123"/>
                      <field id="41" value="TALLY001"/>
                    </isomsg>
                  </send>
                </log>
                """;
        Lab.Run r = Lab.raw("decode", xml);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("0200") && r.out().contains("TALLY001"), r.out());
    }
}
