package dev.tally.terminal.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.tally.spec.format.Masking;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@code MALFORMED_JSON} answer says: what is wrong with the body, at which line and column, and what to send
 * instead, in words a till's developer acts on. Jackson's own messages name its classes and features
 * ({@code `com.fasterxml.jackson.databind.JsonNode`}, {@code START_OBJECT}, {@code (code 125)}), which mean nothing to
 * the cashier system's team; they are never passed on.
 */
final class MalformedJson {

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'", Pattern.DOTALL);
    /** Jackson describes a character as "'c' (code N)", "'c' (code N / 0xH)" or "(CTRL-CHAR, code N)". */
    private static final Pattern UNEXPECTED = Pattern.compile(
            "Unexpected character \\(.*?code (\\d+)[^)]*\\)\\)(?: in numeric value)?(?::\\s*(.*))?", Pattern.DOTALL);
    private static final Pattern ILLEGAL = Pattern.compile("Illegal (?:unquoted )?character \\(\\(CTRL-CHAR, code (\\d+)\\)\\)(.*)",
            Pattern.DOTALL);

    private MalformedJson() {
    }

    /** The message for a body Jackson could not read as JSON ({@code body}: the bytes it was given). */
    static String describe(JsonProcessingException e, byte[] body, ObjectMapper json) {
        String at = where(e, body, json);
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher x;
        if ((x = DUPLICATE.matcher(m)).matches()) {
            return "key '" + Masking.scrub(x.group(1)) + "' is given twice (" + at + "): give each key once";
        }
        if (e instanceof JsonEOFException) {
            return "the body ends before its JSON does (" + at + "): a closing '}', ']' or '\"' is missing";
        }
        if (e instanceof MismatchedInputException && m.startsWith("Trailing token")) {
            return "something follows the JSON object (" + at + "): send one object and nothing after it";
        }
        if (e instanceof StreamConstraintsException) {
            return (m.startsWith("Number") ? "a number of more than 1000 digits" : m.startsWith("Document nesting")
                    ? "objects or arrays nested more than 1000 deep" : "a value too large to read") + " (" + at + ")";
        }
        if ((x = UNEXPECTED.matcher(m)).matches()) {
            return "unexpected " + character(Integer.parseInt(x.group(1))) + " (" + at + ")" + expected(x.group(2));
        }
        if ((x = ILLEGAL.matcher(m)).matches()) {
            return "a control character, " + character(Integer.parseInt(x.group(1))) + " (" + at + "): "
                    + (x.group(2).contains("string value") ? "inside a string write it escaped (\\n, \\t, \\u0001)"
                    : "only spaces, tabs and line breaks may stand between the JSON's parts");
        }
        if (m.startsWith("Unrecognized token")) {
            return "unexpected text (" + at + "): a value is a string in double quotes (\"12.34\"), a number, true,"
                    + " false, null, an object or an array";
        }
        if (m.startsWith("Invalid UTF-8")) {
            return "bytes that are not UTF-8 (" + at + "): send the body in UTF-8";
        }
        if (m.startsWith("Unexpected close marker")) {
            return "a closing bracket that does not match the one opened before it (" + at + ")";
        }
        if (m.startsWith("Unrecognized character escape")) {
            return "an unknown escape in a string (" + at + "): JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX";
        }
        if (m.startsWith("Non-standard token")) {
            return "NaN or Infinity (" + at + "): JSON has no such number";
        }
        if (m.startsWith("Invalid numeric value")) {
            return "a malformed number (" + at + ")" + (m.contains("Leading zeroes") ? ": no leading zeroes" : "");
        }
        return "not valid JSON (" + at + ")";
    }

    /** What Jackson says it expected, in plain words; empty when it says something else. */
    private static String expected(String what) {
        if (what == null) {
            return "";
        }
        if (what.contains("double-quote to start field name")) {
            return ": expected a key in double quotes, such as \"orderId\"";
        }
        if (what.contains("colon to separate field name and value")) {
            return ": expected ':' after the key";
        }
        if (what.contains("comma to separate Object entries")) {
            return ": expected ',' or '}' after a value in an object";
        }
        if (what.contains("comma to separate Array entries")) {
            return ": expected ',' or ']' after a value in an array";
        }
        if (what.contains("expected a valid value") || what.contains("expected a value")) {
            return ": expected a value (a string in double quotes, a number, true, false, null, an object or an array)";
        }
        if (what.contains("digit") || what.contains("Decimal point")) {
            return ": a number is digits, with a '.' followed by digits";
        }
        return "";
    }

    private static String character(int code) {
        if (code >= 0x21 && code < 0x7f) {
            return "'" + (char) code + "'";
        }
        return String.format("character U+%04X", code);
    }

    /** "line L, column C" of the problem; found by reading the body again when Jackson gave no location. */
    private static String where(JsonProcessingException e, byte[] body, ObjectMapper json) {
        JsonLocation at = e.getLocation();
        if (at == null || at.getLineNr() < 1) {
            try (JsonParser p = json.createParser(body)) {
                try {
                    while (p.nextToken() != null) {
                        // to the token the parser refuses
                    }
                } catch (JsonProcessingException again) {
                    at = p.currentLocation();
                }
            } catch (IOException unreadable) {
                at = null;
            }
        }
        return at == null || at.getLineNr() < 1 ? "position unknown" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
