package dev.tally.simulator.ledger;

/** A card account of the ledger: keyed by the card id of the cards file; the PAN is only ever masked here. */
public record CardAccount(String id, String maskedPan, long balance, String currency) {
}
