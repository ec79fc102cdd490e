package dev.tally.terminal.card;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import java.util.stream.Collectors;

/** The lab reader: "reads" a test card from the cards file, by id or PAN; the first card by default. */
public final class LabCardReader implements CardReader {

    private final TestCards cards;

    public LabCardReader(TestCards cards) {
        this.cards = cards;
    }

    @Override
    public CardData read(String cardRef) {
        TestCard c = cardRef == null ? cards.defaultCard() : cards.find(cardRef).orElseThrow(() ->
                new UnknownCardException(unknown()));
        return new CardData(c.pan(), c.expiry(), c.pin());
    }

    /**
     * What an unknown card reference gets. The reference itself is never repeated: it may be a card number
     * written with separators ({@code 4761.7390.0101.0119}) that no scrubbing recognises.
     */
    private String unknown() {
        return "unknown card: the lab reader's cards file has no card with that id or PAN (not repeated here);"
                + " give one of its card ids: " + cards.all().stream().map(TestCard::id).collect(Collectors.joining(", "));
    }
}
