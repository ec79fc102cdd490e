package dev.tally.spec.format;

import java.util.Optional;
import org.jpos.iso.ISOException;

/**
 * A frame whose body does not unpack as an iso87 message, said in words a support engineer can act on: how many
 * bytes came, the MTI when its two bytes read as one, and the first field that fails and why ("17 bytes after the
 * TPDU, MTI 0210: the bitmap at offset 2 runs past the end"). Never a byte or a field's value (the body may hold a
 * card number, a track 2 or a PIN block), never jPOS's or the JVM's own words ("Index 17 out of bounds for length 17
 * consumed=2"): those stay in {@link #getCause()}.
 */
public final class GarbledMessageException extends ISOException {

    private final String description;

    /** {@code body}: the frame's bytes after the length header and the TPDU; {@code cause}: what refused them. */
    public GarbledMessageException(byte[] body, Throwable cause) {
        super(describe(body));
        this.description = getMessage();
        initCause(cause); // jPOS's ISOException keeps a "nested" one of its own, which getCause() does not see
    }

    /** What came and where it stops reading; the same as {@link #getMessage()}. */
    public String description() {
        return description;
    }

    /**
     * {@code body} (after the TPDU) described as in the class comment. Read field by field as {@code tally decode}
     * reads it (MessageDecoder), so the field named is the one its dump would stop at.
     */
    public static String describe(byte[] body) {
        return describe(body, "every field reads on its own, but the message as a whole does not unpack");
    }

    /**
     * {@code body} (after the TPDU) of a frame that did unpack, but whose terminal id, STAN or MTI, by which an answer
     * is matched to its request, cannot be read (jPOS takes any BCD nibble: a STAN of 000A23): the first field that
     * does not read, as {@link #describe}; when every field reads as {@code tally decode} reads it, that those cannot.
     * "The message as a whole does not unpack" would be false here.
     */
    public static String describeUnmatchable(byte[] body) {
        return describe(body, "it unpacks, but its terminal id, STAN or MTI cannot be read");
    }

    private static String describe(byte[] body, String whenEveryFieldReads) {
        StringBuilder sb = new StringBuilder().append(body.length).append(body.length == 1 ? " byte" : " bytes")
                .append(" after the TPDU");
        sb.append(mti(body).map(m -> ", MTI " + m).orElse(", no readable MTI"));
        try {
            MessageDecoder.unpackStrict(body, 0);
            sb.append(": ").append(whenEveryFieldReads);
        } catch (MessageFormatException e) {
            sb.append(": ").append(where(e, body.length));
        } catch (RuntimeException e) {
            sb.append(": it cannot be read field by field");
        }
        return sb.toString();
    }

    /** The MTI when the first two bytes are four BCD digits. */
    private static Optional<String> mti(byte[] body) {
        if (body.length < 2) {
            return Optional.empty();
        }
        StringBuilder digits = new StringBuilder(4);
        for (int i = 0; i < 2; i++) {
            int hi = (body[i] >> 4) & 0x0F;
            int lo = body[i] & 0x0F;
            if (hi > 9 || lo > 9) {
                return Optional.empty();
            }
            digits.append((char) ('0' + hi)).append((char) ('0' + lo));
        }
        return Optional.of(digits.toString());
    }

    /**
     * The first failure as field, offset and kind; the decoder's own message is not copied, as it may quote jPOS's
     * words or a digit of the field it read.
     */
    private static String where(MessageFormatException e, int length) {
        String why = String.valueOf(e.getMessage());
        int field = e.field();
        int at = e.offset();
        if (field < 0) {
            return at >= 0 ? (length - at) + " bytes are left over at offset " + at + " after the last field the bitmap names"
                    : "it cannot be read field by field";
        }
        String name = field == 0 ? "the MTI" : field == 1 ? "the bitmap" : "field " + field + " (" + Iso87.fieldName(field) + ")";
        String what;
        if (why.startsWith("message ends at offset")) {
            return name + " is named by the bitmap, but the message ends at offset " + at + " before it";
        } else if (why.contains("which the iso87 dialect does not define")) {
            return "the bitmap names " + name.replaceFirst(" \\(.*\\)$", "") + ", which the iso87 dialect does not define";
        } else if (why.contains("runs past the end") || ranOut(e)) {
            what = "runs past the end of the message";
        } else if (why.contains("non-BCD digit")) {
            what = "holds a digit that is not BCD";
        } else if (why.contains("is not a track 2")) {
            what = "is not a valid track 2";
        } else {
            what = "cannot be read";
        }
        return name + " at offset " + at + " " + what;
    }

    /** Whether reading stopped for want of bytes: jPOS's field packagers index past the array's end. */
    private static boolean ranOut(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IndexOutOfBoundsException) {
                return true;
            }
            if (t instanceof ISOException iso && iso.getNested() instanceof IndexOutOfBoundsException) {
                return true;
            }
        }
        return false;
    }
}
