package dev.tally.spec.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A file the support tools read as text (a dump, a message log, a jPOS XML log). It must be UTF-8: one
 * that is not is bad input, named with its file and first offending byte, not a
 * {@link java.nio.charset.MalformedInputException} that reaches the user as an internal error.
 */
public final class Utf8File {

    private Utf8File() {
    }

    /**
     * The file's text.
     *
     * @param hint what the user can do about a file that is not UTF-8 (what the tool reads, how to convert)
     * @throws IllegalArgumentException the file is not UTF-8 text
     */
    public static String read(Path file, String hint) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw notUtf8(file, hint, e);
        }
    }

    /**
     * {@link #read} of a message log whose last line may be cut short (a copy taken while it was written, a writer that
     * stopped): {@link #logReader}'s text, a character cut short by the file's end read as U+FFFD.
     *
     * @throws IllegalArgumentException a byte elsewhere is not UTF-8
     */
    public static String readLog(Path file, String hint) throws IOException {
        try (Reader r = logReader(file)) {
            return drain(r, (int) Math.min(Integer.MAX_VALUE - 8, Files.size(file)));
        } catch (CharacterCodingException e) {
            throw notUtf8(file, hint, e);
        }
    }

    /** Everything {@code r} reads; {@code expected}: about how many characters. */
    private static String drain(Reader r, int expected) throws IOException {
        StringBuilder sb = new StringBuilder(expected);
        char[] buf = new char[8192];
        for (int n; (n = r.read(buf)) >= 0; ) {
            sb.append(buf, 0, n);
        }
        return sb.toString();
    }

    /**
     * Bytes that are not a file (standard input) as {@link #read} reads a file: strict UTF-8, refused naming {@code
     * source} and the first byte that is not.
     */
    public static String decode(byte[] bytes, String source, String hint) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw notUtf8(bytes, source, "gunzip -c FILE.gz", hint, e);
        }
    }

    /** {@link #readLog} of bytes that are not a file (standard input); refused as {@link #decode} refuses. */
    public static String decodeLog(byte[] bytes, String source, String hint) throws IOException {
        try (Reader r = new CutEndReader(new java.io.ByteArrayInputStream(bytes))) {
            return drain(r, bytes.length);
        } catch (CharacterCodingException e) {
            throw notUtf8(bytes, source, "gunzip -c FILE.gz", hint, e);
        }
    }

    /**
     * The file as UTF-8, read as a message log's lines are: bytes at its very end that begin a character but stop
     * before it does (a copy cut the last line short inside one) are read as one U+FFFD, so that last line reads cut
     * short, as a line cut between two characters does, and its reader leaves it out
     * ({@link MessageLog#leaveOutOrRefuse}). Any other byte that is not UTF-8 is a {@link CharacterCodingException}, as
     * from {@link Files#newBufferedReader}.
     */
    public static Reader logReader(Path file) throws IOException {
        return new CutEndReader(Files.newInputStream(file));
    }

    /** UTF-8, strict but for a character cut short by the end of the input. */
    private static final class CutEndReader extends Reader {
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
        private final CharBuffer chars = CharBuffer.allocate(8192).flip();
        private boolean eof;

        CutEndReader(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, cbuf.length);
            if (len == 0) {
                return 0;
            }
            while (!chars.hasRemaining()) {
                if (eof && !bytes.hasRemaining()) {
                    return -1;
                }
                chars.clear();
                // not the end of input: a character whose bytes have not all come is kept back, not refused
                CoderResult r = decoder.decode(bytes, chars, false);
                if (r.isError()) {
                    r.throwException();
                }
                if (r.isUnderflow() && chars.position() == 0) {
                    if (eof) { // the last bytes begin a character the end cut short
                        bytes.position(bytes.limit());
                        chars.put('\uFFFD');
                    } else {
                        bytes.compact();
                        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                        eof = n < 0;
                        bytes.position(bytes.position() + Math.max(n, 0)).flip();
                    }
                }
                chars.flip();
            }
            int n = Math.min(len, chars.remaining());
            chars.get(cbuf, off, n);
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Refuses, as bad input that names what is wrong, a path that is not a file this process can read: missing, a
     * directory, or not readable (instead of an {@link IOException} whose message is the path, or "Is a directory").
     */
    public static void requireReadableFile(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, not a file");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(file + ": permission denied");
        }
    }

    /** The first 16 bytes of every SQLite 3 database file (sqlite.org/fileformat.html §1.3.1). */
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * Refuses an SQLite database given where a text file is read: a terminal's journal (or a simulator's ledger)
     * sent to support beside its logs is easily given to the wrong option, and "not UTF-8 text ... convert it with
     * iconv" (or "give its hex") sent the user the wrong way. {@code advice} says where such a file goes instead.
     */
    public static void refuseDatabase(Path file, String advice) throws IOException {
        if (isDatabase(file)) {
            throw new IllegalArgumentException(file + " is an SQLite database (a terminal's journal or a simulator's"
                    + " ledger), not a text file: " + advice);
        }
    }

    /** Whether {@code file} begins as every SQLite 3 database does. */
    static boolean isDatabase(Path file) throws IOException {
        byte[] head;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SQLITE_HEADER.length);
        }
        return isDatabase(head);
    }

    /** {@link #isDatabase(Path)} of the first bytes of a file, already read (at least the header's 16 for a yes). */
    static boolean isDatabase(byte[] head) {
        return head.length >= SQLITE_HEADER.length
                && java.util.Arrays.equals(head, 0, SQLITE_HEADER.length, SQLITE_HEADER, 0, SQLITE_HEADER.length);
    }

    /**
     * What {@link #read} throws for a file that is not UTF-8: for a reader that met the byte itself (e.g. in the
     * {@link java.io.UncheckedIOException} of {@link Files#lines}).
     */
    public static IllegalArgumentException notUtf8(Path file, String hint, CharacterCodingException e) throws IOException {
        return notUtf8(Files.readAllBytes(file), file.toString(), "gunzip -k " + file, hint, e);
    }

    /** The two bytes every gzip file begins with (RFC 1952 §2.3.1: ID1 ID2). */
    private static final byte[] GZIP_MAGIC = {0x1F, (byte) 0x8B};

    /**
     * Refuses a gzip file, for a reader that takes its bytes before reading them as text ({@link #decode}, which names
     * a gzip source but cannot say which file to gunzip): as {@link #notUtf8} refuses it.
     */
    public static void refuseGzip(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(GZIP_MAGIC.length);
        }
        refuseGzip(head, file);
    }

    /** {@link #refuseGzip(Path)} of bytes already read from the start of {@code file} (a pipe can be read only once). */
    public static void refuseGzip(byte[] head, Path file) {
        if (isGzip(head)) {
            throw gzipped(file.toString(), "gunzip -k " + file, null);
        }
    }

    private static boolean isGzip(byte[] bytes) {
        return bytes.length >= GZIP_MAGIC.length && bytes[0] == GZIP_MAGIC[0] && bytes[1] == GZIP_MAGIC[1];
    }

    private static IllegalArgumentException gzipped(String source, String gunzipExample, Exception cause) {
        return new IllegalArgumentException(source + " is gzip-compressed, not text: gunzip it first (e.g. "
                + gunzipExample + ")", cause);
    }

    /**
     * {@code source} is not UTF-8: named with its first bad byte and {@code hint}; but a gzip file (a log compressed by
     * its rotation, or to be mailed) is named as one, with how to decompress it ({@code gunzip}, e.g. {@code
     * gunzipExample}): the hint's advice (give its hex, convert it with iconv) cannot work on it. Never decompressed
     * here: the user knows then which file the tool read.
     */
    private static IllegalArgumentException notUtf8(byte[] bytes, String source, String gunzipExample, String hint,
                                                    CharacterCodingException e) {
        if (isGzip(bytes)) {
            return gzipped(source, gunzipExample, e);
        }
        return new IllegalArgumentException(source + " is not UTF-8 text" + firstBadByte(bytes) + ": " + hint, e);
    }

    /**
     * Why {@code file} could not be opened or read, in words a person can act on: "no such file", "is a directory, not
     * a file", "permission denied", else the system's reason. Not the exception's message: a NoSuchFileException's is
     * only the path, which the caller names already ("cannot read the cards file x.csv: x.csv").
     */
    public static String reason(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (Files.isDirectory(file)) {
            return "is a directory, not a file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** " (byte 0xFF at offset 12)", or "" if the bytes decode after all (the file changed under us). */
    static String firstBadByte(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // UTF-8 never gives more chars than bytes, so the output buffer cannot overflow
        CoderResult r = d.decode(in, CharBuffer.allocate(bytes.length + 1), true);
        if (!r.isError() || !in.hasRemaining()) {
            return "";
        }
        return String.format(" (byte 0x%02X at offset %d)", bytes[in.position()] & 0xFF, in.position());
    }
}
