package dev.tally.spec.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * sqlite-jdbc's native library, as the two command lines load it.
 *
 * <p>Left to itself, each JVM extracts the library into the temp folder ({@code sqlite-<version>-<uuid>-libsqlitejdbc.so}
 * beside a {@code .lck} file, both deleted when it exits) and, before that, deletes the copies it finds whose
 * {@code .lck} is gone. A JVM that does not exit normally (kill -9, a power cut, an out-of-memory halt) leaves both
 * files behind, and no later JVM removes them: a megabyte in the temp folder per crash, for good.
 * {@link #useSharedCopy()} avoids that: one copy per user and driver version in the user's cache folder, written
 * once and loaded by every later JVM from there.
 *
 * <p>When one {@code tally} command starts while another exits (a till running {@code report} beside
 * {@code serve}, or one-shot commands in a row), both may delete the same stale copy: the loser logs
 * "ERROR org.sqlite.SQLiteJDBCLoader - Failed to delete old native lib" with a 40-line stack trace on the cashier's
 * terminal, for a copy that is gone as it should be. {@link #quietStaleCopyCleanup()} turns that logger off unless
 * the command line sets it: a library that really cannot be loaded still fails the journal's or ledger's open with
 * the driver's own message.
 */
public final class SqliteNativeLibrary {

    /** slf4j-simple's level property for sqlite-jdbc's loader. */
    static final String LOADER_LEVEL = "org.slf4j.simpleLogger.log.org.sqlite.SQLiteJDBCLoader";
    static final String LIB_PATH = "org.sqlite.lib.path";
    static final String LIB_NAME = "org.sqlite.lib.name";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private SqliteNativeLibrary() {
    }

    /** Turns the loader's clean-up errors off, unless {@code -D} set its level; call before the first logger. */
    public static void quietStaleCopyCleanup() {
        System.setProperty(LOADER_LEVEL, System.getProperty(LOADER_LEVEL, "off"));
    }

    /**
     * Points sqlite-jdbc at the shared copy of its native library in the user's cache folder
     * ({@code $XDG_CACHE_HOME}, else {@code ~/.cache}; then {@code tally/sqlite-jdbc-<version>/<os>/<arch>}), writing it
     * there first when it is missing or differs from the one in the driver's jar. Call before the first connection.
     * When the command line names a library ({@code -Dorg.sqlite.lib.path}), or the cache folder cannot be used, it
     * changes nothing and the driver extracts its own copy as before.
     */
    public static void useSharedCopy() {
        if (System.getProperty(LIB_PATH) != null) {
            return;
        }
        cacheRoot().flatMap(SqliteNativeLibrary::sharedCopy).ifPresent(lib -> {
            System.setProperty(LIB_PATH, lib.getParent().toString());
            System.setProperty(LIB_NAME, lib.getFileName().toString());
        });
    }

    /** The user's cache folder, if the environment names one. */
    static Optional<Path> cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Optional.of(Path.of(xdg));
        }
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() || "?".equals(home) ? Optional.empty()
                : Optional.of(Path.of(home, ".cache"));
    }

    /**
     * The shared copy under {@code cacheRoot}, made or mended so that it holds exactly the jar's library; empty when it
     * cannot be (no library for this platform in the jar, a folder that cannot be written, or one that others may write).
     * A copy is written beside its final name and renamed over it, so a JVM that has the old one loaded keeps it and
     * no JVM ever loads a half-written file.
     */
    static Optional<Path> sharedCopy(Path cacheRoot) {
        String name = LibraryLoaderUtil.getNativeLibName();
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        byte[] lib;
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            lib = in.readAllBytes();
        } catch (IOException e) {
            return Optional.empty();
        }
        Path dir = cacheRoot.resolve("tally").resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion())
                .resolve(LibraryLoaderUtil.getNativeLibResourcePath().replaceFirst("^/org/sqlite/native/", ""));
        Path target = dir.resolve(name);
        try {
            createPrivately(dir);
            for (Path d = dir; d.startsWith(cacheRoot.resolve("tally")); d = d.getParent()) {
                if (!ownedByThisUserOnly(d)) {
                    return Optional.empty();
                }
            }
            leftOverParts(dir, name);
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == lib.length
                    && Arrays.equals(Files.readAllBytes(target), lib)) {
                return Optional.of(target);
            }
            Path part = Files.createTempFile(dir, name, ".part");
            try {
                Files.write(part, lib);
                try {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    return Optional.empty();
                }
            } finally {
                Files.deleteIfExists(part);
            }
            return Optional.of(target);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static void createPrivately(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createPrivately(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another JVM made it meanwhile
        }
    }

    /**
     * A folder another user owns or may write to (from {@code tally} down) could hand this process a library of theirs,
     * swapped in between the comparison and the load. The owner is compared where the system says who this process is
     * ({@code /proc/self}); elsewhere only the permission bits are.
     */
    private static boolean ownedByThisUserOnly(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            return false;
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
        if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
            return false;
        }
        Path self = Path.of("/proc/self");
        return !Files.exists(self) || Files.getAttribute(dir, "unix:uid").equals(Files.getAttribute(self, "unix:uid"));
    }

    /** A copy another JVM was writing when it was killed (a {@code .part} over ten minutes old) is removed. */
    private static void leftOverParts(Path dir, String name) {
        long tenMinutesAgo = System.currentTimeMillis() - 600_000;
        try (var parts = Files.newDirectoryStream(dir, name + "*.part")) {
            for (Path part : parts) {
                if (Files.getLastModifiedTime(part, LinkOption.NOFOLLOW_LINKS).toMillis() < tenMinutesAgo) {
                    Files.deleteIfExists(part);
                }
            }
        } catch (IOException | RuntimeException e) {
            // left for the next start: it harms nothing but space
        }
    }
}
