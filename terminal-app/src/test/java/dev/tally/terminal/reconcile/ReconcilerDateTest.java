package dev.tally.terminal.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The --date / ?date= value: bad input is refused before the journal or the acquirer is asked anything. */
class ReconcilerDateTest {

    @Test
    void aBusinessDateIsYyyyMmDdWithADayBeforeAndAfterIt() {
        assertNull(Reconciler.date(null), "not given: the statement's dates, or today");
        assertEquals(LocalDate.of(2026, 11, 22), Reconciler.date("2026-11-22"));
        assertEquals(LocalDate.of(2026, 11, 22), Reconciler.date(" 2026-11-22 "));
        for (String bad : new String[] {"", " ", "yesterday", "2026-11-31", "26-11-22", "2026/11/22", "+10000-01-01",
            "-0001-01-01", "0000-01-01", "9999-12-31", "1970-01-01", "２０２６-11-22"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reconciler.date(bad), bad);
            assertTrue(e.getMessage().contains("date"), e.getMessage());
        }
        assertEquals(LocalDate.of(9999, 12, 30), Reconciler.date("9999-12-30"));
    }
}
