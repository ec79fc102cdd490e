package dev.tally.spec.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.jpos.iso.ISOBasePackager;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOFieldPackager;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.GenericPackager;

/**
 * The {@code iso87} dialect: ISO 8583:1987, binary bitmap, BCD numerics. The field definitions are the
 * project's own copy of jPOS {@code iso87binary.xml} ({@code dev/tally/spec/iso87.xml}); SPEC.md lists
 * every change. One packager instance is shared: jPOS packagers keep no per-message state.
 */
public final class Iso87 {

    public static final String RESOURCE = "/dev/tally/spec/iso87.xml";

    private static final GenericPackager PACKAGER = load();

    private Iso87() {
    }

    public static GenericPackager packager() {
        return PACKAGER;
    }

    /**
     * Packs a message (MTI, bitmap, fields; no length header, no TPDU). A message built by Tally is
     * packed as it is (jPOS only refreshes its bitmap); any other is packed through a copy.
     */
    public static byte[] pack(ISOMsg msg) {
        try {
            if (msg.getPackager() == PACKAGER && msg.getHeader() == null) {
                return msg.pack();
            }
            ISOMsg copy = (ISOMsg) msg.clone();
            copy.setPackager(PACKAGER);
            copy.setHeader((byte[]) null);
            return copy.pack();
        } catch (ISOException e) {
            throw new MessageFormatException("cannot pack " + describe(msg) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Unpacks a message body (no length header, no TPDU) strictly: see {@link MessageDecoder} for the
     * checks and the offset/field named in every error.
     */
    public static ISOMsg unpack(byte[] body) {
        return MessageDecoder.unpackStrict(body, 0);
    }

    /** The field's name in the dialect, e.g. "PROCESSING CODE"; "UNDEFINED" when the dialect has none. */
    public static String fieldName(int field) {
        ISOFieldPackager fp = fieldPackager(field);
        return fp == null ? "UNDEFINED" : fp.getDescription();
    }

    public static ISOFieldPackager fieldPackager(int field) {
        if (field < 0 || field > 128) {
            return null;
        }
        return ((ISOBasePackager) PACKAGER).getFieldPackager(field);
    }

    private static String describe(ISOMsg msg) {
        try {
            return "message " + msg.getMTI();
        } catch (ISOException e) {
            return "message without MTI";
        }
    }

    private static GenericPackager load() {
        try (InputStream in = Iso87.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the classpath");
            }
            return new GenericPackager(in);
        } catch (ISOException e) {
            throw new IllegalStateException("the iso87 packager definition is invalid: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
