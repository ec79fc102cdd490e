package dev.tally.spec.crypto;

import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.WireMsg;
import java.util.Arrays;
import org.jpos.iso.ISOMsg;

/**
 * The MAC of a message (SPEC.md §5): ANSI X9.19 retail MAC with the session MAC key over the packed
 * body (MTI, bitmap(s), every field) up to but not including the 8 bytes of the MAC field. As ISO 8583
 * says, the MAC is field 64 when the message has only a primary bitmap and field 128 when it has a
 * secondary one (reversals and status inquiries carry field 90). The MAC field is always the last
 * field, so it is the last 8 bytes of the body. No length header, no TPDU.
 */
public final class MessageMac {

    public static final int PRIMARY_MAC_FIELD = 64;
    public static final int SECONDARY_MAC_FIELD = 128;

    private MessageMac() {
    }

    /** 128 when any field from 65 to 127 is present, else 64. */
    public static int macField(ISOMsg msg) {
        int max = msg.getMaxField(); // jPOS keeps it up to date
        if (max <= PRIMARY_MAC_FIELD) {
            return PRIMARY_MAC_FIELD;
        }
        if (max < SECONDARY_MAC_FIELD) {
            return SECONDARY_MAC_FIELD;
        }
        for (int f = 65; f < SECONDARY_MAC_FIELD; f++) {
            if (msg.hasField(f)) {
                return SECONDARY_MAC_FIELD;
            }
        }
        return PRIMARY_MAC_FIELD;
    }

    /** Whether the message carries a MAC (in either MAC field). */
    public static boolean hasMac(ISOMsg msg) {
        return msg.hasField(PRIMARY_MAC_FIELD) || msg.hasField(SECONDARY_MAC_FIELD);
    }

    /**
     * Sets the MAC field of {@code msg} to its MAC under {@code macKey16} (and clears the other one). A
     * {@link WireMsg} remembers the body packed for the MAC, so the channel sends it without packing again.
     */
    public static void apply(ISOMsg msg, byte[] macKey16) {
        int field = macField(msg);
        msg.unset(field == PRIMARY_MAC_FIELD ? SECONDARY_MAC_FIELD : PRIMARY_MAC_FIELD);
        msg.set(field, new byte[RetailMac.LENGTH]);
        byte[] packed = Iso87.pack(msg);
        byte[] mac = RetailMac.compute(macKey16, Arrays.copyOf(packed, packed.length - RetailMac.LENGTH));
        msg.set(field, mac);
        if (msg instanceof WireMsg w) {
            System.arraycopy(mac, 0, packed, packed.length - RetailMac.LENGTH, RetailMac.LENGTH);
            w.remember(packed);
        }
    }

    /**
     * Whether the message's MAC field is present and is its MAC under {@code macKey16}. A received
     * {@link WireMsg} is checked over the bytes it arrived as (what the sender MACed), without a repack.
     */
    public static boolean verify(ISOMsg msg, byte[] macKey16) {
        int field = macField(msg);
        byte[] received = msg.getBytes(field);
        if (received == null || received.length != RetailMac.LENGTH) {
            return false;
        }
        return RetailMac.verify(macKey16, macInput(msg, field), received);
    }

    /** The bytes the MAC covers: the packed body without its last 8 bytes (the MAC field). */
    static byte[] macInput(ISOMsg msg, int field) {
        int other = field == PRIMARY_MAC_FIELD ? SECONDARY_MAC_FIELD : PRIMARY_MAC_FIELD;
        // the MAC field is the message's last field (64 without a secondary bitmap, else 128): its last 8 bytes
        byte[] received = msg instanceof WireMsg w && msg.hasField(field) && !msg.hasField(other)
                ? w.imageWithoutLast(RetailMac.LENGTH) : null;
        if (received != null) {
            return received;
        }
        ISOMsg copy = (ISOMsg) msg.clone();
        copy.unset(other);
        copy.set(field, new byte[RetailMac.LENGTH]);
        byte[] packed = Iso87.pack(copy);
        return Arrays.copyOf(packed, packed.length - RetailMac.LENGTH);
    }
}
