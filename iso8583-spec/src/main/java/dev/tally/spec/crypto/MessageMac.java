package dev.tally.spec.crypto;

import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.Field;
import java.util.Arrays;
import org.jpos.iso.ISOMsg;

/**
 * The MAC of a message (SPEC.md "Message authentication"): ANSI X9.19 retail MAC with the session MAC
 * key over the packed iso87 body (MTI, bitmap, every field) up to but not including the 8 bytes of
 * field 64. The bitmap already has bit 64 set when the MAC is computed. No length header, no TPDU.
 */
public final class MessageMac {

    private MessageMac() {
    }

    /** Sets field 64 of {@code msg} to its MAC under {@code macKey16}. */
    public static void apply(ISOMsg msg, byte[] macKey16) {
        msg.set(Field.MAC.number(), new byte[RetailMac.LENGTH]);
        byte[] mac = RetailMac.compute(macKey16, macInput(msg));
        msg.set(Field.MAC.number(), mac);
    }

    /** Whether field 64 is present and is the MAC of the message under {@code macKey16}. */
    public static boolean verify(ISOMsg msg, byte[] macKey16) {
        byte[] received = msg.getBytes(Field.MAC.number());
        if (received == null || received.length != RetailMac.LENGTH) {
            return false;
        }
        return RetailMac.verify(macKey16, macInput(msg), received);
    }

    /** The bytes the MAC covers: the packed body without the last 8 bytes (field 64). */
    static byte[] macInput(ISOMsg msg) {
        ISOMsg copy = (ISOMsg) msg.clone();
        copy.set(Field.MAC.number(), new byte[RetailMac.LENGTH]);
        if (copy.getMaxField() > Field.MAC.number()) {
            throw new IllegalArgumentException("message " + copy.getString(0)
                    + " has fields beyond 64; Tally MACs only messages with a primary bitmap");
        }
        byte[] packed = Iso87.pack(copy);
        return Arrays.copyOf(packed, packed.length - RetailMac.LENGTH);
    }
}
