package dev.tally.terminal.api;

import dev.tally.spec.crypto.SecretFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cashier API's bearer token: read from a file, or generated (32 random bytes, hex) into a new file
 * readable by its owner only (0600). The token itself is never printed or logged; only the file's path.
 */
public final class ApiToken {

    private static final Logger LOG = LoggerFactory.getLogger(ApiToken.class);

    private final byte[] token;
    private final Path file;

    private ApiToken(byte[] token, Path file) {
        this.token = token;
        this.file = file;
    }

    /** The token in {@code file}; the file is created with a fresh token when it does not exist. */
    public static ApiToken inFile(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                String text = HexFormat.of().formatHex(random) + "\n";
                try {
                    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    } else {
                        Files.createFile(file);
                    }
                    Files.writeString(file, text, StandardCharsets.US_ASCII);
                } catch (FileAlreadyExistsException raced) {
                    // created meanwhile: use it
                }
            }
            // the file is the operator's: used, with a warning, when others can read it
            SecretFile.warnIfOthersCanRead(LOG, "the API token file", file,
                    "whoever reads it can take payments through this till");
            return new ApiToken(read(file).getBytes(StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read or create the API token file " + file + ": " + e);
        }
    }

    /**
     * What {@link #inFile} would refuse, found without creating anything: a directory, a file that holds no usable
     * token, or (unless {@code folderMayBeMade}, as the journal's is when it is opened) a folder that does not exist.
     */
    public static void check(Path file, boolean folderMayBeMade) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("the API token file " + file + " is a directory: name a file");
        }
        if (Files.exists(file)) {
            try {
                read(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the API token file " + file + ": " + e);
            }
            return;
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!folderMayBeMade && dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("the API token file " + file + " cannot be made: the folder " + dir
                    + " does not exist");
        }
    }

    private static String read(Path file) throws IOException {
        String t = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (t.length() < 16 || t.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the API token file " + file + " must hold one token of at least 16"
                    + " characters without spaces");
        }
        return t;
    }

    public Path file() {
        return file;
    }

    /** Whether two token files that exist hold the same token (read as {@link #inFile} reads them, without its warnings). */
    public static boolean sameToken(Path a, Path b) {
        try {
            return MessageDigest.isEqual(read(a).getBytes(StandardCharsets.UTF_8), read(b).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the token files " + a + " and " + b + ": " + e);
        }
    }

    /** Whether the {@code Authorization} header carries this token (constant-time comparison). */
    public boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    @Override
    public String toString() {
        return "ApiToken[file=" + file + "]";
    }
}
