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
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The card-data leak scan (issue 8): every file a run produced — logs, journals, message logs, reports,
 * statements, captured stdout/stderr — searched byte for byte for any test card's full PAN (in clear,
 * as BCD bytes, as hex of its ASCII; and printed with separators: in groups of 4 digits, as a spaced hexdump
 * of its BCD or of its ASCII), its clear PIN block (bytes and hex), and the lab TMK (bytes and hex). The
 * secrets the scanned tree itself holds are searched for everywhere else: each journal's data key
 * ({@code JOURNAL.key} beside a journal: bytes, hex, base64) and each API token ({@code *.token},
 * {@code *.api-token}, {@code *.operator-token}: the token, base64). A journal that kept a PAN unencrypted is caught by the same
 * search. Findings name the file, the offset, the card id and the form, never the secret itself.
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
    /** searched in a file's bytes with the separators between hex digits taken out ({@link #withoutSeparators}) */
    private final Map<String, byte[]> separatedNeedles = new LinkedHashMap<>();

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
            // 4761 7390 0101 0119 (as typed or printed on a card) and 47 61 73 90 01 01 01 19 (a hexdump of the BCD
            // field) are the PAN's digits with separators; 34 37 36 31 ... (a hexdump of the ASCII) its hex
            separatedNeedles.put(c.id() + " PAN", pan.getBytes(StandardCharsets.US_ASCII));
            separatedNeedles.put(c.id() + " PAN as spaced hex of ASCII", lower.formatHex(ascii).getBytes(StandardCharsets.US_ASCII));
            separatedNeedles.put(c.id() + " PAN as spaced HEX of ASCII", upper.formatHex(ascii).getBytes(StandardCharsets.US_ASCII));
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

    /** A secret found in the scanned tree, searched for in every file but its own. */
    private record Secret(String what, byte[] needle, List<Path> homes) {
    }

    /** Every finding in every regular file under the roots. */
    public List<Finding> scan(List<Path> roots) throws IOException {
        return scan(roots, List.of());
    }

    /** The same, leaving out files under {@code excluded} (the inputs a run was given, e.g. a cards file). */
    public List<Finding> scan(List<Path> roots, List<Path> excluded) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> excluded.stream().noneMatch(x -> p.toAbsolutePath().startsWith(x.toAbsolutePath())))
                        .forEach(files::add);
            }
        }
        List<Secret> secrets = secretsIn(files);
        List<Finding> findings = new ArrayList<>();
        for (Path f : files) {
            findings.addAll(scanFile(f, secrets));
        }
        return findings;
    }

    public List<Finding> scanFile(Path f) throws IOException {
        return scanFile(f, List.of());
    }

    private List<Finding> scanFile(Path f, List<Secret> secrets) throws IOException {
        byte[] data = Files.readAllBytes(f);
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> n : needles.entrySet()) {
            int at = indexOf(data, n.getValue(), 0);
            if (at >= 0) {
                out.add(new Finding(f, at, n.getKey()));
            }
        }
        Compact compact = withoutSeparators(data);
        if (compact.bytes().length < data.length) {
            for (Map.Entry<String, byte[]> n : separatedNeedles.entrySet()) {
                byte[] c = compact.bytes();
                for (int at = indexOf(c, n.getValue(), 0); at >= 0; at = indexOf(c, n.getValue(), at + 1)) {
                    long start = compact.offsets()[at];
                    long end = compact.offsets()[at + n.getValue().length - 1] + 1;
                    if (end - start > n.getValue().length) { // with separators: without, the search above has it
                        out.add(new Finding(f, start, n.getKey().endsWith(" PAN") ? n.getKey() + separatedForm(data, (int) start)
                                : n.getKey()));
                        break;
                    }
                }
            }
        }
        for (Secret s : secrets) {
            if (s.homes().stream().anyMatch(h -> h.toAbsolutePath().normalize().equals(f.toAbsolutePath().normalize()))) {
                continue;
            }
            int at = indexOf(data, s.needle(), 0);
            if (at >= 0) {
                out.add(new Finding(f, at, s.what()));
            }
        }
        return out;
    }

    /**
     * The journals' data keys and the API tokens among the files: a data key is {@code JOURNAL.key} (32 bytes, made
     * by the journal's PanVault) beside its journal; a token file is {@code *.token} or {@code *.api-token} (the
     * chaos run's and serve's default names). Each may be in its own file (and a data key in the {@code .key.new}
     * it is written through), nowhere else.
     */
    private static List<Secret> secretsIn(List<Path> files) throws IOException {
        HexFormat lower = HexFormat.of();
        HexFormat upper = HexFormat.of().withUpperCase();
        List<Secret> secrets = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".key") && Files.size(f) == 32
                    && Files.isRegularFile(f.resolveSibling(name.substring(0, name.length() - ".key".length())))) {
                byte[] key = Files.readAllBytes(f);
                List<Path> homes = List.of(f, f.resolveSibling(name + ".new"));
                String what = "journal data key " + name;
                secrets.add(new Secret(what + " (bytes)", key, homes));
                secrets.add(new Secret(what + " (hex)", ascii(lower.formatHex(key)), homes));
                secrets.add(new Secret(what + " (HEX)", ascii(upper.formatHex(key)), homes));
                secrets.add(new Secret(what + " (base64)", ascii(Base64.getEncoder().encodeToString(key)), homes));
                secrets.add(new Secret(what + " (base64url)", ascii(Base64.getUrlEncoder().withoutPadding().encodeToString(key)), homes));
            } else if (name.endsWith(".token") || name.endsWith(".api-token") || name.endsWith(".operator-token")) {
                String token = Files.readString(f, StandardCharsets.UTF_8).strip();
                if (token.length() >= 16) { // ApiToken refuses shorter ones: a short word would be found everywhere
                    List<Path> homes = List.of(f);
                    secrets.add(new Secret("API token of " + name, token.getBytes(StandardCharsets.UTF_8), homes));
                    secrets.add(new Secret("API token of " + name + " (base64)",
                            ascii(Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))), homes));
                }
            }
        }
        return secrets;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** What a hexdump or a card print puts between hex digits: a space, a tab, '-', ':' or '.', one or two of them. */
    private static boolean isSeparator(byte b) {
        return b == ' ' || b == '\t' || b == '-' || b == ':' || b == '.';
    }

    private static boolean isHexDigit(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    /** Where a run of separators starting at {@code i} ends, when it is one or two separators between hex digits; else -1. */
    private static int separatorRunEnd(byte[] data, int i) {
        if (i == 0 || !isHexDigit(data[i - 1]) || !isSeparator(data[i])) {
            return -1;
        }
        int j = i + 1;
        if (j < data.length && isSeparator(data[j])) {
            j++;
        }
        return j < data.length && isHexDigit(data[j]) ? j : -1;
    }

    /** A file's bytes without the separators between hex digits, and where each of them is in the file. */
    record Compact(byte[] bytes, int[] offsets) {
    }

    /** The file's bytes with each run of {@link #separatorRunEnd separators between hex digits} taken out. */
    static Compact withoutSeparators(byte[] data) {
        byte[] out = new byte[data.length];
        int[] offsets = new int[data.length];
        int n = 0;
        for (int i = 0; i < data.length; i++) {
            int end = separatorRunEnd(data, i);
            if (end > 0) {
                i = end - 1;
                continue;
            }
            offsets[n] = i;
            out[n++] = data[i];
        }
        return new Compact(java.util.Arrays.copyOf(out, n), java.util.Arrays.copyOf(offsets, n));
    }

    /** How the PAN's digits found at {@code start} are grouped, for the finding: pairs are a hexdump of its BCD. */
    private static String separatedForm(byte[] data, int start) {
        int group = 0;
        while (start + group < data.length && isHexDigit(data[start + group])) {
            group++;
        }
        return switch (group) {
            case 2 -> " as spaced hex of BCD";
            case 4 -> " in groups of 4";
            default -> " with separators";
        };
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
