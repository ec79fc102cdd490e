package dev.tally.spec.testing;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Every {@code @TempDir} of the three modules' tests (junit-platform.properties): {@code junit-} and twelve random
 * letters in the temp folder. JUnit's own names end in a random number of up to 19 digits, and one such number in ten
 * passes the Luhn check: the products mask it as a card number wherever it shows a path, so a test comparing a message
 * with the path it named failed about once in ten runs.
 */
public final class LetterTempDirs implements TempDirFactory {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        for (int tries = 0; ; tries++) {
            StringBuilder name = new StringBuilder("junit-");
            for (int i = 0; i < 12; i++) {
                name.append((char) ('a' + RANDOM.nextInt(26)));
            }
            try {
                return Files.createDirectory(tmp.resolve(name.toString()));
            } catch (FileAlreadyExistsException e) {
                if (tries > 100) {
                    throw e;
                }
            }
        }
    }
}
