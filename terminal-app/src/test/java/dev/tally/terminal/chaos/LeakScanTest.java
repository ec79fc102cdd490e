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

    /**
     * The forms a person or a tool prints: the PAN in groups of 4, hexdumps of its BCD and of its ASCII (hexdump -C's
     * double space, xxd's groups of 4 hex digits), and the tree's own secrets (a journal's data key in hex and base64,
     * the API token) anywhere but in their own files.
     */
    @Test
    void findsSeparatedPansAndTheTreesOwnKeysAndTokens(@TempDir Path dir) throws Exception {
        String pan = CARD.pan(); // 4761739001010119
        String hexAscii = HexFormat.of().formatHex(pan.getBytes(StandardCharsets.US_ASCII));
        Files.writeString(dir.resolve("groups.log"), "card " + String.join(" ", pan.substring(0, 4), pan.substring(4, 8),
                pan.substring(8, 12), pan.substring(12)) + " declined\n");
        Files.writeString(dir.resolve("bcd-dump.txt"), "0010: 16 " + pan.replaceAll("(..)(?!$)", "$1 ") + " 0d 0a\n");
        Files.writeString(dir.resolve("hexdump-c.txt"), "00000000  " + hexAscii.substring(0, 16).replaceAll("(..)(?!$)", "$1 ")
                + "  " + hexAscii.substring(16).replaceAll("(..)(?!$)", "$1 ") + "  |" + "x".repeat(16) + "|\n");
        Files.writeString(dir.resolve("xxd.txt"), "00000000: " + hexAscii.toUpperCase().replaceAll("(....)(?!$)", "$1 ") + "\n");

        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.writeString(dir.resolve("till.db"), "a journal");
        Files.write(dir.resolve("till.db.key"), key);
        Files.writeString(dir.resolve("key-hex.log"), "key=" + HexFormat.of().formatHex(key));
        Files.writeString(dir.resolve("key-b64.log"), "{\"k\":\"" + java.util.Base64.getEncoder().encodeToString(key) + "\"}");
        String token = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        Files.writeString(dir.resolve("TILL.token"), token + "\n");
        Files.writeString(dir.resolve("access.log"), "GET /v1/orders Authorization: Bearer " + token + "\n");
        Files.writeString(dir.resolve("clean.log"), "2026-11-22 10:41:07 sale 476173******0119 approved\n"
                + "00000000  30 32 30 30 37 32 33 43  |0200723C|\n4761 7390 0101 0118 is not a test card\n");

        List<LeakScan.Finding> found = new LeakScan(TestCards.bundled().all()).scan(List.of(dir));
        String files = found.stream().map(f -> f.file().getFileName().toString()).sorted().distinct()
                .collect(Collectors.joining(","));
        assertEquals("access.log,bcd-dump.txt,groups.log,hexdump-c.txt,key-b64.log,key-hex.log,xxd.txt", files,
                "the key and token files themselves, the journal and clean.log are not flagged: " + found);
        assertTrue(found.contains(new LeakScan.Finding(dir.resolve("groups.log"), 5, "visa-1 PAN in groups of 4")), found.toString());
        assertTrue(found.contains(new LeakScan.Finding(dir.resolve("bcd-dump.txt"), 9, "visa-1 PAN as spaced hex of BCD")),
                found.toString());
        assertTrue(found.stream().anyMatch(f -> f.what().equals("visa-1 PAN as spaced hex of ASCII")
                && f.file().endsWith("hexdump-c.txt") && f.offset() == 10), found.toString());
        assertTrue(found.stream().anyMatch(f -> f.what().equals("visa-1 PAN as spaced HEX of ASCII")
                && f.file().endsWith("xxd.txt")), found.toString());
        assertTrue(found.stream().anyMatch(f -> f.what().equals("journal data key till.db.key (hex)")), found.toString());
        assertTrue(found.stream().anyMatch(f -> f.what().equals("journal data key till.db.key (base64)")), found.toString());
        assertTrue(found.stream().anyMatch(f -> f.what().equals("API token of TILL.token")
                && f.file().endsWith("access.log") && f.offset() == 37), found.toString());
        found.forEach(f -> assertFalse(f.toString().contains(token) || f.toString().contains(pan.substring(6, 12)),
                "a finding never repeats the secret: " + f));
    }

    /**
     * serve's default operator token file, {@code JOURNAL.operator-token} (the token that closes failed reversals),
     * is searched for as the API token is. Before, only {@code *.token} and {@code *.api-token} were: a log line
     * holding the operator's token went unflagged, in the chaos run's serve processes too.
     */
    @Test
    void findsServesOperatorTokenOutsideItsFile(@TempDir Path dir) throws Exception {
        String token = "3b1f0c9e2d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344";
        Files.writeString(dir.resolve("tally-journal.db.operator-token"), token + "\n");
        Files.writeString(dir.resolve("serve.log"), "POST /v1/payments/INV-9/close Authorization: Bearer " + token + "\n");

        List<LeakScan.Finding> found = new LeakScan(TestCards.bundled().all()).scan(List.of(dir));
        assertEquals(List.of(new LeakScan.Finding(dir.resolve("serve.log"), 52,
                "API token of tally-journal.db.operator-token")), found);
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
