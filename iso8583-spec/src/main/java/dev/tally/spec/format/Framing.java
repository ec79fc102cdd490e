package dev.tally.spec.format;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * NAC framing as jPOS {@code NACChannel} writes it: a 2-byte binary length (network order), a 5-byte
 * TPDU, then the message body. The decoder accepts a body with or without either part.
 */
public final class Framing {

    /** TPDU id 0x60, destination NII 0001, source 0000. */
    public static final byte[] DEFAULT_TPDU = {0x60, 0x00, 0x01, 0x00, 0x00};
    public static final int TPDU_ID = 0x60;

    /** What was found around the body. */
    public record Frame(boolean hadLengthHeader, byte[] tpdu, byte[] body, int bodyOffset) {
        public String tpduHex() {
            return tpdu == null ? null : HexFormat.of().withUpperCase().formatHex(tpdu);
        }
    }

    private Framing() {
    }

    /** Length header + TPDU + body, as sent on the wire. */
    public static byte[] frame(byte[] body, byte[] tpdu) {
        int len = body.length + (tpdu == null ? 0 : tpdu.length);
        if (len > 0xFFFF) {
            throw new MessageFormatException("message of " + len + " bytes does not fit a 2-byte length header", null);
        }
        byte[] out = new byte[2 + len];
        out[0] = (byte) (len >> 8);
        out[1] = (byte) len;
        int off = 2;
        if (tpdu != null) {
            System.arraycopy(tpdu, 0, out, off, tpdu.length);
            off += tpdu.length;
        }
        System.arraycopy(body, 0, out, off, body.length);
        return out;
    }

    /**
     * Finds the body. A leading 2-byte length is recognised when it equals the bytes that follow, or when
     * a TPDU (0x60) follows it; in the second case a length that does not match is an error that says so.
     * An MTI in BCD never starts with 0x60, so a TPDU at offset 0 is unambiguous; a 0x60 after two bytes may also be
     * a bare body's bitmap ({@link #couldBeBareBody}), which {@link MessageDecoder#decode} tries as well.
     */
    public static Frame split(byte[] raw) {
        if (raw == null || raw.length == 0) {
            throw new MessageFormatException("empty input: no message bytes", 0, 0, null);
        }
        int off = 0;
        boolean hadLength = false;
        if (raw.length >= 2) {
            int declared = ((raw[0] & 0xFF) << 8) | (raw[1] & 0xFF);
            boolean tpduFollows = raw.length > 2 && (raw[2] & 0xFF) == TPDU_ID;
            if (declared == raw.length - 2) {
                hadLength = true;
                off = 2;
            } else if (tpduFollows) {
                throw new MessageFormatException("length header at offset 0 says " + declared + " bytes but "
                        + (raw.length - 2) + " follow", 0, -1, null);
            }
        }
        byte[] tpdu = null;
        if (raw.length > off && (raw[off] & 0xFF) == TPDU_ID) {
            if (raw.length < off + 5) {
                throw new MessageFormatException("TPDU at offset " + off + " is cut short: " + (raw.length - off)
                        + " of 5 bytes", off, -1, null);
            }
            tpdu = Arrays.copyOfRange(raw, off, off + 5);
            off += 5;
        }
        return new Frame(hadLength, tpdu, Arrays.copyOfRange(raw, off, raw.length), off);
    }

    /** The whole of {@code raw} as a body: no length header, no TPDU. */
    public static Frame bare(byte[] raw) {
        return new Frame(false, null, raw.clone(), 0);
    }

    /**
     * Whether {@code raw} may also be a bare body where {@link #split} takes a length header: its first two bytes are
     * then an MTI, which equals the bytes that follow by chance (0100 and 258 bytes) or is followed by a bitmap whose
     * first byte is 0x60 (fields 2 and 3, no secondary bitmap), which {@link #split} takes for a TPDU. Two bytes that
     * are not four BCD digits are no MTI, and a TPDU at offset 0 is unambiguous: no MTI starts with 0x60.
     */
    public static boolean couldBeBareBody(byte[] raw) {
        if (raw == null || raw.length < 2 || (raw[0] & 0xFF) == TPDU_ID || !bcd(raw[0]) || !bcd(raw[1])) {
            return false;
        }
        int declared = ((raw[0] & 0xFF) << 8) | (raw[1] & 0xFF);
        return declared == raw.length - 2 || (raw.length > 2 && (raw[2] & 0xFF) == TPDU_ID);
    }

    private static boolean bcd(byte b) {
        return (b & 0xF0) <= 0x90 && (b & 0x0F) <= 0x09;
    }

    /**
     * Hex text to bytes; white space (spaces, tabs, line breaks) and a leading "0x" are ignored. An odd
     * number of digits or a character that is not hex is an error naming its position.
     */
    public static byte[] parseHex(String text) {
        if (text == null) {
            throw new MessageFormatException("no hex input", null);
        }
        String t = text.strip();
        if (t.startsWith("0x") || t.startsWith("0X")) {
            t = t.substring(2);
        }
        // one pass, straight into bytes (decode throughput, docs/BENCHMARKS.md section 5); hex digits are ASCII
        // only: a full-width or other script's digit is refused here, by position, like any other character
        byte[] out = new byte[t.length() / 2 + 1];
        int digits = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (Character.isWhitespace(c)) {
                continue;
            }
            if (!HexFormat.isHexDigit(c)) { // ASCII 0-9, A-F, a-f only
                throw new MessageFormatException("character '" + c + "' at position " + i
                        + " of the input is not a hex digit", -1, -1, null);
            }
            int v = HexFormat.fromHexDigit(c);
            if ((digits & 1) == 0) {
                out[digits >> 1] = (byte) (v << 4);
            } else {
                out[digits >> 1] |= (byte) v;
            }
            digits++;
        }
        if (digits % 2 != 0) {
            throw new MessageFormatException("odd number of hex digits (" + digits
                    + "): the last byte is cut in half", -1, -1, null);
        }
        return Arrays.copyOf(out, digits / 2);
    }
}
