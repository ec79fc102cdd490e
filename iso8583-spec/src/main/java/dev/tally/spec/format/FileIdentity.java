package dev.tally.spec.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Which file a path names now (device and inode), read without opening it: a file moved away or deleted and made
 * anew at the path is another. For a process that holds a file open by its path (the message log, the journal's lock
 * file); opening and closing the file to look would drop a lock held on it.
 */
public final class FileIdentity {

    private FileIdentity() {
    }

    /** The identity of the file at {@code p}; its path on a file system that gives none (Windows); null when none is there. */
    public static Object of(Path p) throws IOException {
        try {
            Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
            return key != null ? key : p.toAbsolutePath();
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
