package dev.tally.terminal.chaos;

import dev.tally.spec.card.LabKeys;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.crypto.PinBlock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The card-data leak scan (issue 8): every file a run produced — logs, journals, message logs, reports,
 * statements, captured stdout/stderr — searched byte for byte for any test card's full PAN (in clear,
 * as BCD bytes, as hex of its ASCII), its clear PIN block (bytes and hex), and the lab TMK (bytes and
 * hex). A journal that kept a PAN unencrypted is caught by the same search. Findings name the file, the
 * offset, the card id and the form, never the secret itself.
 *
 * <p>{@code java ... LeakScan [--cards FILE]... [--exclude DIR]... DIR_OR_FILE...}: exit 0 when clean, 1 with
 * findings. The cards files add their PANs to the bundled test cards'.
 */
public final class LeakScan {

    /** One thing found where it must not be. */
    public record Finding(Path file, long offset, String what) {
        @Override
        public String toString() {
            return file + " at byte " + offset + ": " + what;
        }
    }

    private final Map<String, byte[]> needles = new LinkedHashMap<>();

    public LeakScan(List<TestCard> cards) {
        HexFormat lower = HexFormat.of();
        HexFormat upper = HexFormat.of().withUpperCase();
        for (TestCard c : cards) {
            String pan = c.pan();
            add(c.id() + " PAN in clear", pan.getBytes(StandardCharsets.US_ASCII));
            String bcdDigits = pan.length() % 2 == 0 ? pan : pan + "0";
            add(c.id() + " PAN as BCD bytes", HexFormat.of().parseHex(bcdDigits));
            byte[] ascii = pan.getBytes(StandardCharsets.US_ASCII);
            add(c.id() + " PAN as hex of ASCII", lower.formatHex(ascii).getBytes(StandardCharsets.US_ASCII));
            add(c.id() + " PAN as HEX of ASCII", upper.formatHex(ascii).getBytes(StandardCharsets.US_ASCII));
            byte[] pinBlock = PinBlock.format0(c.pin(), pan);
            add(c.id() + " clear PIN block (bytes)", pinBlock);
            add(c.id() + " clear PIN block (hex)", lower.formatHex(pinBlock).getBytes(StandardCharsets.US_ASCII));
            add(c.id() + " clear PIN block (HEX)", upper.formatHex(pinBlock).getBytes(StandardCharsets.US_ASCII));
        }
        byte[] tmk = LabKeys.tmk();
        add("lab TMK (bytes)", tmk);
        add("lab TMK (hex)", lower.formatHex(tmk).getBytes(StandardCharsets.US_ASCII));
        add("lab TMK (HEX)", upper.formatHex(tmk).getBytes(StandardCharsets.US_ASCII));
    }

    private void add(String what, byte[] needle) {
        needles.put(what, needle);
    }

    /** Every finding in every regular file under the roots. */
    public List<Finding> scan(List<Path> roots) throws IOException {
        return scan(roots, List.of());
    }

    /** The same, leaving out files under {@code excluded} (the inputs a run was given, e.g. a cards file). */
    public List<Finding> scan(List<Path> roots, List<Path> excluded) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
                        .filter(p -> excluded.stream().noneMatch(x -> p.toAbsolutePath().startsWith(x.toAbsolutePath())))::iterator) {
                    findings.addAll(scanFile(f));
                }
            }
        }
        return findings;
    }

    public List<Finding> scanFile(Path f) throws IOException {
        byte[] data = Files.readAllBytes(f);
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> n : needles.entrySet()) {
            int at = indexOf(data, n.getValue(), 0);
            if (at >= 0) {
                out.add(new Finding(f, at, n.getKey()));
            }
        }
        return out;
    }

    /** How many files the last roots hold (for the report). */
    public static long countFiles(List<Path> roots) throws IOException {
        long n = 0;
        for (Path root : roots) {
            if (Files.exists(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    n += files.filter(Files::isRegularFile).count();
                }
            }
        }
        return n;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    public static void main(String[] args) throws IOException {
        List<TestCard> cards = new ArrayList<>(TestCards.bundled().all());
        List<Path> roots = new ArrayList<>();
        List<Path> excluded = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--cards") && i + 1 < args.length) {
                cards.addAll(TestCards.load(Path.of(args[++i])).all());
            } else if (args[i].equals("--exclude") && i + 1 < args.length) {
                excluded.add(Path.of(args[++i]));
            } else {
                roots.add(Path.of(args[i]));
            }
        }
        if (roots.isEmpty()) {
            System.err.println("leak scan: name the folders or files to scan");
            System.exit(64);
        }
        List<Finding> findings = new LeakScan(cards).scan(roots, excluded);
        System.out.println("leak scan: " + countFiles(roots) + " files, " + cards.size() + " cards, findings: "
                + findings.size());
        findings.forEach(f -> System.out.println("  " + f));
        System.exit(findings.isEmpty() ? 0 : 1);
    }
}
