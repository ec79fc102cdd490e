package dev.tally.spec.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/** What a JSON parse error says, for a person: Jackson's message without its parser internals. */
public final class JsonProblems {

    /** "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 10]" */
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)]");

    private JsonProblems() {
    }

    /** Jackson's message, with a location it quotes inside it ("start marker at ...") said as "line L, column C". */
    public static String describe(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        return m == null ? e.getClass().getSimpleName() : SOURCE.matcher(m).replaceAll("line $1, column $2");
    }
}
