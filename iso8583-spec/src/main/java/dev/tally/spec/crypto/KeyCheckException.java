package dev.tally.spec.crypto;

/**
 * A key unwrapped under a key-encryption key does not have the check value that came with it: the
 * key was encrypted under another KEK (TMK), or was damaged on the way. The message names the
 * expected check value only, never key bytes.
 */
public class KeyCheckException extends RuntimeException {

    private final String expectedKcv;

    public KeyCheckException(String expectedKcv, String message) {
        super(message);
        this.expectedKcv = expectedKcv;
    }

    /** The check value the sender announced, as given. */
    public String expectedKcv() {
        return expectedKcv;
    }
}
