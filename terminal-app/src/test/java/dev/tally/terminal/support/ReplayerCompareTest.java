package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.spec.card.TestCards;
import dev.tally.terminal.support.Recording.Outcome;
import dev.tally.terminal.support.Recording.Recorded;
import dev.tally.terminal.support.Replayer.Difference;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** The field diff of one answer: every field of either side, the ignored ones left out, in field order. */
class ReplayerCompareTest {

    private static Replayer replayer(Set<String> ignored) {
        // never connects: compare needs no host
        return new Replayer("127.0.0.1", 9, new byte[16], CardMap.defaults(TestCards.bundled()),
                Clock.systemUTC(), Duration.ofSeconds(1), 0, ignored);
    }

    private static Recorded recorded(Map<String, String> response) {
        return new Recorded(1, "line 1", 0, "m1", new ISOMsg("0200"), Outcome.ANSWERED, response, false, false);
    }

    @Test
    void differencesOnEitherSideComeInFieldOrderAndIgnoredFieldsStayOut() {
        // Map.of iterates in no particular order: the differences come out in field order all the same
        Map<String, String> before = Map.of("RESPONSE_CODE", "00", "STAN", "000017", "AUTH_CODE", "123456",
                "F63", "old", "ADDITIONAL_DATA", "same", "RRN", "632600000001");
        Map<String, String> after = Map.of("F63", "new", "RESPONSE_CODE", "51", "STAN", "000099",
                "ADDITIONAL_DATA", "same", "ADDITIONAL_AMOUNTS", "x", "RRN", "632600000002");

        List<Difference> d = replayer(Set.of("RRN")).compare(recorded(before), Outcome.ANSWERED, after, "000099");

        assertEquals(List.of(
                new Difference("AUTH_CODE", 38, "123456", null),
                new Difference("RESPONSE_CODE", 39, "00", "51"),
                new Difference("ADDITIONAL_AMOUNTS", 54, null, "x"),
                new Difference("F63", 63, "old", "new")), d);
    }

    @Test
    void theSameAnswerHasNoDifference() {
        Map<String, String> fields = Map.of("RESPONSE_CODE", "00", "STAN", "000003", "AUTH_CODE", "654321");
        Map<String, String> answer = Map.of("RESPONSE_CODE", "00", "STAN", "000009", "AUTH_CODE", "654321");
        assertEquals(List.of(), replayer(Set.of()).compare(recorded(fields), Outcome.ANSWERED, answer, "000009"));
    }
}
