package dev.tally.spec.format;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whatever support staff paste or point at, as decoded messages: plain hex (spaces and line breaks
 * allowed, with or without the length header and TPDU), several hex dumps separated by blank lines,
 * jPOS {@code hexdump} lines ({@code 0000  02 00 72 3C ...  ascii}), message-log lines (JSON), or a
 * jPOS XML log. Errors name the dump and, for bytes, the offset and field.
 */
public final class DumpReader {

    private static final Pattern HEXDUMP_LINE = Pattern.compile("^\\s*[0-9A-Fa-f]{4,8}[:]?\\s+((?:[0-9A-Fa-f]{2}\\s{1,2}){1,16}).*$");

    private DumpReader() {
    }

    public static List<DecodedMessage> decodeAll(String text) {
        if (text == null || text.isBlank()) {
            throw new MessageFormatException("no input: give hex, a message-log line or a jPOS XML log", null);
        }
        List<DecodedMessage> out = new ArrayList<>();
        if (JposXmlLog.looksLikeXml(text)) {
            for (JposXmlLog.LoggedMessage m : JposXmlLog.read(text)) {
                out.add(MessageDecoder.describe(m.message()));
            }
            return out;
        }
        if (text.stripLeading().startsWith("{")) {
            int n = 0;
            for (String line : text.split("\\R")) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    MessageLog.Entry e = MessageLog.parse(line);
                    if (e.mti() != null) {
                        out.add(MessageDecoder.describe(e.toMessage()));
                    }
                } catch (IllegalArgumentException e) {
                    throw new MessageFormatException("line " + n + ": " + e.getMessage(), e);
                }
            }
            if (out.isEmpty()) {
                throw new MessageFormatException("the message-log lines hold no message (only events)", null);
            }
            return out;
        }
        int dump = 0;
        for (String block : text.strip().split("\\R\\s*\\R")) {
            dump++;
            try {
                out.add(MessageDecoder.decode(Framing.parseHex(hexOf(block))));
            } catch (MessageFormatException e) {
                throw new MessageFormatException("dump " + dump + ": " + e.getMessage(), e.offset(), e.field(), e);
            }
        }
        return out;
    }

    /** The hex digits of a block: jPOS hexdump lines lose their offset and ASCII columns. */
    static String hexOf(String block) {
        String[] lines = block.split("\\R");
        boolean hexdump = lines.length > 0 && HEXDUMP_LINE.matcher(lines[0]).matches()
                && lines[0].strip().matches("^[0-9A-Fa-f]{4,8}[:]?\\s{2}.*");
        if (!hexdump) {
            return block;
        }
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            Matcher m = HEXDUMP_LINE.matcher(line);
            if (m.matches()) {
                sb.append(m.group(1)).append(' ');
            }
        }
        return sb.toString();
    }
}
