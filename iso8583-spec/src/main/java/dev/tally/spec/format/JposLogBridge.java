package dev.tally.spec.format;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import dev.tally.spec.message.Field;
import org.jpos.iso.ISOMsg;
import org.jpos.util.LogEvent;
import org.jpos.util.LogListener;
import org.jpos.util.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards jPOS log events to SLF4J (jPOS 3.0.1 has no SLF4J bridge). Events tagged error/warn go to
 * WARN/ERROR, the rest to DEBUG. Every line goes through {@link Masking#scrub} first, so a PAN that a
 * jPOS dump would print is masked. Attach with {@link #logger(String)}.
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

    /** A copy of the event whose messages have card data masked and secrets removed. */
    private static LogEvent protect(LogEvent ev) {
        LogEvent copy = new LogEvent(ev.getTag());
        for (Object o : ev.getPayLoad()) {
            copy.addMessage(o instanceof ISOMsg m ? protect(m) : o);
        }
        return copy;
    }

    static ISOMsg protect(ISOMsg m) {
        ISOMsg c = (ISOMsg) m.clone();
        for (int i = 2; i <= c.getMaxField(); i++) {
            if (!c.hasField(i)) {
                continue;
            }
            switch (Field.sensitivityOf(i)) {
                case PAN -> c.set(i, Masking.pan(c.getString(i)));
                case SECRET, TLV -> c.set(i, "[hidden]");
                default -> { }
            }
        }
        return c;
    }
}
