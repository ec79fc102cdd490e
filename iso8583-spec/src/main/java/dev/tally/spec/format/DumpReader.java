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

    /** A line break as {@code \R} matches it (what the message-log lines are split at). */
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");

    private static final Pattern HEXDUMP_LINE = Pattern.compile("^\\s*[0-9A-Fa-f]{4,8}[:]?\\s+((?:[0-9A-Fa-f]{2}\\s{1,2}){1,16}).*$");

    private DumpReader() {
    }

    public static List<DecodedMessage> decodeAll(String text) {
        return decodeAll(text, null, null);
    }

    /**
     * {@link #decodeAll(String)} of a file or a stream ({@code source} names it in errors and warnings; null: "line N"
     * alone). With {@code warnings}, message-log lines whose last line is cut short (the text does not end with a
     * line break after it: a log copied while it was written) have that line left out, said to {@code warnings}
     * ({@link MessageLog#leaveOutOrRefuse}); without, it is refused as any other line that is not a log entry.
     */
    public static List<DecodedMessage> decodeAll(String text, String source, java.util.function.Consumer<String> warnings) {
        if (text == null || text.isBlank()) {
            throw new MessageFormatException("no input: give hex, a message-log line or a jPOS XML log", null);
        }
        List<DecodedMessage> out = new ArrayList<>();
        if (JposXmlLog.looksLikeXml(text)) {
            for (JposXmlLog.LoggedMessage m : JposXmlLog.read(text)) {
                DecodedMessage d = MessageDecoder.describe(m.message());
                out.add(d.logged(jposLogged(m, d)));
            }
            return out;
        }
        if (looksLikeMessageLog(text)) {
            String[] lines = text.split("\\R");
            // the last line has no line break after it (split drops the empty strings after the last one)
            boolean ended = text.isEmpty() || LINE_BREAK.matcher(text.substring(text.length() - 1)).matches();
            String leftOut = null;
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                int n = i + 1;
                if (line.isBlank()) {
                    continue;
                }
                MessageLog.Entry e;
                try {
                    e = MessageLog.parse(line);
                } catch (IllegalArgumentException ex) {
                    try {
                        leftOut = MessageLog.leaveOutOrRefuse(source, n, warnings != null && i == lines.length - 1 && !ended, ex);
                    } catch (IllegalArgumentException refused) {
                        throw new MessageFormatException(refused.getMessage(), refused);
                    }
                    warnings.accept(leftOut);
                    continue;
                }
                try {
                    if (e.mti() != null) {
                        out.add(MessageDecoder.describe(e.toMessage()).logged(new DecodedMessage.Logged(
                                java.time.Instant.ofEpochMilli(e.ts()).toString(), null, e.dir() == null ? null : e.dir().name(),
                                e.event() == null ? null : e.event().name(), e.peer(), e.terminalId(), n)));
                    }
                } catch (IllegalArgumentException ex) {
                    throw new MessageFormatException((source == null ? "" : source + " ") + "line " + n + ": "
                            + ex.getMessage(), ex);
                }
            }
            if (out.isEmpty()) {
                throw new MessageFormatException("the message-log lines hold no message (only events"
                        + (leftOut == null ? "" : ", and a last line cut short") + ")", null);
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

    /** Whether {@link #decodeAll} reads {@code text} as message-log lines (JSON Lines). */
    public static boolean looksLikeMessageLog(String text) {
        return text.stripLeading().startsWith("{");
    }

    /**
     * Where a jPOS log says a message was logged. Its {@code at} in UTC ISO-8601 when it carries its zone or offset; a
     * local time without one (what many jPOS versions write) cannot be put in UTC here, so it is shown as written and
     * said to be the log's local time.
     */
    static DecodedMessage.Logged jposLogged(JposXmlLog.LoggedMessage m, DecodedMessage d) {
        String at = m.at() == null || m.at().isBlank() ? null : m.at().strip();
        String note = null;
        if (at != null) {
            try {
                at = java.time.OffsetDateTime.parse(at).toInstant().toString();
            } catch (java.time.format.DateTimeParseException e) {
                note = isLocalTime(at) ? "the log's local time: no zone written" : "as written";
            }
        }
        return new DecodedMessage.Logged(at, note, m.direction(), null, m.realm(), terminalId(d), null);
    }

    private static boolean isLocalTime(String at) {
        try {
            java.time.LocalDateTime.parse(at);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static String terminalId(DecodedMessage d) {
        return d.fields().stream().filter(f -> f.number() == 41).map(DecodedMessage.DecodedField::value).findFirst()
                .orElse(null);
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
