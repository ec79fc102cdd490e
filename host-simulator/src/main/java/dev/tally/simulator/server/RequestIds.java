package dev.tally.simulator.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ids the host's message log gives requests, {@code H1}, {@code H2}, ...: each request's id is shared by the
 * lines of what became of it (docs/simulator.md §9), so it must not repeat within a log. A simulator restarted on
 * a log it wrote before appends to it and carries on after the highest id already there.
 *
 * <p>That id is found from the end of the log without reading all of it: a request's REQUEST line is written as soon
 * as it gets its id, and at most {@link HostRequestListener#IN_FLIGHT} requests are in hand at once, so a request
 * that got a lower id writes its line after the highest one's only while both are in hand. The highest id is
 * therefore among the last {@code IN_FLIGHT + 1} REQUEST lines, read backwards through the log and then, when it holds
 * fewer, the rotated files before it ({@code FILE.1}, {@code FILE.2}, ...).
 */
final class RequestIds {

    /** A REQUEST line of the host's log: its id then its event, as MessageLog writes them (one after the other). */
    private static final Pattern REQUEST = Pattern.compile("\"messageId\":\"H(\\d{1,18})\",\"event\":\"REQUEST\"");
    private static final int CHUNK = 64 * 1024;
    /** Longer than any line the log writes: a file without line ends there is not a message log. */
    private static final int LONGEST_LINE = 1024 * 1024;

    private final AtomicLong last;

    private RequestIds(long last) {
        this.last = new AtomicLong(last);
    }

    /** Ids from H1. */
    static RequestIds fresh() {
        return new RequestIds(0);
    }

    /** Ids after the highest request id in {@code log} and the files rotated from it; from H1 when there are none. */
    static RequestIds after(Path log) throws IOException {
        return new RequestIds(highestIn(log));
    }

    String next() {
        return "H" + last.incrementAndGet();
    }

    /** The highest request id ({@code H<n>}: n) in the last REQUEST lines of the log and its rotated files; 0 if none. */
    static long highestIn(Path log) throws IOException {
        Tail tail = new Tail();
        for (int i = 0; tail.requests <= HostRequestListener.IN_FLIGHT; i++) {
            Path p = i == 0 ? log : Path.of(log + "." + i);
            if (!Files.isRegularFile(p)) {
                if (i == 0) {
                    continue; // a new log; rotated files of an old one may still be there
                }
                break;
            }
            tail.readBackwards(p);
        }
        return tail.highest;
    }

    /** What the backward read found so far, over the files read. */
    private static final class Tail {
        long highest;
        int requests;

        void readBackwards(Path p) throws IOException {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                long pos = ch.size();
                byte[] carry = new byte[0]; // the end of a line whose start lies further back
                while (pos > 0 && requests <= HostRequestListener.IN_FLIGHT) {
                    int n = (int) Math.min(CHUNK, pos);
                    pos -= n;
                    ByteBuffer buf = ByteBuffer.allocate(n + carry.length).limit(n);
                    while (buf.hasRemaining()) {
                        if (ch.read(buf, pos + buf.position()) < 0) {
                            throw new IOException(p + " got shorter while it was read");
                        }
                    }
                    buf.limit(buf.capacity()).put(carry);
                    byte[] bytes = buf.array();
                    int from = 0;
                    if (pos > 0) { // the bytes before the first line end belong to a line that starts in the next read
                        while (from < bytes.length && bytes[from] != '\n') {
                            from++;
                        }
                        carry = from <= LONGEST_LINE ? java.util.Arrays.copyOf(bytes, from) : new byte[0];
                    }
                    scan(new String(bytes, from, bytes.length - from, StandardCharsets.ISO_8859_1));
                }
            }
        }

        private void scan(String lines) {
            Matcher m = REQUEST.matcher(lines);
            while (m.find()) {
                requests++;
                highest = Math.max(highest, Long.parseLong(m.group(1)));
            }
        }
    }
}
