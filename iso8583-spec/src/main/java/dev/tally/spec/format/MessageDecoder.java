package dev.tally.spec.format;

import dev.tally.spec.message.Field;
import dev.tally.spec.message.MessageCatalogue;
import dev.tally.spec.message.OrderReference;
import dev.tally.spec.message.Track2;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.jpos.iso.IFB_LLLNUM;
import org.jpos.iso.IFB_LLNUM;
import org.jpos.iso.IFB_NUMERIC;
import org.jpos.iso.ISOBinaryField;
import org.jpos.iso.ISOBitMap;
import org.jpos.iso.ISOComponent;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOFieldPackager;
import org.jpos.iso.ISOMsg;
import org.jpos.tlv.TLVList;
import org.jpos.tlv.TLVMsg;

/**
 * Bytes → a readable, masked, field-by-field dump. Unpacks field by field with the dialect's own jPOS
 * field packagers so that every error names the byte offset and the field: truncated input, a bitmap
 * that claims fields that are not there, digits that are not BCD, trailing bytes.
 */
public final class MessageDecoder {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private MessageDecoder() {
    }

    /** Hex text (white space allowed, with or without length header / TPDU). */
    public static DecodedMessage decodeHex(String hex) {
        return decode(Framing.parseHex(hex));
    }

    /**
     * Raw bytes, with or without the 2-byte length header and the TPDU. Where the bytes {@link Framing#split} takes for a
     * length header could also be a bare body's MTI ({@link Framing#couldBeBareBody}: e.g. {@code 0200} followed by a
     * bitmap whose first byte, 0x60, looks like a TPDU), both readings are tried and the one that reads completely is
     * shown; when both do, the framed one (docs/support.md §2), and the framing line names the other.
     */
    public static DecodedMessage decode(byte[] raw) {
        Framing.Frame frame;
        ISOMsg msg;
        try {
            frame = Framing.split(raw);
            msg = unpackStrict(frame.body(), frame.bodyOffset());
        } catch (MessageFormatException framedError) {
            if (!Framing.couldBeBareBody(raw)) {
                throw framedError;
            }
            Framing.Frame bare = Framing.bare(raw);
            try {
                return describe(unpackStrict(bare.body(), 0), framing(bare), null);
            } catch (MessageFormatException bareError) {
                // not even an MTI and a bitmap as a bare body: the framed reading's error is the one to act on
                if (bareError.field() == 0 || bareError.field() == 1) {
                    throw framedError;
                }
                throw new MessageFormatException(framedError.getMessage() + "; read as a bare body (no length header,"
                        + " no TPDU) instead: " + bareError.getMessage(), framedError.offset(), framedError.field(), framedError);
            }
        }
        String framing = framing(frame);
        if (frame.bodyOffset() > 0 && Framing.couldBeBareBody(raw)) {
            String bareMti = alsoReadsAsBareBody(raw);
            if (bareMti != null) {
                framing += "; also reads as a bare body (MTI " + bareMti + ", no length header, no TPDU): the framed"
                        + " reading is shown";
            }
        }
        return describe(msg, framing, frame.tpduHex());
    }

    private static String framing(Framing.Frame frame) {
        return (frame.hadLengthHeader() ? "length header + " : "") + (frame.tpdu() != null ? "TPDU + " : "") + "body ("
                + frame.body().length + " bytes)";
    }

    /** The MTI of {@code raw} read whole as a bare body, or null when it does not read so. */
    private static String alsoReadsAsBareBody(byte[] raw) {
        try {
            return unpackStrict(raw, 0).getString(0);
        } catch (MessageFormatException e) {
            return null;
        }
    }

    /** A dump of a message already in memory (e.g. one just built). */
    public static DecodedMessage describe(ISOMsg msg) {
        return describe(msg, "in memory", null);
    }

    private static DecodedMessage describe(ISOMsg msg, String framing, String tpdu) {
        String mti = msg.getString(0);
        String type = MessageCatalogue.classify(mti, msg.getString(3), msg.getString(70))
                .map(e -> e.type() + (MessageCatalogue.isResponseMti(mti) ? " response" : " request"))
                .orElse("not in the Tally catalogue");
        int max = msg.getMaxField();
        List<DecodedMessage.DecodedField> fields = new ArrayList<>();
        // the bitmap as the fields present make it, built in the same pass (bit 1: a secondary bitmap)
        byte[] bitmap = new byte[max > 64 ? 16 : 8];
        if (max > 64) {
            bitmap[0] |= (byte) 0x80;
        }
        for (int i = 2; i <= max; i++) {
            if (msg.hasField(i)) {
                fields.add(field(msg, i));
                if (i <= 128) { // a third bitmap (fields 129-192) is not the dialect's; it is not shown
                    bitmap[(i - 1) / 8] |= (byte) (0x80 >> ((i - 1) % 8));
                }
            }
        }
        return new DecodedMessage(framing, tpdu, mti, type, HEX.formatHex(bitmap), fields, msg);
    }

    /**
     * Field {@code i} of {@code msg} (present) as it may be shown: the PAN masked, secrets "[hidden]", binary
     * fields as hex, field 55 as its tags.
     */
    static DecodedMessage.DecodedField field(ISOMsg msg, int i) {
        Field named = Field.byNumber(i);
        List<DecodedMessage.TlvItem> tags = List.of();
        String value;
        switch (Field.sensitivityOf(i)) {
            case PAN -> value = Masking.pan(msg.getString(i));
            case SECRET -> value = "[hidden]";
            case TLV -> {
                byte[] b = msg.getBytes(i);
                tags = tlv(b);
                value = b.length + " bytes BER-TLV, " + tags.size() + " tags";
            }
            case REFERENCE -> value = OrderReference.shown(msg.getString(i));
            case UNDESCRIBED -> value = undescribed(msg, i);
            // CLEAR. 48 (Tally's holds a short status answer) may carry what another terminal put there, a card number
            // inside other digits among it. Tally's own fields are not searched inside longer runs of digits (a long
            // number's first or last 13-19 digits pass Luhn about half the time: field 60's MTI + STAN + field 7 would
            // be hidden, and a replay rebuilt from the log wrong), but a card number standing alone in one (a message
            // someone else built) is masked all the same
            default -> value = msg.getComponent(i) instanceof ISOBinaryField ? Masking.scrubField(HEX.formatHex(msg.getBytes(i)))
                    : holdsBytesAsHex(i, msg.getString(i)) ? undescribed(msg, i)
                    : named == Field.ADDITIONAL_DATA ? Masking.scrubEmbedded(msg.getString(i))
                    : Masking.scrubField(msg.getString(i));
        }
        return new DecodedMessage.DecodedField(i, Iso87.fieldName(i), named == null ? null : named.name(), value, tags);
    }

    /**
     * Whether a text field Tally gives a meaning (48, 54, 60, 63, 90, ...) holds what none of Tally's own values do: 8
     * or more bytes written as hex with a letter A-F among them, or in spaced pairs (a key, a PIN block another system
     * put in its field 48 or 60). Such a value is another system's data and is shown as an {@link #undescribed} field
     * is, with what looks like bytes withheld; Tally's own values there are digits, codes, its status answer and its
     * balances (field 54, whose C or D among digits would read as hex: {@link #BALANCES}), and are shown as they are. Values shorter than 16 characters cannot hold such a run and are not searched.
     */
    static boolean holdsBytesAsHex(int field, String text) {
        return text != null && text.length() >= 16 && !(field == Field.ADDITIONAL_AMOUNTS.number() && BALANCES.matcher(text).matches())
                && !Masking.scrubCommandLine(text, Set.of()).equals(text);
    }

    /**
     * Field 54 as Tally writes it ({@code Balance}: 0002, currency, C or D, 12 digits; ISO 8583 allows up to six such
     * amounts): its C or D among the digits reads as hex bytes, but it is a balance support needs to see.
     */
    private static final java.util.regex.Pattern BALANCES = java.util.regex.Pattern.compile("(?:\\d{4}\\d{3}[CD]\\d{12})+");

    /**
     * A field Tally gives no meaning ({@link Field.Sensitivity#UNDESCRIBED}: reserved, private use) as it may be
     * shown: another terminal's or host's data, of which Tally cannot know what is secret, read as free text whose
     * writer is unknown ({@link Masking#scrubFreeText}, after {@link Masking#scrubEmbedded}: a card number masked, also
     * inside a longer run of digits; a key, a PIN block, a track 2 in BCD, any 8 or more bytes as hex withheld, in a
     * text field only a run that holds a letter A-F: digits alone there are a number). Text
     * and short codes stay readable; when something was withheld the field's length follows ({@code [bytes withheld]
     * (32 characters)}), so that support still sees what was there. Shown so in the decoder, the message logs and
     * jPOS's log ({@link JposLogBridge}); what was withheld is not in the log, so a replay of it cannot send it.
     */
    static String undescribed(ISOMsg msg, int i) {
        boolean binary = msg.getComponent(i) instanceof ISOBinaryField;
        String text = Masking.scrubEmbedded(binary ? HEX.formatHex(msg.getBytes(i)) : msg.getString(i));
        // a text field's run of digits alone is a number (field 86-89's n16 amounts, 95's n42, 97, 102, 103), which
        // support needs: there only a run holding a letter A-F counts as bytes (Masking.scrubCommandLine's rule)
        String shown = binary ? Masking.scrubFreeText(text) : Masking.scrubCommandLine(text, Set.of());
        if (shown.equals(text)) {
            return shown;
        }
        return shown + " (" + (binary ? msg.getBytes(i).length + " bytes" : text.length() + " characters") + ")";
    }

    private static List<DecodedMessage.TlvItem> tlv(byte[] data) {
        List<DecodedMessage.TlvItem> items = new ArrayList<>();
        TLVList list = new TLVList();
        try {
            list.unpack(data);
        } catch (RuntimeException e) {
            items.add(new DecodedMessage.TlvItem("?", "field 55 is not valid BER-TLV", e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
            return items;
        }
        for (TLVMsg t : list.getTags()) {
            EmvTags.Tag tag = EmvTags.of(t.getTag());
            String hex = HEX.formatHex(t.getValue());
            String shown = tag.secret() ? "[hidden]" : tag.pan() ? Masking.pan(hex.replace("F", "")) : hex;
            items.add(new DecodedMessage.TlvItem(Integer.toHexString(t.getTag()).toUpperCase(), tag.name(), shown));
        }
        return items;
    }

    /**
     * Unpacks a body field by field. {@code baseOffset} is added to offsets in error messages so they
     * point into what the user gave (e.g. after a length header and TPDU).
     */
    static ISOMsg unpackStrict(byte[] body, int baseOffset) {
        ISOMsg msg = new ISOMsg();
        msg.setPackager(Iso87.packager());
        int off = 0;
        off += unpackField(msg, 0, body, off, baseOffset);
        // the bitmap as read is not kept in the message: jPOS recomputes it from the fields when the message is
        // packed again, and a read bitmap can carry the secondary-bitmap bit although no field above 64 is present
        ISOFieldPackager bitmapPackager = Iso87.fieldPackager(1);
        ISOComponent bitmap = bitmapPackager.createComponent(1);
        int bitmapAt = off;
        off += unpack(bitmapPackager, bitmap, 1, body, off, baseOffset);
        BitSet bits;
        try {
            bits = (BitSet) bitmap.getValue();
        } catch (ISOException e) {
            throw new MessageFormatException("bitmap unreadable: " + e.getMessage(), baseOffset + bitmapAt, 1, e);
        }
        int maxField = bits.length() - 1;
        for (int i = 2; i <= maxField; i++) {
            if (!bits.get(i) || i == 65) {
                continue; // 65 is the tertiary bitmap indicator in iso87binary; never used by Tally
            }
            if (off >= body.length) {
                throw new MessageFormatException("message ends at offset " + (baseOffset + off)
                        + " but the bitmap says field " + i + " (" + Iso87.fieldName(i) + ") follows",
                        baseOffset + off, i, null);
            }
            off += unpackField(msg, i, body, off, baseOffset);
        }
        if (off != body.length) {
            throw new MessageFormatException((body.length - off) + " bytes left over at offset " + (baseOffset + off)
                    + " after the last field the bitmap names (" + (maxField) + ")", baseOffset + off, -1, null);
        }
        return msg;
    }

    /** Unpacks field {@code i} at {@code off} into the message; returns the bytes it took. */
    private static int unpackField(ISOMsg msg, int i, byte[] body, int off, int baseOffset) {
        ISOFieldPackager fp = Iso87.fieldPackager(i);
        if (fp == null) {
            throw new MessageFormatException("the bitmap names field " + i + ", which the iso87 dialect does not define",
                    baseOffset + off, i, null);
        }
        ISOComponent c = fp.createComponent(i);
        int consumed = unpack(fp, c, i, body, off, baseOffset);
        try {
            msg.set(c);
        } catch (ISOException e) {
            throw new MessageFormatException(name(i) + " at offset " + (baseOffset + off) + " cannot be read: "
                    + e.getMessage(), baseOffset + off, i, e);
        }
        return consumed;
    }

    /** Unpacks field {@code i} at {@code off} into {@code c} with its packager {@code fp}, checked; returns the bytes it took. */
    private static int unpack(ISOFieldPackager fp, ISOComponent c, int i, byte[] body, int off, int baseOffset) {
        try {
            int consumed = fp.unpack(c, body, off);
            if (consumed <= 0 || off + consumed > body.length) {
                throw new MessageFormatException(name(i) + " at offset " + (baseOffset + off) + " runs past the end",
                        baseOffset + off, i, null);
            }
            if (i == Field.TRACK2.number()) {
                // BCD digits and the separator nibble D, which jPOS reads as '=' (SPEC.md §2); never quoted
                String why = Track2.problem((String) c.getValue());
                if (why != null) {
                    throw new MessageFormatException(name(i) + " at offset " + (baseOffset + off) + " is not a track 2: "
                            + why, baseOffset + off, i, null);
                }
            } else if (isNumeric(fp)) {
                String v = (String) c.getValue();
                for (int k = 0; k < v.length(); k++) {
                    char d = v.charAt(k);
                    if (d < '0' || d > '9') { // unpacked nibbles: 0-9 or a letter, never another script's digit
                        throw new MessageFormatException(name(i) + " at offset " + (baseOffset + off)
                                + " holds a non-BCD digit ('" + v.charAt(k) + "' at digit " + (k + 1) + ")",
                                baseOffset + off, i, null);
                    }
                }
            }
            if (i == 0 && !(c.getValue() instanceof String)) {
                throw new MessageFormatException("MTI at offset " + (baseOffset + off) + " is unreadable",
                        baseOffset + off, 0, null);
            }
            if (i == 1 && !(c instanceof ISOBitMap)) {
                throw new MessageFormatException("bitmap at offset " + (baseOffset + off) + " is unreadable",
                        baseOffset + off, 1, null);
            }
            return consumed;
        } catch (MessageFormatException e) {
            throw e;
        } catch (ISOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new MessageFormatException(name(i) + " at offset " + (baseOffset + off) + " cannot be read ("
                    + (body.length - off) + " bytes left): " + why, baseOffset + off, i, e);
        }
    }

    /** How errors name a field; built only when there is an error to report. */
    private static String name(int i) {
        return i == 0 ? "MTI" : i == 1 ? "bitmap" : "field " + i + " (" + Iso87.fieldName(i) + ")";
    }

    private static boolean isNumeric(ISOFieldPackager fp) {
        return fp instanceof IFB_NUMERIC || fp instanceof IFB_LLNUM || fp instanceof IFB_LLLNUM;
    }
}
