package dev.tally.spec.format;

import java.util.Arrays;
import java.util.BitSet;
import org.jpos.iso.ISOBitMap;
import org.jpos.iso.ISOComponent;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOPackager;

/**
 * A jPOS message that remembers its wire image — the body as it was received, or as it was packed when its
 * MAC was computed — for as long as its content stays the same, so a message is packed once: the MAC of a
 * received message is checked over the bytes that came in (which is what the sender MACed), and an answer
 * MACed just before it leaves is not packed a second time by the channel.
 *
 * <p>In jPOS every change of a message's content goes through {@link #set(ISOComponent)} or
 * {@link #unset(int)} (the only {@code ISOMsg} methods that touch its fields; {@code set(int, String)},
 * {@code setMTI}, {@code recalcBitMap} and the rest call them), and both drop the image. A clone keeps it (the
 * same content) until the clone is changed. The image is used only with the packager it was made with.
 */
public class WireMsg extends ISOMsg {

    private byte[] image;
    private ISOPackager imagePackager;

    public WireMsg() {
    }

    /**
     * A WireMsg with a deep copy of {@code source}'s fields, packager and header, so a message built or parsed
     * as a plain {@code ISOMsg} can be MACed and sent packing once. No image yet, unless {@code source} is a
     * WireMsg: then it is its {@link #clone() clone} (one copy of the field map, not two; a replay copies every
     * request it sends), with the image of the same content.
     */
    public static WireMsg copyOf(ISOMsg source) {
        if (source instanceof WireMsg wire) {
            return (WireMsg) wire.clone();
        }
        WireMsg copy = new WireMsg();
        copy.setPackager(source.getPackager());
        if (source.getHeader() != null) {
            copy.setHeader(source.getHeader().clone());
        }
        copy.merge((ISOMsg) source.clone());
        return copy;
    }

    /** The body this message packs to now, when known; null otherwise. A copy. */
    public byte[] image() {
        return imageWithoutLast(0);
    }

    /** {@link #image()} without its last {@code n} bytes (a MAC's input: the body less the MAC field). A copy. */
    public byte[] imageWithoutLast(int n) {
        byte[] known = image;
        return known == null || getPackager() != imagePackager ? null : Arrays.copyOf(known, known.length - n);
    }

    /** Records {@code body} as this message's wire image, made with its current packager. */
    public void remember(byte[] body) {
        image = body.clone();
        imagePackager = getPackager();
    }

    @Override
    public void set(ISOComponent c) throws ISOException {
        image = null;
        super.set(c);
    }

    @Override
    public void unset(int fldno) {
        image = null;
        super.unset(fldno);
    }

    /**
     * jPOS's bitmap, built from the fields present: {@code ISOMsg.recalcBitMap} looks every number from 1 to
     * the highest field up in the field map (64 lookups for a MACed message), this visits the twenty or so
     * fields there are. Same bitmap, same size.
     */
    @Override
    public void recalcBitMap() throws ISOException {
        if (!dirty) {
            return;
        }
        int mf = Math.min(getMaxField(), 192);
        BitSet bmap = new BitSet(((mf + 62) >> 6) << 6);
        for (Integer f : fields.keySet()) {
            if (f >= 1 && f <= mf) {
                bmap.set(f);
            }
        }
        set(new ISOBitMap(-1, bmap));
        dirty = false;
    }

    @Override
    public byte[] pack() throws ISOException {
        byte[] known = image();
        return known != null ? known : super.pack();
    }
}
