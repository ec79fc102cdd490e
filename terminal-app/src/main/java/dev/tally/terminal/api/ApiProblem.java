package dev.tally.terminal.api;

/**
 * A request the API refuses before anything is done: HTTP status, a stable error code for programs, the
 * field at fault (or null) and a message a person can act on.
 */
final class ApiProblem extends RuntimeException {
    final int status;
    final String code;
    final String field;
    /** The methods a 405 names in its Allow header; null otherwise. */
    String allow;

    ApiProblem(int status, String code, String field, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    ApiProblem allowing(String methods) {
        this.allow = methods;
        return this;
    }

    static ApiProblem badRequest(String code, String field, String message) {
        return new ApiProblem(400, code, field, message);
    }
}
