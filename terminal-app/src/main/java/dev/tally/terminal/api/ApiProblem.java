package dev.tally.terminal.api;

/**
 * A request the API refuses before anything is done: HTTP status, a stable error code for programs, the
 * field at fault (or null) and a message a person can act on.
 */
final class ApiProblem extends RuntimeException {
    final int status;
    final String code;
    final String field;

    ApiProblem(int status, String code, String field, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    static ApiProblem badRequest(String code, String field, String message) {
        return new ApiProblem(400, code, field, message);
    }
}
