package dev.tally.spec.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second ISO 8583 implementation, written from SPEC.md §1–§2 alone without jPOS: BCD numerics,
 * binary bitmap(s), LL/LLL prefixes in BCD, ASCII characters. The interop test checks that the Tally
 * decoder reads what it writes, byte for byte the same as jPOS writes it. Shared with the other modules'
 * tests through this module's test-jar.
 */
public final class IndependentEncoder {

    public enum Kind { N, LLNUM, CHAR, LLLCHAR, BINARY, LLLBINARY }

    /** SPEC.md §2, "Fields Tally uses": format and length. */
    public static final Map<Integer, Object[]> FORMATS = Map.ofEntries(
            Map.entry(2, new Object[]{Kind.LLNUM, 19}), Map.entry(3, new Object[]{Kind.N, 6}),
            Map.entry(4, new Object[]{Kind.N, 12}), Map.entry(7, new Object[]{Kind.N, 10}),
            Map.entry(11, new Object[]{Kind.N, 6}), Map.entry(12, new Object[]{Kind.N, 6}),
            Map.entry(13, new Object[]{Kind.N, 4}), Map.entry(14, new Object[]{Kind.N, 4}),
            Map.entry(22, new Object[]{Kind.N, 3}), Map.entry(24, new Object[]{Kind.N, 3}),
            Map.entry(25, new Object[]{Kind.N, 2}), Map.entry(35, new Object[]{Kind.LLNUM, 37}),
            Map.entry(37, new Object[]{Kind.CHAR, 12}),
            Map.entry(38, new Object[]{Kind.CHAR, 6}), Map.entry(39, new Object[]{Kind.CHAR, 2}),
            Map.entry(41, new Object[]{Kind.CHAR, 8}), Map.entry(42, new Object[]{Kind.CHAR, 15}),
            Map.entry(48, new Object[]{Kind.LLLCHAR, 999}), Map.entry(49, new Object[]{Kind.CHAR, 3}),
            Map.entry(52, new Object[]{Kind.BINARY, 8}), Map.entry(54, new Object[]{Kind.LLLCHAR, 120}),
            Map.entry(55, new Object[]{Kind.LLLBINARY, 999}), Map.entry(60, new Object[]{Kind.LLLCHAR, 999}),
            Map.entry(61, new Object[]{Kind.LLLCHAR, 999}), Map.entry(62, new Object[]{Kind.LLLCHAR, 999}),
            Map.entry(63, new Object[]{Kind.LLLCHAR, 999}), Map.entry(64, new Object[]{Kind.BINARY, 8}),
            Map.entry(70, new Object[]{Kind.N, 3}), Map.entry(90, new Object[]{Kind.N, 42}),
            Map.entry(128, new Object[]{Kind.BINARY, 8}));

    private final String mti;
    private final TreeMap<Integer, Object> fields = new TreeMap<>();

    public IndependentEncoder(String mti) {
        this.mti = mti;
    }

    public IndependentEncoder set(int field, Object value) {
        fields.put(field, value);
        return this;
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        bcd(out, mti, 4);
        boolean secondary = fields.lastKey() > 64;
        byte[] bitmap = new byte[secondary ? 16 : 8];
        if (secondary) {
            bitmap[0] |= (byte) 0x80;
        }
        for (int f : fields.keySet()) {
            bitmap[(f - 1) / 8] |= (byte) (0x80 >> ((f - 1) % 8));
        }
        out.writeBytes(bitmap);
        for (Map.Entry<Integer, Object> e : fields.entrySet()) {
            Object[] fmt = FORMATS.get(e.getKey());
            Kind kind = (Kind) fmt[0];
            int len = (Integer) fmt[1];
            switch (kind) {
                case N -> bcd(out, (String) e.getValue(), len);
                case LLNUM -> {
                    String v = (String) e.getValue();
                    bcd(out, String.valueOf(v.length()), 2);
                    // odd digit count: right-padded with a 0 nibble
                    bcdRightPadded(out, v);
                }
                case CHAR -> out.writeBytes(((String) e.getValue()).getBytes(StandardCharsets.US_ASCII));
                case LLLCHAR -> {
                    byte[] v = ((String) e.getValue()).getBytes(StandardCharsets.US_ASCII);
                    bcd(out, String.valueOf(v.length), 4);
                    out.writeBytes(v);
                }
                case BINARY -> out.writeBytes((byte[]) e.getValue());
                case LLLBINARY -> {
                    byte[] v = (byte[]) e.getValue();
                    bcd(out, String.valueOf(v.length), 4);
                    out.writeBytes(v);
                }
            }
        }
        return out.toByteArray();
    }

    /** Left-padded with zeros to {@code digits}, then packed two digits per byte (an odd count gets a leading 0). */
    private static void bcd(ByteArrayOutputStream out, String value, int digits) {
        String v = "0".repeat(Math.max(0, digits - value.length())) + value;
        if (v.length() % 2 == 1) {
            v = "0" + v;
        }
        for (int i = 0; i < v.length(); i += 2) {
            out.write(((v.charAt(i) - '0') << 4) | (v.charAt(i + 1) - '0'));
        }
    }

    /** A digit or, in a track 2 (field 35), the separator written 'D' or '=': the nibble D on the wire. */
    private static void bcdRightPadded(ByteArrayOutputStream out, String v) {
        String p = v.length() % 2 == 1 ? v + "0" : v;
        for (int i = 0; i < p.length(); i += 2) {
            out.write((nibble(p.charAt(i)) << 4) | nibble(p.charAt(i + 1)));
        }
    }

    private static int nibble(char c) {
        return c == 'D' || c == '=' ? 0xD : c - '0';
    }
}
