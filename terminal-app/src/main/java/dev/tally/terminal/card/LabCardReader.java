package dev.tally.terminal.card;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.format.Masking;
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
                new UnknownCardException("unknown card '" + Masking.scrub(cardRef) + "': the cards file has "
                        + cards.all().stream().map(TestCard::id).collect(Collectors.joining(", "))));
        return new CardData(c.pan(), c.expiry(), c.pin());
    }
}
