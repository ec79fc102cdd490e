package dev.tally.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageCatalogue;
import dev.tally.spec.message.MessageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** SPEC.md must say what the code does: its tables are compared with the catalogues. */
class SpecDocumentTest {

    private static final Path SPEC = Path.of("SPEC.md");

    private static List<String> lines() throws IOException {
        return Files.readAllLines(SPEC);
    }

    @Test
    void everyCatalogueMessageIsInTheTableWithTheSameFields() throws IOException {
        for (MessageCatalogue.Entry e : MessageCatalogue.all()) {
            String mti = e.requestMti();
            String row = lines().stream()
                    .filter(l -> l.startsWith("| ") && l.contains("| " + mti + ",")
                            && (e.processingCode() == null || l.contains("3=`" + e.processingCode() + "`"))
                            && (e.networkCode() == null || l.contains("70=`" + e.networkCode() + "`")))
                    .findFirst().orElseThrow(() -> new AssertionError("SPEC.md §3 has no row for " + e.type()));
            String[] cells = row.split("\\|");
            // | message | request | M | C | response | M | C |
            Set<Integer> m = numbers(cells[3]);
            if (!cells[3].contains("as 0400")) {
                assertEquals(e.requestMandatory(), m, e.type() + " request mandatory fields in SPEC.md");
                assertEquals(e.requestConditional(), numbers(cells[4]), e.type() + " request conditional fields");
            }
            assertEquals(e.responseMti(), cells[5].strip(), e.type() + " response MTI");
            if (!cells[6].contains("as above")) {
                assertEquals(e.responseMandatory(), numbers(cells[6]), e.type() + " response mandatory fields");
                assertEquals(e.responseConditional(), numbers(cells[7]), e.type() + " response conditional fields");
            }
        }
    }

    @Test
    void everyResponseCodeIsInTheTableWithTheSameTextAndAction() throws IOException {
        List<String> rows = lines().stream().filter(l -> l.matches("\\| [0-9A-Z]{2} \\| .*\\| [A-Z_]+ \\|")).toList();
        assertEquals(ResponseCodes.all().size(), rows.size(), "rows in SPEC.md §6");
        for (ResponseCode rc : ResponseCodes.all()) {
            String expected = "| " + rc.code() + " | " + rc.meaning() + " | " + rc.operatorText() + " | " + rc.action() + " |";
            assertTrue(rows.contains(expected), "SPEC.md §6 lacks: " + expected);
        }
    }

    @Test
    void theExampleBytesAreWhatTheBuilderWrites() throws IOException {
        ISOMsg m = MessageBuilder.request(MessageType.SALE).pan("4761739001010119").amount(1234)
                .transmissionDateTime("1122080307").stan(1).localTime("080307").localDate("1122")
                .expiry(YearMonth.of(2030, 12)).posEntryMode("011").posConditionCode("00").terminalId("TALLY001")
                .merchantId("HOSPITAL0000001").currency("840").orderReference("INV-2026-0001").buildWithoutMac();
        String expected = HexFormat.of().withUpperCase().formatHex(Framing.frame(Iso87.pack(m), Framing.DEFAULT_TPDU));
        String doc = String.join("\n", lines());
        int start = doc.indexOf("```", doc.indexOf("## 9. Example"));
        int end = doc.indexOf("```", start + 3);
        String shown = doc.substring(start + 3, end).replaceAll("\\s", "");
        assertEquals(expected, shown, "SPEC.md §9 example bytes");
    }

    private static Set<Integer> numbers(String cell) {
        // "24, 35, 52 (PIN entered), 55 (chip)" → {24, 35, 52, 55}; text in parentheses is a condition
        String plain = cell.replaceAll("\\([^)]*\\)", " ").replaceAll("[;,—-]", " ");
        return Arrays.stream(plain.trim().split("\\s+")).filter(t -> t.matches("\\d+")).map(Integer::parseInt)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
