package dev.tally.terminal.support;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.format.Masking;
import dev.tally.spec.format.Utf8File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which test card stands in for a masked PAN of a log when it is replayed: the {@code --card-map} file's
 * line for that masked PAN or its last four digits, else the test card with the same last four, else the
 * default test card. A card-map file has one {@code maskedPanOrLast4,cardId} per line; {@code #} starts a
 * comment.
 */
public final class CardMap {

    private final TestCards cards;
    private final Map<String, TestCard> byKey;

    /** Masked PANs resolved so far (the answer depends only on the PAN, the map and the cards, all fixed). */
    private final Map<String, TestCard> resolved = new java.util.concurrent.ConcurrentHashMap<>();

    private CardMap(TestCards cards, Map<String, TestCard> byKey) {
        this.cards = cards;
        this.byKey = byKey;
    }

    public static CardMap defaults(TestCards cards) {
        return new CardMap(cards, Map.of());
    }

    /** Reads a card-map file; a line that cannot be used is an error naming the file and the line. */
    public static CardMap load(Path file, TestCards cards) {
        List<String> lines;
        try {
            lines = Utf8File.read(file, "a card map is a text file of 'maskedPanOrLast4,cardId' lines in UTF-8").lines().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the card map " + file + ": " + Utf8File.reason(file, e), e);
        }
        Map<String, TestCard> map = new LinkedHashMap<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s*,\\s*");
            if (parts.length != 2 || !(parts[0].matches("\\d{4}") || Masking.isMaskedPan(parts[0]))) {
                throw new IllegalArgumentException("card map " + file + " line " + n
                        + ": expected 'maskedPanOrLast4,cardId' (e.g. '476173******0119,visa-1' or '0119,visa-1')");
            }
            String id = parts[1];
            int lineNo = n;
            if (Masking.mayBeCardNumber(id)) {
                // never quoted: it may be a card number, which no message repeats
                throw new IllegalArgumentException("card map " + file + " line " + n + ": the second column must be a"
                        + " test card id (e.g. visa-1), not a card number");
            }
            TestCard card = cards.find(id).filter(c -> c.id().equals(id)).orElseThrow(() ->
                    new IllegalArgumentException("card map " + file + " line " + lineNo + ": no test card with id '" + id + "'"));
            map.put(normalize(parts[0]), card);
        }
        return new CardMap(cards, map);
    }

    /** The test card for a PAN as logged (masked, e.g. {@code 476173******0119}, or jPOS's {@code ______}). */
    public TestCard resolve(String loggedPan) {
        // a replay resolves every request's PAN, and a log holds a handful of masked PANs: each is worked out once
        return resolved.computeIfAbsent(loggedPan == null ? "" : loggedPan, this::lookUp);
    }

    private TestCard lookUp(String loggedPan) {
        String key = normalize(loggedPan);
        TestCard c = byKey.get(key);
        if (c != null) {
            return c;
        }
        String last4 = key.length() >= 4 ? key.substring(key.length() - 4) : key;
        c = byKey.get(last4);
        if (c != null) {
            return c;
        }
        if (last4.matches("\\d{4}")) {
            return cards.byLast4(last4).orElseGet(cards::defaultCard);
        }
        return cards.defaultCard();
    }

    /** Masking characters as '*' (per character: a replay resolves every request's PAN, a regex cost more). */
    private static String normalize(String pan) {
        return pan == null ? "" : pan.strip().replace('_', '*').replace('X', '*').replace('x', '*');
    }
}
