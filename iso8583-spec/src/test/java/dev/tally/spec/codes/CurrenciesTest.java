package dev.tally.spec.codes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Only ISO 4217 currencies with two decimals: amounts are read and shown in hundredths. */
class CurrenciesTest {

    @ParameterizedTest
    @ValueSource(strings = {"840", "978", "826", "036", "124", "756"})
    void aCurrencyWithTwoDecimalsIsTaken(String code) {
        assertEquals(code, Currencies.requireTwoDecimals(code, "currency"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "392 | currency 392 (JPY) has 0 decimal places",
        "048 | currency 048 (BHD) has 3 decimal places",
        "414 | currency 414 (KWD) has 3 decimal places",
        "999 | currency 999 (XXX) has no minor unit",
        "000 | currency 000 is not an ISO 4217 currency code",
        "123 | currency 123 is not an ISO 4217 currency code",
        "84 | currency must be an ISO 4217 numeric code such as 840 (USD), got '84'",
        "USD | currency must be an ISO 4217 numeric code such as 840 (USD), got 'USD'"})
    void anythingElseIsRefusedSayingWhy(String code, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Currencies.requireTwoDecimals(code, "currency"));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        assertTrue(e.getMessage().contains("840 (USD)"), "names what is taken: " + e.getMessage());
    }
}
