package dev.tally.terminal.card;

/**
 * Reads the customer's card. The cashier never sends card data (DESIGN.md §4): it names at most which
 * card the lab reader should "read".
 */
public interface CardReader {

    /**
     * @param cardRef which card, for readers that can be told (the lab reader); null for the default
     * @throws UnknownCardException when the reader has no such card
     */
    CardData read(String cardRef);
}
