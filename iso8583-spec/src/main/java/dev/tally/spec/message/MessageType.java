package dev.tally.spec.message;

/**
 * Every message Tally speaks. The fields each one carries live in the catalogue resource
 * ({@code messages.txt}), read by {@link MessageCatalogue}; this enum only names them.
 */
public enum MessageType {
    SIGN_ON,
    ECHO,
    SALE,
    BALANCE_INQUIRY,
    STATUS_INQUIRY,
    REVERSAL,
    REVERSAL_REPEAT,
    SETTLEMENT,
    SETTLEMENT_TRAILER,
    BATCH_UPLOAD;

    /** The catalogue entry: MTIs, processing code and field rules. */
    public MessageCatalogue.Entry spec() {
        return MessageCatalogue.entry(this);
    }

    public boolean isFinancial() {
        return this == SALE || this == REVERSAL || this == REVERSAL_REPEAT || this == BATCH_UPLOAD;
    }
}
