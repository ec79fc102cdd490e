package dev.tally.spec.format;

import dev.tally.spec.message.Field;
import dev.tally.spec.message.OrderReference;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOField;
import org.jpos.iso.ISOMsg;
import org.jpos.util.LogEvent;
import org.jpos.util.LogListener;
import org.jpos.util.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards jPOS log events to SLF4J (jPOS 3.0.1 has no SLF4J bridge). Events tagged error/warn go to
 * WARN/ERROR, the rest to DEBUG. Only two kinds of payload pass: messages, with card data masked and
 * secrets removed, and plain text, through {@link Masking#scrub}. Raw bytes never do: when a frame does
 * not unpack, jPOS's {@code BaseChannel.receive} adds "--- header ---" / "--- data ---" and a hexdump of
 * the bytes, where a PAN is spaced hex ({@code 47 61 73 90 ...}) that no scrubbing sees; such payloads
 * (hexdumps, hex strings, byte arrays, and text or exceptions holding them) are logged as
 * {@value #RAW_WITHHELD}. Attach with {@link #logger(String)}.
 */
public final class JposLogBridge implements LogListener {

    private final org.slf4j.Logger log;

    public JposLogBridge(String slf4jName) {
        this.log = LoggerFactory.getLogger(slf4jName);
    }

    /** A jPOS {@link Logger} whose only listener is this bridge. */
    public static Logger logger(String slf4jName) {
        Logger logger = new Logger();
        logger.setName(slf4jName);
        logger.addListener(new JposLogBridge(slf4jName));
        return logger;
    }

    @Override
    public LogEvent log(LogEvent ev) {
        String tag = ev.getTag() == null ? "" : ev.getTag().toLowerCase(java.util.Locale.ROOT);
        boolean error = tag.contains("error") || tag.contains("exception");
        boolean warn = tag.contains("warn");
        if (error ? !log.isErrorEnabled() : warn ? !log.isWarnEnabled() : !log.isDebugEnabled()) {
            return ev;
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            protect(ev).dump(ps, "");
        }
        String text = Masking.scrub(buf.toString(StandardCharsets.UTF_8).strip());
        if (error) {
            log.error("{}", text);
        } else if (warn) {
            log.warn("{}", text);
        } else {
            log.debug("{}", text);
        }
        return ev;
    }

    /** What is logged instead of a secret field's value (PIN block, track 2, expiry, keys, field 55). */
    public static final String HIDDEN = "[hidden]";

    /** What is logged instead of raw bytes. */
    public static final String RAW_WITHHELD = "[raw bytes withheld]";

    /** jPOS's markers before a hexdump of the bytes it could not unpack (BaseChannel.receive). */
    private static final Set<String> RAW_MARKERS = Set.of("--- header ---", "--- data ---");

    /** A line of {@code ISOUtil.hexdump}: offset, then hex bytes ("0000  02 00 72 3C ..."). */
    private static final Pattern HEXDUMP_LINE = Pattern.compile("(?m)^\\s*[0-9A-Fa-f]{4}\\s+(?:[0-9A-Fa-f]{2}\\s+){3}");

    /**
     * A copy of the event that holds only messages with card data masked and secrets removed, and text
     * (or exceptions) that holds no raw bytes.
     */
    static LogEvent protect(LogEvent ev) {
        LogEvent copy = new LogEvent(ev.getTag());
        boolean rawFollows = false;
        for (Object o : ev.getPayLoad()) {
            Object safe;
            if (o instanceof ISOMsg m) {
                safe = protect(m);
            } else if (o instanceof byte[] || rawFollows) {
                safe = RAW_WITHHELD;
            } else if (o instanceof String text) {
                safe = holdsRawBytes(text) ? RAW_WITHHELD : text;
            } else if (o instanceof Throwable t) {
                // kept for its stack trace unless its text carries bytes (a parser that quotes its input)
                safe = holdsRawBytes(render(t)) ? t.getClass().getName() + ": " + RAW_WITHHELD : t;
            } else {
                // anything else is logged as the text it renders to, if that text holds no bytes
                String text = render(o);
                safe = holdsRawBytes(text) ? RAW_WITHHELD : text;
            }
            copy.addMessage(safe);
            rawFollows = o instanceof String marker && RAW_MARKERS.contains(marker.strip());
        }
        return copy;
    }

    /** Whether text shows bytes: a hexdump, or eight or more bytes as hex, spaced or not. */
    static boolean holdsRawBytes(String text) {
        return text != null && (HEXDUMP_LINE.matcher(text).find()
                || Masking.HEX_BYTES.matcher(text).find()); // eight or more bytes as hex, contiguous or in pairs
    }

    /** What jPOS's dump prints for one payload object. */
    private static String render(Object o) {
        LogEvent one = new LogEvent("");
        one.addMessage(o);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            one.dump(ps, "");
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    static ISOMsg protect(ISOMsg m) {
        ISOMsg c = (ISOMsg) m.clone();
        for (int i = 2; i <= c.getMaxField(); i++) {
            if (!c.hasField(i)) {
                continue;
            }
            switch (Field.sensitivityOf(i)) {
                case PAN -> c.set(i, Masking.pan(c.getString(i)));
                // an ISOField, not set(i, String): for a binary field (52 PIN block, 55, 61 keys) that decodes the
                // text as hex, and the log showed the same meaningless bytes (FFFDDEFF) whatever was sent
                case SECRET, TLV -> hide(c, i);
                case REFERENCE -> c.set(i, OrderReference.shown(c.getString(i))); // another terminal's may be a card number
                case UNDESCRIBED -> show(c, i, MessageDecoder.undescribed(c, i)); // a key or PIN block in hex: withheld
                // another system's key or PIN block in its field 48 or 60 (a text field of Tally's with bytes as hex)
                case CLEAR -> {
                    if (!(c.getComponent(i) instanceof org.jpos.iso.ISOBinaryField)
                            && MessageDecoder.holdsBytesAsHex(i, c.getString(i))) {
                        show(c, i, MessageDecoder.undescribed(c, i));
                    }
                }
            }
        }
        return c;
    }

    private static void hide(ISOMsg m, int field) {
        show(m, field, HIDDEN);
    }

    /** Puts {@code shown} in place of field {@code field}'s value, as text whatever the field's format. */
    private static void show(ISOMsg m, int field, String shown) {
        try {
            m.set(new ISOField(field, shown));
        } catch (ISOException e) { // only a composite at a field number it cannot hold throws; a plain field never does
            throw new IllegalStateException("cannot hide field " + field + " of a logged message", e);
        }
    }
}
