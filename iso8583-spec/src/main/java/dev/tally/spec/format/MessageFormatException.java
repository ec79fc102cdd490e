package dev.tally.spec.format;

/**
 * Bytes that are not a valid iso87 message, or a message that cannot be packed. The message names
 * the byte offset and the field where it went wrong, so a person can find it in a hex dump.
 */
public class MessageFormatException extends RuntimeException {

    private final int offset;
    private final int field;

    public MessageFormatException(String message, Throwable cause) {
        this(message, -1, -1, cause);
    }

    public MessageFormatException(String message, int offset, int field, Throwable cause) {
        super(message, cause);
        this.offset = offset;
        this.field = field;
    }

    /** byte offset into the message body (after any length header / TPDU), or -1 */
    public int offset() {
        return offset;
    }

    /** the field being read when it failed (0 = MTI, 1 = bitmap), or -1 */
    public int field() {
        return field;
    }
}
