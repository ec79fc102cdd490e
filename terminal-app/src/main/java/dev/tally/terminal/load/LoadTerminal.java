package dev.tally.terminal.load;

/** One logical terminal of the load: signs on once, then makes sales one after another. */
interface LoadTerminal extends AutoCloseable {

    String terminalId();

    /** Signs on (key exchange); throws when the host refuses or cannot be reached. */
    void signOn();

    SaleOutcome sale(String orderId, long amountMinor, String cardRef);

    @Override
    void close();
}
