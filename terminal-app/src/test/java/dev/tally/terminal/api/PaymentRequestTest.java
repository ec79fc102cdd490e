package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The payment body as the cashier system sends it: one meaning, or a 400 naming the problem. */
class PaymentRequestTest {

    private static PaymentRequest parse(String json) {
        return PaymentRequest.parse(json.getBytes(StandardCharsets.UTF_8), "840");
    }

    /** A key given twice has no one meaning: a proxy reading the first would log another amount than the one charged. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"orderId\": \"INV-2\", \"amount\": \"1.00\", \"amount\": \"500.00\"}",
        "{\"orderId\": \"INV-2\", \"orderId\": \"INV-3\", \"amount\": \"1.00\"}",
        "{\"orderId\": \"INV-2\", \"amount\": \"1.00\", \"card\": \"visa-1\", \"card\": \"mc-1\"}"})
    void aKeyGivenTwiceIsRefused(String json) {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse(json));
        assertEquals(400, p.status);
        assertEquals("MALFORMED_JSON", p.code);
        assertTrue(p.getMessage().matches(".*key '(amount|orderId|card)' is given twice \\(line 1, column \\d+\\).*"),
                p.getMessage());
    }

    /**
     * A currency that is not the terminal's is refused with what is expected; a key or a card number pasted there is
     * not quoted back (a 32-hex key was echoed in full).
     */
    @ParameterizedTest
    @ValueSource(strings = {"0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef0123456789abcdef",
        "4761739001010119", "4761 7390 0101 0119", "041234FEDCBA9876", "0123456789ABCDEF0123456789ABCDEF0A1B2C"})
    void aKeyOrCardNumberGivenAsTheCurrencyIsNotQuotedBack(String secret) {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse("{\"orderId\": \"C-1\", \"amount\": \"1.00\","
                + " \"currency\": \"" + secret + "\"}"));
        assertEquals(400, p.status);
        assertEquals("INVALID_CURRENCY", p.code);
        assertEquals("currency must be this terminal's 3-digit ISO 4217 code 840, or be left out; the value given is not"
                + " quoted back", p.getMessage());
        assertFalse(p.getMessage().contains(secret.substring(0, 12)), p.getMessage());
    }

    @Test
    void anotherCurrencyIsNamedWithTheOneExpected() {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse("{\"orderId\": \"C-1\", \"amount\": \"1.00\","
                + " \"currency\": \"978\"}"));
        assertEquals("INVALID_CURRENCY", p.code);
        assertEquals("currency '978' is not this terminal's: currency must be this terminal's 3-digit ISO 4217 code 840,"
                + " or be left out", p.getMessage());
    }

    /**
     * A body that is not JSON is a 400 MALFORMED_JSON that says what is wrong and where, in words a till's developer
     * acts on: never Jackson's class or feature names, token types or character codes (they were passed on verbatim).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"orderId\": \"B-1\", \"amount\": | line 1, column 29 | the body ends before its JSON does",
        "{\"orderId\": \"B-1\"}{}                | line 1, column 19 | something follows the JSON object",
        "{\"orderId\": \"B-1\"} x                | line 1, column 21 | unexpected text",
        "{'orderId': 'B-1'}                     | line 1, column 2  | unexpected '''",
        "{orderId: 1}                           | line 1, column 2  | expected a key in double quotes",
        "{\"orderId\" \"B-1\"}                  | line 1, column 12 | expected ':' after the key",
        "{\"orderId\": \"B-1\" \"amount\": 1}   | line 1, column 19 | expected ',' or '}' after a value in an object",
        "{\"orderId\": }                        | line 1, column 13 | expected a value",
        "{\"orderId\": \"B-1\",}                 | line 1, column 19 | expected a key in double quotes",
        "{\"orderId\": \"B-1\"]                  | line 1, column 18 | a closing bracket that does not match",
        "{\"amount\": NaN}                      | line 1, column 15 | NaN or Infinity",
        "{\"amount\": 012}                      | line 1, column 13 | a malformed number",
        "{\"amount\": 1.}                       | line 1, column 14 | a number is digits",
        "{\"orderId\": \"B\\x1\"}                  | line 1, column 16 | an unknown escape",
        "`{\n  \"orderId\": \"B-1\"\n  \"amount\": \"1.00\"\n}` | line 3, column 3 | expected ',' or '}'"})
    void malformedJsonSaysWhatAndWhereWithoutJavaNames(String body, String where, String what) {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse(body.replace("\\n", "\n")));
        assertEquals(400, p.status);
        assertEquals("MALFORMED_JSON", p.code);
        String m = p.getMessage();
        assertTrue(m.contains(where), m);
        assertTrue(m.contains(what), m);
        assertPlain(m);
    }

    @Test
    void malformedJsonBeyondTheParsersLimitsSaysWhereToo() {
        for (String body : new String[] {"{\"amount\": " + "1".repeat(1200) + "}", "[".repeat(1100),
            "{\"orderId\": \"B\u0001\"}", "{\"a\": 1}\u0000", "{\"orderId\": \"\u00e9\"}"}) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (body.contains("\u00e9")) {
                bytes = new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xe9, '"', '}'}; // Latin-1, not UTF-8
            }
            byte[] b = bytes;
            ApiProblem p = assertThrows(ApiProblem.class, () -> PaymentRequest.parse(b, "840"));
            assertEquals("MALFORMED_JSON", p.code);
            assertTrue(p.getMessage().matches(".*\\(line \\d+, column \\d+\\).*"), p.getMessage());
            assertPlain(p.getMessage());
        }
    }

    private static void assertPlain(String m) {
        for (String java : new String[] {"`", "com.", "jackson", "Jackson", "JsonNode", "Feature", "START_", "END_", "VALUE_",
            "Exception", "(code", "CTRL-CHAR", "Source:", "REDACTED", "JSON String", "token '"}) {
            assertFalse(m.contains(java), "'" + java + "' in: " + m);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"orderId\": \"INV-2\", \"amount\": \"500.00\"}"})
    void aKeyGivenOnceIsTaken(String json) {
        assertEquals(50_000, parse(json).amount());
    }

    /** "." and ".." are URL path segments: an order so named could be paid and then never asked about or cancelled. */
    @ParameterizedTest
    @ValueSource(strings = {".", "..", "..."})
    void anOrderIdOfOnlyDotsIsRefused(String id) {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse("{\"orderId\": \"" + id + "\", \"amount\": \"1.00\"}"));
        assertEquals("INVALID_ORDER_ID", p.code);
        assertTrue(p.getMessage().contains("only dots"), p.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\" 1.00\"", "\"01.00\"", "\"1.00 \""})
    void anAmountWithSpacesOrALeadingZeroIsRefused(String amount) {
        ApiProblem p = assertThrows(ApiProblem.class, () -> parse("{\"orderId\": \"INV-9\", \"amount\": " + amount + "}"));
        assertEquals("INVALID_AMOUNT", p.code);
    }
}
