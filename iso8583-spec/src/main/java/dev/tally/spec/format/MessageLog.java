package dev.tally.spec.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.OrderReference;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jpos.iso.ISOMsg;

/**
 * The message log: every message in and out as one JSON line (JSON Lines), masked so it can be mailed
 * to support as it is. Fields are keyed by Tally name ({@code PAN}, {@code AMOUNT}, ...; {@code F<n>}
 * for fields Tally gives no name) with the value as the decoder shows it: PAN first 6 + last 4,
 * secrets (PIN block, track 2, keys, expiry) left out entirely. Rotated by size: the full file moves
 * to {@code FILE.1} (older ones to {@code .2} ... up to {@code keep}). Thread-safe.
 */
public final class MessageLog implements Closeable {

    /** Direction of a message, from the writer's side. */
    public enum Direction { IN, OUT }

    /** What happened: a message, or the absence of one. */
    public enum Event { REQUEST, RESPONSE, LATE_RESPONSE, DUPLICATE_RESPONSE, TIMEOUT, GARBAGE, DISCONNECTED }

    /** One line of the log. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(long ts, Direction dir, String peer, String terminalId, String orderRef, String mti,
                        String stan, String messageId, Event event, String responseCode, Long latencyMs,
                        Map<String, String> fields, String note) {

        /**
         * The message rebuilt from the logged fields, still masked (the PAN is first 6 + last 4); the
         * secrets that were never logged (PIN block, expiry, track 2, keys) and field 55 are absent.
         * A field name or value that cannot belong to an iso87 message is an error naming it.
         */
        public ISOMsg toMessage() {
            if (mti == null || fields == null) {
                throw new IllegalArgumentException("log entry " + messageId + " (" + event + ") holds no message");
            }
            ISOMsg m = new WireMsg(); // a replay copies it for every send: WireMsg.copyOf clones a WireMsg once
            m.setPackager(Iso87.packager());
            m.set(0, mti);
            for (Map.Entry<String, String> f : fields.entrySet()) {
                int number = fieldNumber(f.getKey());
                if (number == Field.ICC_DATA.number()) {
                    continue;
                }
                org.jpos.iso.ISOFieldPackager fp = Iso87.fieldPackager(number);
                if (fp == null) {
                    throw new IllegalArgumentException("log entry " + messageId + ": field " + f.getKey()
                            + " is not defined in the iso87 dialect");
                }
                if (fp instanceof org.jpos.iso.IFB_BINARY || fp instanceof org.jpos.iso.IFB_LLLBINARY) {
                    if (f.getValue().indexOf('*') >= 0) {
                        // its hex read as a card number and was logged masked (a MAC does, about one in 20,000):
                        // left out, as the secrets never logged are (a replay makes its own MAC)
                        continue;
                    }
                    try {
                        m.set(number, java.util.HexFormat.of().parseHex(f.getValue()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("log entry " + messageId + ": field " + f.getKey()
                                + " is not hex", e);
                    }
                } else {
                    m.set(number, f.getValue());
                }
            }
            return m;
        }

        /**
         * This entry with its fields keyed as the log keys them now. A log written before a field had a Tally name
         * keyed it {@code F} and its number (field 128, the secondary MAC, was {@code F128}): read as it was, a replay
         * comparing it with a new answer would take them for two fields.
         */
        Entry withCurrentKeys() {
            if (fields == null) {
                return this;
            }
            boolean any = false;
            for (String k : fields.keySet()) {
                any |= renamed(k);
            }
            if (!any) {
                return this;
            }
            Map<String, String> current = new LinkedHashMap<>(fields.size() * 2);
            fields.forEach((k, v) -> current.put(renamed(k) ? Field.byNumber(Field.numberOfKey(k)).name() : k, v));
            return new Entry(ts, dir, peer, terminalId, orderRef, mti, stan, messageId, event, responseCode, latencyMs,
                    current, note);
        }

        /** Whether {@code key} is the {@code F<n>} of a field that has a Tally name now. */
        private static boolean renamed(String key) {
            if (key.isEmpty() || key.charAt(0) != 'F') {
                return false;
            }
            Field named = Field.byNumber(Field.numberOfKey(key));
            return named != null && !named.name().equals(key);
        }

        private int fieldNumber(String key) {
            int number = Field.numberOfKey(key);
            if (number < 0) {
                throw new IllegalArgumentException("log entry " + messageId + ": unknown field name '" + key + "'");
            }
            return number;
        }
    }

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The mode of a message log file made here: owner read and write only. */
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final Clock clock;
    private OutputStream out;
    /** The identity (device, inode) of the file {@link #out} writes: a file the path names now but another is new. */
    private Object openedKey;
    private boolean closed;
    private long size;
    /** The line being written, reused: a log line is built under the lock, then appended. */
    private final ByteArrayBuilder line = new ByteArrayBuilder(1024);

    /**
     * @param file     where to write; parent folders are created
     * @param maxBytes rotate when the file would grow past this
     * @param keep     how many rotated files to keep
     */
    public MessageLog(Path file, long maxBytes, int keep, Clock clock) {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("message log size limit must be at least 1024 bytes, got " + maxBytes);
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = Math.max(1, keep);
        this.clock = clock;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            this.size = Files.exists(file) ? Files.size(file) : 0;
            this.out = open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the message log " + file + ": " + Utf8File.reason(file, e), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Logs a message sent or received. {@code latencyMs} is null for requests. */
    public void message(Direction dir, String peer, ISOMsg msg, String messageId, Event event, Long latencyMs) {
        String mti = msg.getString(0);
        Map<String, String> fields = maskedFields(msg);
        write(new Entry(clock.millis(), dir, peer, msg.getString(Field.TERMINAL_ID.number()),
                fields.get(Field.ORDER_REFERENCE.name()), mti, msg.getString(Field.STAN.number()), messageId, // as shown
                event, mti != null && dev.tally.spec.message.MessageCatalogue.isResponseMti(mti)
                        ? msg.getString(Field.RESPONSE_CODE.number()) : null,
                latencyMs, fields, null));
    }

    /** Logs something that is not a message: a timeout, garbage, a dropped connection. */
    public void event(Direction dir, String peer, String terminalId, String orderRef, String stan, String messageId,
                      Event event, Long latencyMs, String note) {
        write(new Entry(clock.millis(), dir, peer, terminalId, OrderReference.shown(orderRef), null, stan, messageId, event, null,
                latencyMs, null, note == null ? null : Masking.scrub(note)));
    }

    /** The fields as they may be shown, keyed by Tally name; secrets are left out. */
    public static Map<String, String> maskedFields(ISOMsg msg) {
        Map<String, String> fields = new LinkedHashMap<>(64);
        // the fields present, in number order (a copy of jPOS's sorted field map), rather than a probe per number
        for (Object k : msg.getChildren().keySet()) {
            int i = (Integer) k;
            if (i < 2 || Field.sensitivityOf(i) == Field.Sensitivity.SECRET) {
                continue;
            }
            DecodedMessage.DecodedField f = MessageDecoder.field(msg, i);
            String key = f.tallyName() != null ? f.tallyName() : "F" + f.number();
            if (!f.tags().isEmpty()) {
                StringBuilder tags = new StringBuilder();
                for (DecodedMessage.TlvItem t : f.tags()) {
                    tags.append(tags.isEmpty() ? "" : " ").append(t.tag()).append('=').append(t.value());
                }
                fields.put(key, tags.toString());
            } else {
                fields.put(key, f.value());
            }
        }
        return fields;
    }

    private synchronized void write(Entry e) {
        try {
            line.reset();
            try (JsonGenerator g = JSON.getFactory().createGenerator(line)) {
                json(g, e);
            }
            line.append('\n');
            byte[] bytes = line.toByteArray();
            if (closed) {
                throw new IOException("the message log is closed");
            }
            Object atPath = FileIdentity.of(file);
            if (out == null || atPath == null || !atPath.equals(openedKey)) {
                // moved away by an operator (archived, or renamed and made anew as logrotate does), or a write failed
                // before: the file at the path now. Without this the process wrote on into the moved file, and after
                // a failure never again (one stat per line)
                reopen();
            }
            if (size > 0 && size + bytes.length > maxBytes) {
                rotate();
            }
            out.write(bytes);
            out.flush();
            size += bytes.length;
        } catch (IOException ex) {
            closeQuietly(); // the next line opens the file again
            throw new UncheckedIOException("cannot write the message log " + file + ": " + ex.getMessage(), ex);
        }
    }

    private void reopen() throws IOException {
        closeQuietly();
        size = Files.exists(file) ? Files.size(file) : 0;
        out = open();
        if (size > 0 && !endsWithNewline()) {
            // a line cut short by the failure that brought us here: ended, so the next one reads as a line of its own
            out.write('\n');
            size++;
        }
    }

    private boolean endsWithNewline() throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            return ch.read(last, ch.size() - 1) == 1 && last.get(0) == '\n';
        }
    }


    private void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // what it held is lost either way; the caller reports the failure that brought it here
            }
            out = null;
        }
    }

    /**
     * {@code e} as Jackson's data binding writes the record (same fields, order and null handling: {@link
     * MessageLogTest} compares the two), through the streaming generator: no reflection per line.
     */
    static void json(JsonGenerator g, Entry e) throws IOException {
        g.writeStartObject();
        g.writeNumberField("ts", e.ts());
        stringField(g, "dir", e.dir() == null ? null : e.dir().name());
        stringField(g, "peer", e.peer());
        stringField(g, "terminalId", e.terminalId());
        stringField(g, "orderRef", e.orderRef());
        stringField(g, "mti", e.mti());
        stringField(g, "stan", e.stan());
        stringField(g, "messageId", e.messageId());
        stringField(g, "event", e.event() == null ? null : e.event().name());
        stringField(g, "responseCode", e.responseCode());
        if (e.latencyMs() != null) {
            g.writeNumberField("latencyMs", e.latencyMs());
        }
        if (e.fields() != null) {
            g.writeObjectFieldStart("fields");
            for (Map.Entry<String, String> f : e.fields().entrySet()) {
                if (f.getValue() == null) {
                    g.writeNullField(f.getKey());
                } else {
                    g.writeStringField(f.getKey(), f.getValue());
                }
            }
            g.writeEndObject();
        }
        stringField(g, "note", e.note());
        g.writeEndObject();
    }

    private static void stringField(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    /** The rotated file {@code n} of the log {@code file}: {@code FILE.n} (FILE.1 the newest). */
    static Path rotated(Path file, int n) {
        return Path.of(file + "." + n);
    }

    /**
     * Every file a rotation of {@code file} can move it to, newest first: FILE.1 to FILE.keep, and FILE.1 even when
     * none are kept ({@link #rotate} always moves the full log there first).
     */
    static java.util.List<Path> rotatedFiles(Path file, int keep) {
        java.util.List<Path> all = new java.util.ArrayList<>();
        for (int i = 1; i <= Math.max(1, keep); i++) {
            all.add(rotated(file, i));
        }
        return all;
    }

    private void rotate() throws IOException {
        out.close();
        out = null;
        for (int i = keep - 1; i >= 1; i--) {
            Path from = rotated(file, i);
            if (Files.exists(from)) {
                Files.move(from, rotated(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (Files.exists(file)) { // an operator may have moved it away meanwhile
            Files.move(file, rotated(file, 1), StandardCopyOption.REPLACE_EXISTING);
        }
        size = 0;
        out = open();
    }

    private OutputStream open() throws IOException {
        // a file made here is its owner's only (0600), as the journal is: the lines hold the patients' order ids,
        // amounts and masked card numbers the journal holds; a file already there keeps the mode it has
        Set<StandardOpenOption> opts = EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        FileAttribute<?>[] attrs = file.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        OutputStream o = new BufferedOutputStream(Channels.newOutputStream(Files.newByteChannel(file, opts, attrs)));
        openedKey = FileIdentity.of(file);
        return o;
    }

    @Override
    public synchronized void close() {
        closed = true; // a line after this is refused, not written to a file opened again and never closed
        if (out == null) {
            return;
        }
        try {
            out.close();
            out = null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses one line; a line that is not a log entry is an error naming what is wrong. */
    public static Entry parse(String line) {
        try {
            Entry e = JSON.readValue(line, Entry.class);
            if (e.event() == null || e.dir() == null) {
                throw new IllegalArgumentException(NOT_A_LINE + "it has no event or direction");
            }
            return e.withCurrentKeys();
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException(NOT_A_LINE + JsonProblems.describe(ex), ex);
        }
    }

    private static final String NOT_A_LINE = "not a Tally message-log line: ";

    /**
     * Reads a whole log; errors name the line. A last line cut short ({@link #leaveOutOrRefuse}) is left out, said to
     * {@code warnings}; any other line that is not a log entry is refused, saying how to leave it out.
     */
    public static List<Entry> read(Path file, java.util.function.Consumer<String> warnings) throws IOException {
        List<Entry> entries = new ArrayList<>();
        int n = 0;
        // a last line cut inside a character reads cut short, as one cut between two does (Utf8File.logReader)
        String text = Utf8File.readLog(file, "a Tally message log is JSON Lines in UTF-8 (docs/support.md); is this the right file?");
        boolean ended = text.isEmpty() || text.endsWith("\n") || text.endsWith("\r"); // as String.lines ends a line
        for (java.util.Iterator<String> lines = text.lines().iterator(); lines.hasNext(); ) {
            String line = lines.next();
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                entries.add(parse(line));
            } catch (IllegalArgumentException e) {
                warnings.accept(leaveOutOrRefuse(file.toString(), n, !lines.hasNext() && !ended, e));
            }
        }
        return entries;
    }

    /** {@link #read(Path, java.util.function.Consumer)} that leaves a last line cut short out without a word. */
    public static List<Entry> read(Path file) throws IOException {
        return read(file, warning -> { });
    }

    /**
     * Whether {@link #parse} refused a line because it is not whole JSON (Jackson's reader found its end, or a token,
     * where JSON cannot have one; data binding may wrap that), rather than whole JSON that is no log entry.
     */
    private static boolean notWholeJson(IllegalArgumentException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.JsonParseException) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a reader of a message log does with line {@code n} of {@code source} (null: "line N" alone) that {@link #parse}
     * refused ({@code e}). The last line of a file that does not end with a line break ({@code lastWithoutLineBreak}),
     * when it is not whole JSON, was cut short: a copy of a log taken while it was written, or a log whose writer
     * stopped in the middle of a line (a crash, a full disk). It is left out, and the warning returned says so: every
     * line before it is whole (the writer writes a line at a time). Any other line is refused with an error naming the
     * line, saying it is not a complete message-log line and how to leave it out; the rest of the log is then not read
     * (a line in the middle is a damaged or edited log, whose reader should know which line it lost). Neither quotes
     * the line: it may hold what should not be printed (a log written by another system, or edited).
     */
    public static String leaveOutOrRefuse(String source, int n, boolean lastWithoutLineBreak, IllegalArgumentException e) {
        String line = (source == null ? "" : source + " ") + "line " + n;
        if (lastWithoutLineBreak && notWholeJson(e)) {
            return line + " is cut short (the log was copied while written, or its writer stopped): left out";
        }
        String reason = e.getMessage() != null && e.getMessage().startsWith(NOT_A_LINE)
                ? e.getMessage().substring(NOT_A_LINE.length()) : String.valueOf(e.getMessage());
        throw new IllegalArgumentException(line + " is not a complete message-log line (" + Masking.scrubTyped(reason)
                + "): it was cut short where its writer stopped, or changed by hand; to read the rest, delete that line"
                + " from a copy of the log (sed -i '" + n + "d' COPY) and give the copy", e);
    }
}
