package dev.tally.terminal.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.crypto.PinBlock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scanner finds every form of a leak it promises to find, and names it without repeating it. */
class LeakScanTest {

    private static final TestCard CARD = TestCards.bundled().defaultCard();

    @Test
    void findsPansPinBlocksAndKeysInEveryForm(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("clean.log"), "sale 476173******0119 approved\n");
        Files.writeString(dir.resolve("clear.log"), "oops " + CARD.pan() + "\n");
        Files.write(dir.resolve("bcd.bin"), concat(new byte[]{0x16}, HexFormat.of().parseHex(CARD.pan())));
        Files.writeString(dir.resolve("ascii-hex.txt"), HexFormat.of().formatHex(CARD.pan().getBytes(StandardCharsets.US_ASCII)));
        Files.writeString(dir.resolve("pinblock.txt"), HexFormat.of().withUpperCase()
                .formatHex(PinBlock.format0(CARD.pin(), CARD.pan())));
        Files.writeString(dir.resolve("key.txt"), "tmk=0123456789abcdeffedcba9876543210");

        List<LeakScan.Finding> found = new LeakScan(TestCards.bundled().all()).scan(List.of(dir));
        String files = found.stream().map(f -> f.file().getFileName().toString()).sorted().distinct()
                .collect(Collectors.joining(","));
        assertEquals("ascii-hex.txt,bcd.bin,clear.log,key.txt,pinblock.txt", files);
        found.forEach(f -> assertFalse(f.toString().contains(CARD.pan()), "a finding never repeats the PAN"));
        assertTrue(found.stream().anyMatch(f -> f.what().equals("visa-1 PAN as BCD bytes") && f.offset() == 1));
    }

    @Test
    void aCleanTreeHasNoFindings(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.log"), "476173******0119 541333******0442 nothing to see");
        assertTrue(new LeakScan(TestCards.bundled().all()).scan(List.of(dir)).isEmpty());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
