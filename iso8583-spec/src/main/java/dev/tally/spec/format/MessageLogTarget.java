package dev.tally.spec.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a {@link MessageLog} may be written at a path. The log appends to its file and rotates it by moving files
 * ({@code FILE} to {@code FILE.1}, ...): given the path of another file of the same command (a terminal's journal or
 * its data key, a simulator's ledger or scenario file) or of someone's file, the first line written damaged that file
 * for good (the data key "damaged (641 bytes, expected 32)", the scenario file no longer JSON). Checked before anything
 * is opened, made or changed, so the refusal is bad input that changes nothing; the terminal and the simulator share it.
 */
public final class MessageLogTarget {

    /** How much of an existing file is read to see whether it is a message log: a line is about 1 to 3 KB. */
    private static final int HEAD_BYTES = 64 * 1024;

    private static final String OWN_FILE = "give the message log a file of its own (a new one, e.g. messages.jsonl, or the"
            + " message log of an earlier run); nothing was written";

    private MessageLogTarget() {
    }

    /**
     * Refuses {@code file} as the message log, with an {@link IllegalArgumentException} naming the path and what it is,
     * when it is one of {@code others} (the same path, a link to it, or a hard link: the files the same command reads or
     * writes, each with what it is, e.g. "the journal (--journal)"), when rotating it would move one of them
     * ({@code FILE.1} .. {@code FILE.keep}), or when it, or a rotated file of it, is already there, not empty and no
     * message log (an SQLite database, a binary file, text whose first line is not a message-log line). A message log of
     * an earlier run, and its rotated files, pass: they are appended to and rotated as before. A file that cannot be read
     * or is no regular file (a directory, a device) is left to the writer, which says what it cannot do.
     */
    public static void check(Path file, int keep, Map<Path, String> others) {
        for (Map.Entry<Path, String> o : others.entrySet()) {
            if (o.getKey() != null && sameFile(file, o.getKey())) {
                throw new IllegalArgumentException("the message log " + file + " is " + o.getValue()
                        + ": a message log is appended to, which would damage it; " + OWN_FILE);
            }
        }
        java.util.List<Path> rotatedFiles = MessageLog.rotatedFiles(file, keep);
        for (Path rotated : rotatedFiles) {
            for (Map.Entry<Path, String> o : others.entrySet()) {
                if (o.getKey() != null && sameFile(rotated, o.getKey())) {
                    throw new IllegalArgumentException("the message log " + file + " rotates to " + rotated + ", which is "
                            + o.getValue() + ": rotating would move it away (and in time delete it); " + OWN_FILE);
                }
            }
        }
        refuseOtherContent(file, file, null);
        for (Path rotated : rotatedFiles) {
            refuseOtherContent(file, rotated, "a rotated message log is moved on at each rotation and the oldest deleted");
        }
    }

    /**
     * Adds the SQLite database {@code db} (as {@code what}) and the files SQLite keeps beside it to {@code files}, each
     * with what it is ({@code whose} write-ahead log, shared-memory file): a terminal's journal, a simulator's ledger.
     */
    public static void putDatabase(Map<Path, String> files, Path db, String what, String whose) {
        files.putIfAbsent(db, what);
        files.putIfAbsent(db.resolveSibling(db.getFileName() + "-wal"), whose + "'s write-ahead log");
        files.putIfAbsent(db.resolveSibling(db.getFileName() + "-shm"), whose + "'s shared-memory file");
    }

    /**
     * Refuses {@code at} (the message log {@code file}, or one of its rotated files: {@code rotation} says what the log
     * does to it) when it holds something other than a message log.
     */
    private static void refuseOtherContent(Path file, Path at, String rotation) {
        String kind;
        try {
            if (!Files.isRegularFile(at) || Files.size(at) == 0) {
                return;
            }
            kind = otherKind(at);
        } catch (IOException e) {
            return; // unreadable: the writer says what it cannot do, as before
        }
        if (kind == null) {
            return;
        }
        String what = rotation == null ? "the message log " + file + " is there already"
                : "the message log " + file + " rotates to " + at + ", which is there already";
        throw new IllegalArgumentException(what + " and is no message log (" + kind + "): "
                + (rotation == null ? "a message log is appended to, which would damage it" : rotation)
                + "; " + OWN_FILE);
    }

    /** What {@code f} (a regular file, not empty) is when it is no message log; null when it is one. */
    static String otherKind(Path f) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(f)) { // read once: the database's header is its first bytes
            head = in.readNBytes(HEAD_BYTES);
        }
        if (Utf8File.isDatabase(head)) {
            return "an SQLite database: a terminal's journal or a simulator's ledger";
        }
        int start = 0;
        while (start < head.length) {
            int end = start;
            while (end < head.length && head[end] != '\n') {
                end++;
            }
            if (end == head.length && head.length == HEAD_BYTES) {
                // a line longer than what was read (a message whose text fields are full of escaped control bytes
                // logs as 100 KB and more): judged by how it starts, as the writer begins every line
                return isLogLine(new String(head, start, Math.min(end - start, 256), StandardCharsets.UTF_8)) ? null
                        : "its first line is not a message-log line";
            }
            String line;
            try {
                line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(head, start, end - start))
                        .toString();
            } catch (CharacterCodingException e) {
                if (end == head.length) {
                    line = new String(head, start, end - start, StandardCharsets.UTF_8); // a character cut short by the end
                } else {
                    return "binary, not text";
                }
            }
            if (line.indexOf('\0') >= 0) {
                return "binary, not text";
            }
            if (!line.isBlank()) {
                return isLogLine(line) ? null : "its first line is not a message-log line";
            }
            start = end + 1;
        }
        return null; // blank lines only: nothing to damage
    }

    /**
     * Whether {@code line} is a message-log line: one {@link MessageLog#parse} reads, or one its writer began and did not
     * finish (a crash, a full disk: the writer writes {@code ts} first, and ends such a line before it writes on).
     */
    private static boolean isLogLine(String line) {
        try {
            MessageLog.parse(line);
            return true;
        } catch (IllegalArgumentException e) {
            return line.strip().matches("\\{\"ts\":[0-9]+(,.*)?");
        }
    }

    /**
     * Whether {@code a} and {@code b} are, or would be made as, one file: the same real path (links followed, a file not
     * there yet by its folder's real path), or one file under two names (a hard link).
     */
    static boolean sameFile(Path a, Path b) {
        if (where(a).equals(where(b))) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** Where {@code p} is, or would be made: its real path, else its folder's real path and its name, links followed. */
    private static Path where(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                return abs.toRealPath();
            }
            for (int links = 0; links < 40 && Files.isSymbolicLink(abs); links++) { // a link to a file not made yet
                abs = abs.resolveSibling(Files.readSymbolicLink(abs)).normalize();
            }
            Path folder = abs.getParent();
            return folder != null && Files.isDirectory(folder) ? folder.toRealPath().resolve(abs.getFileName()) : abs;
        } catch (IOException e) {
            return abs;
        }
    }
}
