package dev.tally.spec.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

class SqliteNativeLibraryTest {

    @TempDir
    Path dir;

    private static byte[] jarsLibrary() throws Exception {
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(
                LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName())) {
            return in.readAllBytes();
        }
    }

    @Test
    void theSharedCopyIsTheJarsLibraryInAFolderOnlyItsOwnerCanWrite() throws Exception {
        Path lib = SqliteNativeLibrary.sharedCopy(dir).orElseThrow();
        assertTrue(lib.startsWith(dir.resolve("tally").resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion())), lib.toString());
        assertArrayEquals(jarsLibrary(), Files.readAllBytes(lib));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lib.getParent())));
    }

    @Test
    void anIntactCopyIsKeptAndADamagedOneReplaced() throws Exception {
        Path lib = SqliteNativeLibrary.sharedCopy(dir).orElseThrow();
        Object inode = Files.getAttribute(lib, "unix:ino");
        assertEquals(Optional.of(lib), SqliteNativeLibrary.sharedCopy(dir));
        assertEquals(inode, Files.getAttribute(lib, "unix:ino"), "an intact copy is not written again");

        byte[] damaged = Files.readAllBytes(lib);
        damaged[damaged.length / 2] ^= 1;
        Files.write(lib, damaged);
        assertEquals(Optional.of(lib), SqliteNativeLibrary.sharedCopy(dir));
        assertArrayEquals(jarsLibrary(), Files.readAllBytes(lib), "a copy with one bit changed");

        Files.write(lib, new byte[] {1, 2, 3});
        assertEquals(Optional.of(lib), SqliteNativeLibrary.sharedCopy(dir));
        assertArrayEquals(jarsLibrary(), Files.readAllBytes(lib), "a truncated copy");
        try (var s = Files.list(lib.getParent())) {
            assertEquals(List.of(lib), s.toList(), "no partial file is left beside it");
        }
    }

    @Test
    void aPartialCopyLeftByAKilledJvmIsRemovedOnceItIsOld() throws Exception {
        Path lib = SqliteNativeLibrary.sharedCopy(dir).orElseThrow();
        Path old = Files.write(lib.resolveSibling(lib.getFileName() + "123.part"), new byte[] {1});
        Path fresh = Files.write(lib.resolveSibling(lib.getFileName() + "456.part"), new byte[] {1});
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        assertEquals(Optional.of(lib), SqliteNativeLibrary.sharedCopy(dir));
        assertTrue(Files.notExists(old), "an hour old");
        assertTrue(Files.exists(fresh), "another JVM may be writing it now");
    }

    @Test
    void aFolderOthersMayWriteOrACacheThatCannotBeMadeIsNotUsed() throws Exception {
        Path lib = SqliteNativeLibrary.sharedCopy(dir).orElseThrow();
        Files.setPosixFilePermissions(lib.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(Optional.empty(), SqliteNativeLibrary.sharedCopy(dir));
        Files.setPosixFilePermissions(lib.getParent(), PosixFilePermissions.fromString("rwx------"));
        assertEquals(Optional.of(lib), SqliteNativeLibrary.sharedCopy(dir));
        Path tally = dir.resolve("tally");
        Files.setPosixFilePermissions(tally, PosixFilePermissions.fromString("rwxrwx---"));
        assertEquals(Optional.empty(), SqliteNativeLibrary.sharedCopy(dir), "a folder above it the group may write");
        Files.setPosixFilePermissions(tally, PosixFilePermissions.fromString("rwx------"));

        Path aFile = Files.writeString(dir.resolve("not-a-folder"), "x");
        assertEquals(Optional.empty(), SqliteNativeLibrary.sharedCopy(aFile));
    }

    @Test
    void aJvmThatHaltsLeavesNoCopyInTheTempFolder() throws Exception {
        NativeLibraryChild.Left plain = NativeLibraryChild.run(dir.resolve("plain"), SharedCopyChildMain.class.getName(), "plain");
        assertEquals(0, plain.exit(), plain.stderr());
        assertEquals(2, plain.tempCopies().size(), "the driver's own copy and its .lck, left by the halt: " + plain.tempCopies());

        NativeLibraryChild.Left shared = NativeLibraryChild.run(dir.resolve("shared"), SharedCopyChildMain.class.getName());
        assertEquals(0, shared.exit(), shared.stderr());
        assertEquals(List.of(), shared.tempCopies());
        assertTrue(shared.sharedCopy().isPresent(), "the copy in the cache folder");
    }

    /** junit-platform.properties names temp folders with letters: no random number in a path to be masked as a card. */
    @Test
    void tempFoldersAreNamedWithLettersOnly() {
        assertTrue(dir.getFileName().toString().matches("junit-[a-z]{12}"), dir.toString());
    }
}
