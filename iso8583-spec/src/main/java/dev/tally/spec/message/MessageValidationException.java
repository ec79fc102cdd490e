package dev.tally.spec.message;

import java.util.List;
import java.util.stream.Collectors;

/** A message that breaks the catalogue; the message lists every problem by field. */
public class MessageValidationException extends IllegalArgumentException {

    private final List<MessageValidator.Problem> problems;

    public MessageValidationException(List<MessageValidator.Problem> problems) {
        super(problems.stream().map(MessageValidator.Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<MessageValidator.Problem> problems() {
        return problems;
    }

    /** The first field named, for a 30 format-error answer. */
    public int firstField() {
        return problems.isEmpty() ? -1 : problems.get(0).field();
    }
}
