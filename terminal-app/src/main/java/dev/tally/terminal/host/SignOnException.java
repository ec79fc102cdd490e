package dev.tally.terminal.host;

/** Sign-on did not give the terminal usable session keys; no financial message can be sent. */
public class SignOnException extends HostUnavailableException {
    public SignOnException(String message, Throwable cause) {
        super(message, cause);
    }
}
