package dev.tally.spec.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;

/**
 * A file that holds a secret (a data key, a bearer token), made readable by its owner only (0600). One the
 * operator made readable by others is theirs to decide on: it is used, with a warning that says what is at
 * stake and how to fix it, naming the file and never printing what it holds.
 */
public final class SecretFile {

    private SecretFile() {
    }

    /**
     * Warns through {@code log} (the user of the file's logger) when the group or other users can read {@code file}:
     * "{@code what} FILE can be read by other users (rw-r--r--): {@code risk}; chmod 600 FILE". Nothing on a file
     * system without POSIX permissions.
     */
    public static void warnIfOthersCanRead(Logger log, String what, Path file, String risk) throws IOException {
        Optional<String> perms = readableByOthers(file);
        if (perms.isPresent()) {
            log.warn("{} {} can be read by other users ({}): {}; chmod 600 {}", what, file, perms.get(), risk, file);
        }
    }

    /**
     * The file's permissions ({@code rw-r--r--}) when its group or other users may read it; empty when only its owner
     * can, or when the file system has no POSIX permissions (Windows ACLs are not judged here). For a caller that
     * words its own warning (tally's config file holding the TMK).
     */
    public static Optional<String> readableByOthers(Path file) throws IOException {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Optional.empty();
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
            return Optional.of(PosixFilePermissions.toString(p));
        }
        return Optional.empty();
    }
}
