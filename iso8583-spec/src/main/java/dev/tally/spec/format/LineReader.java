package dev.tally.spec.format;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The lines of a text read from a {@link Reader}, one at a time, as {@link String#lines()} cuts them (they end at
 * {@code \n}, {@code \r} or {@code \r\n}; a last line without a line break is a line), and for each whether a line break
 * ended it ({@link #lastEnded()}): the last line of a message log copied while it was written has none
 * ({@link MessageLog#leaveOutOrRefuse}). Once the end of the text is reached nothing more is read, though the file grow
 * meanwhile: what was read is one snapshot. A read that fails is an {@link UncheckedIOException} (its cause a
 * {@link java.nio.charset.CharacterCodingException} for bytes that are not the reader's charset, as
 * {@link java.nio.file.Files#lines} throws).
 */
public final class LineReader implements Iterator<String>, Closeable {

    private final Reader in;
    private final char[] buf = new char[64 * 1024];
    private int pos;
    private int len;
    private boolean eof;
    /** a {@code \r} ended the last line: a {@code \n} right after it belongs to that line break */
    private boolean skipLf;
    private String next;
    private boolean nextEnded;
    private boolean lastEnded = true;

    public LineReader(Reader in) {
        this.in = in;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            advance();
        }
        return next != null;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String line = next;
        lastEnded = nextEnded;
        next = null;
        return line;
    }

    /** Whether a line break ended the line {@link #next()} returned last. */
    public boolean lastEnded() {
        return lastEnded;
    }

    private void advance() {
        StringBuilder sb = null;
        boolean any = false;
        while (true) {
            if (pos == len && !fill()) {
                if (any) {
                    next = sb.toString();
                    nextEnded = false;
                }
                return;
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int start = pos;
            while (pos < len && buf[pos] != '\n' && buf[pos] != '\r') {
                pos++;
            }
            if (pos > start) {
                any = true;
            }
            if (pos < len) { // a line break: the line is whole
                String line = sb == null ? new String(buf, start, pos - start) : sb.append(buf, start, pos - start).toString();
                skipLf = buf[pos] == '\r';
                pos++;
                next = line;
                nextEnded = true;
                return;
            }
            if (sb == null) {
                sb = new StringBuilder(Math.max(16, 2 * (pos - start)));
            }
            sb.append(buf, start, pos - start);
        }
    }

    /** Reads the next chars into the buffer; false at the end of the text, and from then on. */
    private boolean fill() {
        if (eof) {
            return false;
        }
        try {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                eof = true;
                return false;
            }
            pos = 0;
            len = n;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
