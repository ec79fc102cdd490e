package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.format.StandardErrorCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cashier API's token file: made readable by its owner only, and a warning when others can read it. */
class ApiTokenTest {

    @TempDir
    Path dir;

    @Test
    void aTokenFileOthersCanReadIsUsedWithAWarningAndAMadeOneIsTheOwnersOnly() throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path made = dir.resolve("made.token");
        String quiet = StandardErrorCapture.printed(() -> { }, () -> ApiToken.inFile(made));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        assertFalse(quiet.contains("can be read by other users"), quiet);

        Path shared = dir.resolve("shared.token");
        Files.writeString(shared, "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        String warned = StandardErrorCapture.printed(() -> { }, () -> ApiToken.inFile(shared));
        assertTrue(warned.contains("the API token file " + shared + " can be read by other users (rw-r--r--)")
                && warned.contains("chmod 600 " + shared), warned);
        assertFalse(warned.contains("0123456789abcdef"), "the token itself is never printed: " + warned);
    }
}
