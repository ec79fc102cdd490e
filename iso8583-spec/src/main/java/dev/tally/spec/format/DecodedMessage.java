package dev.tally.spec.format;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jpos.iso.ISOMsg;

/**
 * A message decoded for a person: every field by number and name, with card data already masked.
 * The unmasked {@link ISOMsg} is available to code through {@link #message()} and never printed.
 */
public final class DecodedMessage {

    /** One EMV tag of field 55, masked. */
    public record TlvItem(String tag, String name, String value) {
    }

    /** One field: number, dialect name, Tally's name (or null), and the value as it may be shown. */
    public record DecodedField(int number, String name, String tallyName, String value, List<TlvItem> tags) {
    }

    /**
     * Where a message decoded from a log was logged: the time (UTC ISO-8601; a jPOS log's zone-less {@code at} as
     * written, with {@code atNote} saying so), the direction and event as the log says them, the peer (a jPOS log's
     * realm) and terminal id, and the line of the input; null where the log has none.
     */
    public record Logged(String at, String atNote, String direction, String event, String peer, String terminalId,
                         Integer line) {

        public Logged {
            // a log handed to support may be anyone's: what it says of itself is shown scrubbed as free text
            at = Masking.scrubFreeText(at);
            direction = Masking.scrubFreeText(direction);
            event = Masking.scrubFreeText(event);
            peer = Masking.scrubFreeText(peer);
            terminalId = Masking.scrubFreeText(terminalId);
        }

        /** One line: "2026-11-22T10:41:07.101Z  OUT  REQUEST  peer 127.0.0.1:8583  terminal TALLY001  (line 3)". */
        String render() {
            StringBuilder sb = new StringBuilder();
            sb.append(at == null ? "time not logged" : at);
            if (atNote != null) {
                sb.append(" (").append(atNote).append(')');
            }
            if (direction != null) {
                sb.append("  ").append(direction);
            }
            if (event != null) {
                sb.append("  ").append(event);
            }
            if (peer != null) {
                sb.append("  peer ").append(peer);
            }
            if (terminalId != null) {
                sb.append("  terminal ").append(terminalId);
            }
            if (line != null) {
                sb.append("  (line ").append(line).append(')');
            }
            return sb.toString();
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", at);
            m.put("atNote", atNote);
            m.put("direction", direction);
            m.put("event", event);
            m.put("peer", peer);
            m.put("terminalId", terminalId);
            m.put("line", line);
            m.values().removeIf(java.util.Objects::isNull);
            return m;
        }
    }

    private final Logged logged;
    private final String framing;
    private final String tpdu;
    private final String mti;
    private final String messageType;
    private final String bitmap;
    private final List<DecodedField> fields;
    private final ISOMsg message;

    DecodedMessage(String framing, String tpdu, String mti, String messageType, String bitmap,
                   List<DecodedField> fields, ISOMsg message) {
        this(null, framing, tpdu, mti, messageType, bitmap, fields, message);
    }

    private DecodedMessage(Logged logged, String framing, String tpdu, String mti, String messageType, String bitmap,
                           List<DecodedField> fields, ISOMsg message) {
        this.logged = logged;
        this.framing = framing;
        this.tpdu = tpdu;
        this.mti = mti;
        this.messageType = messageType;
        this.bitmap = bitmap;
        this.fields = List.copyOf(fields);
        this.message = message;
    }

    /** This message as read from a log, with when, which way, what and from whom it was logged. */
    public DecodedMessage logged(Logged how) {
        return new DecodedMessage(how, framing, tpdu, mti, messageType, bitmap, fields, message);
    }

    /** Where it was logged; null for a message given as hex. */
    public Logged logged() {
        return logged;
    }

    public String framing() {
        return framing;
    }

    public String tpdu() {
        return tpdu;
    }

    public String mti() {
        return mti;
    }

    /** the catalogue's message type, e.g. "SALE request", or "unknown" */
    public String messageType() {
        return messageType;
    }

    public String bitmap() {
        return bitmap;
    }

    public List<DecodedField> fields() {
        return fields;
    }

    /** The unmasked message, for code (replay, validation). Never print it. */
    public ISOMsg message() {
        return (ISOMsg) message.clone();
    }

    /** A JSON-ready view (maps, lists, strings), masked. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (logged != null) {
            m.put("logged", logged.toMap());
        }
        m.put("framing", framing);
        if (tpdu != null) {
            m.put("tpdu", tpdu);
        }
        m.put("mti", mti);
        m.put("messageType", messageType);
        m.put("bitmap", bitmap);
        List<Map<String, Object>> fs = new ArrayList<>();
        for (DecodedField f : fields) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("field", f.number());
            fm.put("name", f.name());
            if (f.tallyName() != null) {
                fm.put("tallyName", f.tallyName());
            }
            fm.put("value", f.value());
            if (!f.tags().isEmpty()) {
                List<Map<String, Object>> ts = new ArrayList<>();
                for (TlvItem t : f.tags()) {
                    ts.add(Map.of("tag", t.tag(), "name", t.name(), "value", t.value()));
                }
                fm.put("tags", ts);
            }
            fs.add(fm);
        }
        m.put("fields", fs);
        return m;
    }

    /** The field-by-field dump a person reads. */
    public String render() {
        // sized for the lines below (about 50 characters before each value) so it is not regrown as it fills
        int size = 120 + framing.length() + bitmap.length();
        for (DecodedField f : fields) {
            size += 56 + f.value().length() + 60 * f.tags().size();
        }
        StringBuilder sb = new StringBuilder(size);
        if (logged != null) {
            sb.append("logged   ").append(logged.render()).append('\n');
        }
        sb.append("framing  ").append(framing);
        if (tpdu != null) {
            sb.append("  TPDU ").append(tpdu);
        }
        sb.append('\n');
        sb.append("MTI      ").append(mti).append("  (").append(messageType).append(")\n");
        sb.append("bitmap   ").append(bitmap).append('\n');
        // the same layout as "  %3d  %-40s %s%n" and "         %-6s %-33s %s%n", without Formatter (decode
        // throughput, docs/BENCHMARKS.md section 5)
        String nl = System.lineSeparator();
        for (DecodedField f : fields) {
            sb.append("  ");
            pad(sb, String.valueOf(f.number()), 3, true);
            sb.append("  ");
            pad(sb, truncate(f.name(), 40), 40, false);
            sb.append(' ').append(f.value()).append(nl);
            for (TlvItem t : f.tags()) {
                sb.append("         ");
                pad(sb, t.tag(), 6, false);
                sb.append(' ');
                pad(sb, truncate(t.name(), 33), 33, false);
                sb.append(' ').append(t.value()).append(nl);
            }
        }
        return sb.toString();
    }

    private static void pad(StringBuilder sb, String s, int width, boolean right) {
        if (right) {
            sb.repeat(' ', Math.max(0, width - s.length())).append(s);
        } else {
            sb.append(s).repeat(' ', Math.max(0, width - s.length()));
        }
    }

    @Override
    public String toString() {
        return render();
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
