package dev.tally.spec.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * A file of the operator's that holds a secret (a config file with the TMK, an API token): whoever else on the
 * machine can read it holds the secret too. The caller says what that costs and warns; the file is not changed,
 * it is the operator's.
 */
public final class SecretFile {

    private SecretFile() {
    }

    /**
     * The file's permissions ({@code rw-r--r--}) when its group or other users may read it; empty when only its owner
     * can, or when the file system has no POSIX permissions (Windows ACLs are not judged here).
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
