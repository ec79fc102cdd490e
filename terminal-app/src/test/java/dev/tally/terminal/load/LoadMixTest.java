package dev.tally.terminal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadMixTest {

    private static List<Long> amounts(LoadMix mix) {
        return mix.cycle().stream().map(LoadMix.Entry::amount).toList();
    }

    /** 90 / 5 / 5: every 20 sales in a row (the cycle read round) hold one decline and one timeout. */
    @Test
    void rareEntriesAreSpreadOverTheCycleNotBunchedAtItsEnd() {
        LoadMix mix = LoadMix.parse(List.of("90 0.10", "5 0.05", "5 0.68"), "mix");
        List<Long> c = amounts(mix);
        assertEquals(100, c.size());
        assertEquals(90, Collections.frequency(c, 10L));
        assertEquals(5, Collections.frequency(c, 5L));
        assertEquals(5, Collections.frequency(c, 68L));
        for (int start = 0; start < c.size(); start++) {
            int declines = 0;
            int timeouts = 0;
            for (int k = 0; k < 20; k++) {
                long a = c.get((start + k) % c.size());
                declines += a == 5L ? 1 : 0;
                timeouts += a == 68L ? 1 : 0;
            }
            assertEquals(1, declines, "sales " + start + "-" + (start + 19) + ": " + c);
            assertEquals(1, timeouts, "sales " + start + "-" + (start + 19) + ": " + c);
        }
    }

    @Test
    void equalWeightsKeepTheFileOrderAndUnequalOnesInterleave() {
        assertEquals(List.of(10L, 5L, 68L), amounts(LoadMix.parse(List.of("1 0.10", "1 0.05", "1 0.68"), "mix")));
        assertEquals(List.of(10L, 10L, 5L, 10L), amounts(LoadMix.parse(List.of("3 0.10", "1 0.05"), "mix")));
        assertEquals(List.of(10L, 5L, 10L, 5L), amounts(LoadMix.parse(List.of("2 0.10", "2 0.05"), "mix")));
    }
}
