package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    @ValueSource(strings = {"-1", "0", "0.00", "1.234", "abc", "12,34", "1e3", "", " ", "1000000000.00", "+5", "1.2.3",
        " 1.00", "1.00 ", "1 000.00", "1.00\n", "01.00", "00.50", "007"})
    void badAmountsAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Amounts.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4761739001010119", "4761 7390 0101 0119", "4761.7390.0101.0119", "4761,7390,0101,0119",
        "4761/7390/0101/0119", "476173900101.0119", "378282246310005",
        "\uff14\uff17\uff16\uff11\uff17\uff13\uff19\uff10\uff10\uff11\uff10\uff11\uff10\uff11\uff11\uff19"})
    void aCardNumberTypedAsAnAmountIsNeverQuotedBack(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Amounts.parse(text));
        String digits = asciiDigits(text);
        assertFalse(asciiDigits(e.getMessage()).contains(digits.substring(6, digits.length() - 4)), e.getMessage());
    }

    /** The digits of any script, as ASCII ('４' is 4). */
    private static String asciiDigits(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().filter(Character::isDigit).forEach(c -> b.append(Character.digit(c, 10)));
        return b.toString();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"' 1.00'|has spaces in it", "01.00|starts with a zero", "0.50|"})
    void spacesAndLeadingZerosAreNamed(String text, String why) {
        if (why == null) {
            assertEquals(50, Amounts.parse(text), "a zero before the point is no leading zero");
            return;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Amounts.parse(text));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"12,34", "abc", "1.234"})
    void otherRefusedAmountsAreQuoted(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Amounts.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }
}
