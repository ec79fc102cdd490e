package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A body's declared charset: UTF-8 under any of its names is taken, anything else refused (415). */
class CharsetTest {

    @Test
    void utf8ByAnyOfItsNames() {
        for (String name : new String[] {"utf-8", "UTF-8", "utf8", "UTF8"}) {
            assertTrue(CashierApi.isUtf8(name), name);
        }
        for (String name : new String[] {"iso-8859-1", "latin1", "utf-16", "no-such-charset", "", "utf 8"}) {
            assertFalse(CashierApi.isUtf8(name), name);
        }
    }
}
