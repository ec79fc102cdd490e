package dev.tally.terminal.host;

/** The host could not be reached (connection refused, no route, sign-on impossible); nothing was sent. */
public class HostUnavailableException extends RuntimeException {
    public HostUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
