package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCards;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CardMapTest {

    final TestCards cards = TestCards.bundled();

    @Test
    void byDefaultTheTestCardWithTheSameLast4ElseTheDefaultCard() {
        CardMap map = CardMap.defaults(cards);
        assertEquals("mc-1", map.resolve("541333******0442").id());
        assertEquals("mc-1", map.resolve("541333______0442").id()); // jPOS masks with underscores
        assertEquals("mc-1", map.resolve(" 541333XXXXXX0442").id()); // and other tools with X
        assertEquals("mc-1", map.resolve("541333xxxxxx0442 ").id());
        assertEquals("visa-1", map.resolve("999999******1111").id());
        assertEquals("visa-1", map.resolve(null).id());
    }

    @Test
    void aMapFileWinsByMaskedPanThenByLast4(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("map.csv");
        Files.writeString(f, "# comment\n476173******0119 , low-1\n0442,amex-1\n\n");
        CardMap map = CardMap.load(f, cards);
        assertEquals("low-1", map.resolve("476173******0119").id());
        assertEquals("amex-1", map.resolve("541333******0442").id());
        assertEquals("disc-1", map.resolve("601100******0129").id());
    }

    @Test
    void aBadLineOrAnUnknownCardIsNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("map.csv");
        Files.writeString(f, "0119,visa-1\n0442\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CardMap.load(f, cards));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        Files.writeString(f, "0119,no-such-card\n");
        e = assertThrows(IllegalArgumentException.class, () -> CardMap.load(f, cards));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("no-such-card"), e.getMessage());
    }

    /** A card number where the card id goes (any separators) is refused without being repeated. */
    @Test
    void aCardNumberInTheIdColumnIsNotRepeated(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("map.csv");
        for (String pan : new String[] {"4761739001010119", "4761-7390-0101-0119", "4761.7390.0101.0119",
                "\uFF14\uFF17\uFF16\uFF11\uFF17\uFF13\uFF19\uFF10\uFF10\uFF11\uFF10\uFF11\uFF10\uFF11\uFF11\uFF19"}) {
            Files.writeString(f, "0119," + pan + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CardMap.load(f, cards));
            assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("not a card number"), e.getMessage());
            // what follows the file's name: the temp folder's random number may hold the digits looked for
            String said = e.getMessage().substring(e.getMessage().indexOf("map.csv"));
            assertFalse(said.contains("7390") || said.contains("\uFF17\uFF13\uFF19\uFF10"), e.getMessage());
        }
    }
}
