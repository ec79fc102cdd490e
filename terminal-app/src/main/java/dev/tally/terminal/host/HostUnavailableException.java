package dev.tally.terminal.host;

/**
 * The host could not be reached (connection refused, no route, sign-on impossible): this command's request was not
 * sent. Or, {@link #answered()}, a service of the acquirer (its admin API) was asked and answered, but not as one
 * (an HTTP error): the request went, so nothing may be said of it not being sent.
 */
public class HostUnavailableException extends RuntimeException {

    private final boolean answered;

    public HostUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public HostUnavailableException(String message, Throwable cause, boolean answered) {
        super(message, cause);
        this.answered = answered;
    }

    /** The request went and was answered, though not as asked: not "not sent". */
    public boolean answered() {
        return answered;
    }
}
