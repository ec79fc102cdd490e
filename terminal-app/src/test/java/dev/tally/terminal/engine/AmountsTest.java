package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AmountsTest {

    @ParameterizedTest
    @CsvSource({"12.34,1234", "0.01,1", "1,100", "1.5,150", "1.230,123", "999999999.99,99999999999"})
    void decimalTextBecomesMinorUnits(String text, long minor) {
        assertEquals(minor, Amounts.parse(text));
        assertEquals(text.contains(".") && text.length() - text.indexOf('.') == 3 ? text : Amounts.format(minor),
                Amounts.format(minor));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "0", "0.00", "1.234", "abc", "12,34", "1e3", "", " ", "1000000000.00", "+5", "1.2.3"})
    void badAmountsAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Amounts.parse(text));
    }
}
