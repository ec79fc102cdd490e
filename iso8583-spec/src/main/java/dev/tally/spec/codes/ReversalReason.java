package dev.tally.spec.codes;

import java.util.Arrays;
import java.util.Optional;

/** Why a terminal reverses a sale; sent in field 39 of the 0400/0401 (DESIGN.md §3). */
public enum ReversalReason {
    NO_RESPONSE("98", "no usable answer from the host (none within the timeout, the connection lost, or an unreadable answer)"),
    MAC_FAILURE("A0", "the response's MAC did not verify"),
    TERMINAL_FAILURE("96", "the terminal could not complete the transaction after approval"),
    OTHER("06", "cancelled at the till or another reason");

    private final String code;
    private final String description;

    ReversalReason(String code, String description) {
        this.code = code;
        this.description = description;
    }

    public String code() {
        return code;
    }

    public String description() {
        return description;
    }

    public static Optional<ReversalReason> ofCode(String code) {
        return Arrays.stream(values()).filter(r -> r.code.equalsIgnoreCase(String.valueOf(code))).findFirst();
    }
}
