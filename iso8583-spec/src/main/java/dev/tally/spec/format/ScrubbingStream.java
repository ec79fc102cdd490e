package dev.tally.spec.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The last line of defence for a process's log stream: every line written through it passes {@link Masking#scrub}
 * before it reaches the stream underneath. Code masks at the source; this catches what a log call cannot see, above
 * all a stack trace, whose messages (and its causes' messages) SLF4J prints as the exception holds them. Both
 * command lines put {@code System.err}, where slf4j-simple writes, behind it at start ({@link #install()}).
 *
 * <p>Text is held until a line ends ({@code \n} or {@code \r}) or the stream is flushed, so a card number is never
 * cut in two between writes of one line. A line longer than {@value #MAX_LINE} bytes is let out in pieces cut after a
 * character that cannot be part of a card number or its track 2 tail. Text is read and written in the charset of the
 * stream it replaces ({@code stderr.encoding}), so what reaches the console is what would have without it.
 */
public final class ScrubbingStream extends OutputStream {

    static final int MAX_LINE = 64 * 1024;

    private final OutputStream out;
    private final Charset charset;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    public ScrubbingStream(OutputStream out, Charset charset) {
        this.out = out;
        this.charset = charset;
    }

    /** A print stream (UTF-8) writing through a scrubbing stream onto {@code out}. */
    public static PrintStream printStream(OutputStream out) {
        return new PrintStream(new ScrubbingStream(out, StandardCharsets.UTF_8), false, StandardCharsets.UTF_8);
    }

    /**
     * Puts {@code System.err} behind a scrubbing stream, once; call before the first logger is made. What is held
     * without a line end at exit is written out then.
     */
    public static synchronized void install() {
        if (!(System.err instanceof Installed)) {
            Installed err = new Installed(System.err);
            System.setErr(err);
            Runtime.getRuntime().addShutdownHook(new Thread(err::flush, "stderr-flush"));
        }
    }

    /** System.err once installed; marks it so a second {@link #install} does not scrub twice. */
    private static final class Installed extends PrintStream {
        Installed(PrintStream original) {
            super(new ScrubbingStream(original, original.charset()), false, original.charset());
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.write(b);
        if (b == '\n' || b == '\r') {
            emit(line.size());
            out.flush();
        } else if (line.size() > MAX_LINE) {
            emitLongLine();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n' || b[i] == '\r') {
                line.write(b, start, i + 1 - start);
                emit(line.size());
                start = i + 1;
            }
        }
        line.write(b, start, end - start);
        if (start > off) {
            out.flush();
        }
        if (line.size() > MAX_LINE) {
            emitLongLine();
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        emit(line.size());
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        out.close();
    }

    /** Writes the first {@code n} bytes held, scrubbed, and keeps the rest. */
    private void emit(int n) throws IOException {
        if (n == 0) {
            return;
        }
        byte[] held = line.toByteArray();
        String text = new String(held, 0, n, charset);
        out.write(Masking.scrub(text).getBytes(charset));
        line.reset();
        line.write(held, n, held.length - n);
    }

    private void emitLongLine() throws IOException {
        byte[] held = line.toByteArray();
        int cut = held.length;
        while (cut > 0 && mayBeInCard(held[cut - 1])) {
            cut--;
        }
        if (cut == 0) {
            // 64 KiB of digits and separators: nothing in it is safe to let out as it is
            out.write("[a line of digits too long to log, withheld]".getBytes(charset));
            line.reset();
            return;
        }
        emit(cut);
    }

    /** A byte that may belong to a card number as scrub finds one, or to its track 2 tail (UTF-8 continuation bytes too). */
    private static boolean mayBeInCard(byte b) {
        return (b >= '0' && b <= '9') || b == ' ' || b == '-' || b == '=' || b == 'D' || b < 0;
    }
}
