package dev.tally.terminal.journal;

import dev.tally.spec.crypto.SecretFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PANs at rest only encrypted (DESIGN.md §4: needed for reversal and batch upload). AES-256-GCM
 * under a data key held in a file beside the journal, readable by its owner only (0600), generated with the
 * journal, or when it is missing and the journal stores no card number (see {@link #open}). The stored form is
 * {@code v1:} + Base64(12-byte IV + ciphertext + tag).
 */
final class PanVault {

    private static final Logger LOG = LoggerFactory.getLogger(PanVault.class);

    private static final String PREFIX = "v1:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] AAD = "tally-journal-pan".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();
    /**
     * Each thread's AES-GCM cipher, initialised afresh (new IV) for every PAN: {@code Cipher.getInstance}
     * searches the providers each time, half of an encryption's cost (JFR of a durable load run).
     */
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new JournalException("this JDK offers no AES/GCM: " + e.getMessage(), e);
        }
    });

    private PanVault(byte[] keyBytes) {
        this.key = new SecretKeySpec(keyBytes, "AES");
    }

    /** The check value ({@link #checkValue}) of a data key's 32 bytes: a backup's key is compared with its journal's. */
    static String checkValueOf(byte[] keyBytes) {
        return new PanVault(keyBytes).checkValue();
    }

    /**
     * The vault whose key lives in {@code keyFile}. A missing key is created (0600) only when
     * {@code mayCreate}: for a journal being created now, or one that stores no card number (the journal decides,
     * {@code Journal.open}). A journal may hold PANs that only its own key decrypts (pending reversals, the batch
     * upload): a new key would leave them unreadable, and if the original key were restored later, every PAN
     * written under the new one would be lost instead. So a missing key of a journal holding PANs is refused,
     * before anything is written; {@code storedPans} says how many are at stake.
     */
    static PanVault open(Path keyFile, boolean mayCreate, long storedPans) {
        try {
            if (!Files.exists(keyFile)) {
                if (!mayCreate) {
                    throw new JournalException("data key " + keyFile + " is missing: restore it from your backup;"
                            + " nothing was changed (" + storedPans + " attempt(s) of this journal hold a card number"
                            + " only that key can read, so no new key is made; with no backup, move the journal"
                            + " aside, where 'tally report' still reads it, and start a new one)");
                }
                create(keyFile);
            }
            // the file is the operator's (restored from a backup, copied with its mode lost): used, with a warning
            SecretFile.warnIfOthersCanRead(LOG, "the journal data key", keyFile,
                    "whoever reads it and the journal can decrypt the card numbers it stores");
            byte[] k = Files.readAllBytes(keyFile);
            if (k.length != 32) {
                throw new JournalException("the journal data key " + keyFile + " is damaged (" + k.length
                        + " bytes, expected 32); restore it from backup: without it stored PANs cannot be read");
            }
            return new PanVault(k);
        } catch (IOException e) {
            throw new JournalException("cannot read or create the journal data key " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a new key durably before any PAN is encrypted under it: to a temporary file (0600), synced, renamed
     * into place, and the directory synced, so a crash after the first PAN's commit cannot leave the journal
     * with card numbers and no key file. Called under the journal's process lock (no other tally makes it).
     */
    private static void create(Path keyFile) throws IOException {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        Path tmp = keyFile.resolveSibling(keyFile.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        Set<StandardOpenOption> opts = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileChannel ch;
        if (keyFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            ch = FileChannel.open(tmp, opts, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
            ch = FileChannel.open(tmp, opts);
        }
        try (ch) {
            ch.write(ByteBuffer.wrap(k));
            ch.force(true);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
        Files.move(tmp, keyFile, StandardCopyOption.ATOMIC_MOVE);
        Path dir = keyFile.toAbsolutePath().getParent();
        if (dir != null) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException notSupported) {
                // a file system that cannot sync a directory (not Linux's): the rename is what it offers
            }
        }
    }

    /**
     * The key's check value: the first three bytes of a zero block encrypted under it (AES ECB), in hex, as key
     * check values are made. Kept in the journal to tell its own key from another one; reveals nothing of the key.
     */
    String checkValue() {
        try {
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, key);
            return java.util.HexFormat.of().withUpperCase().formatHex(ecb.doFinal(new byte[16]), 0, 3);
        } catch (GeneralSecurityException e) {
            throw new JournalException("this JDK cannot compute the data key's check value: " + e.getMessage(), e);
        }
    }

    String encrypt(String pan) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher c = GCM.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(AAD);
            byte[] ct = c.doFinal(pan.getBytes(StandardCharsets.US_ASCII));
            byte[] out = new byte[iv.length + ct.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(ct, 0, out, iv.length, ct.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new JournalException("cannot encrypt the PAN for the journal: " + e.getMessage(), e);
        }
    }

    String decrypt(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            throw new JournalException("no encrypted PAN stored for this attempt (purged after settlement?)");
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            c.updateAAD(AAD);
            return new String(c.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new JournalException("cannot decrypt a stored PAN: the journal data key does not match"
                    + " (was the .key file beside the journal replaced?)", e);
        }
    }
}
