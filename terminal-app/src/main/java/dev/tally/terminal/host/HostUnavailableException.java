package dev.tally.terminal.host;

/**
 * The host could not be reached (connection refused, no route, sign-on impossible): this command's request was not
 * sent. Or, {@link #sent()}, a service of the acquirer (its admin API) was sent the request and answered it with an
 * error, or not within its time: nothing may then be said of the request not being sent.
 */
public class HostUnavailableException extends RuntimeException {

    private final boolean sent;

    public HostUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public HostUnavailableException(String message, Throwable cause, boolean sent) {
        super(message, cause);
        this.sent = sent;
    }

    /** The request went (answered with an error, or not in time): not "not sent". */
    public boolean sent() {
        return sent;
    }
}
