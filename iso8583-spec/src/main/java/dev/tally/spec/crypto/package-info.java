/**
 * Card-payment cryptography for the Tally terminal and host: the ANSI X9.19 retail MAC (field 64),
 * ISO 9564-1 format 0 PIN blocks (field 52), key check values, and working keys delivered under a
 * terminal master key. Every cipher operation is Bouncy Castle's ({@code DESEngine},
 * {@code DESedeEngine}, {@code ISO9797Alg3Mac}); this package only adds the payment formats, the
 * input checks, and error messages that never carry a PIN, a full PAN or key bytes. {@link SecretFile} warns
 * about a key or token file other users can read.
 */
package dev.tally.spec.crypto;
