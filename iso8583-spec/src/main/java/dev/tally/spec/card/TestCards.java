package dev.tally.spec.card;

import dev.tally.spec.codes.Currencies;
import dev.tally.spec.format.Masking;
import dev.tally.spec.format.Utf8File;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The test-cards file ({@code id,pan,expiry_yymm,pin,balance,currency,description}; # comments). The
 * bundled file is {@code dev/tally/spec/test-cards.csv}; labs may pass their own with {@code --cards}.
 * Errors name the line and the column, never the PAN or PIN, nor any value that could be a PAN: the only value
 * they quote is the card id, which may not hold 12 or more digits.
 */
public final class TestCards {

    public static final String BUNDLED = "/dev/tally/spec/test-cards.csv";
    private static final DateTimeFormatter YYMM = DateTimeFormatter.ofPattern("yyMM");

    private final Map<String, TestCard> byId;

    private TestCards(Map<String, TestCard> byId) {
        this.byId = byId;
    }

    public static TestCards bundled() {
        try (InputStream in = TestCards.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED + " missing from the classpath");
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "bundled test cards");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestCards load(Path file) {
        String text;
        try {
            text = Utf8File.read(file, "save the cards file as UTF-8 (CSV)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the cards file " + file + ": " + Utf8File.reason(file, e)
                    + " (check the path given to --cards)", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the cards file: " + e.getMessage(), e);
        }
        try {
            return parse(new StringReader(text), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
    }

    /** The bundled cards when {@code file} is null, else the file's. */
    public static TestCards loadOrBundled(Path file) {
        return file == null ? bundled() : load(file);
    }

    public static TestCards parse(Reader reader, String source) throws IOException {
        Map<String, TestCard> cards = new LinkedHashMap<>();
        BufferedReader br = new BufferedReader(reader);
        String line;
        int lineNo = 0;
        while ((line = br.readLine()) != null) {
            lineNo++;
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            String[] c = line.split(",", -1);
            String where = source + " line " + lineNo;
            if (c.length != 7) {
                throw new IllegalArgumentException(where + ": expected 7 columns (id,pan,expiry_yymm,pin,balance,currency,description), got " + c.length);
            }
            String id = c[0].strip();
            String pan = c[1].strip();
            if (id.equalsIgnoreCase("id") && pan.equalsIgnoreCase("pan")) {
                throw new IllegalArgumentException(where + ": a header line must be a comment: start it with #"
                        + " (# id,pan,expiry_yymm,pin,balance,currency,description), as in the bundled cards file");
            }
            if (!id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new IllegalArgumentException(where + ": card id must be 1-32 letters, digits, - or _");
            }
            if (Masking.mayBeCardNumber(id)) {
                // the id is quoted by the errors below and shown in logs and the admin API: it must never be a PAN
                // (a line with the first two columns swapped would have put one there)
                throw new IllegalArgumentException(where + ": column 1 (card id) holds " + Masking.MIN_PAN_DIGITS
                        + " or more digits: a card id names a card (e.g. visa-1), it is not a PAN; the PAN goes in column 2"
                        + " (columns: id,pan,expiry_yymm,pin,balance,currency,description)");
            }
            if (!pan.matches("\\d{" + Masking.MIN_PAN_DIGITS + ",19}") || !Masking.luhnValid(pan)) {
                throw new IllegalArgumentException(where + ": PAN of card " + id + " must be 12-19 digits and pass the Luhn check");
            }
            YearMonth expiry;
            try {
                expiry = YearMonth.parse(c[2].strip(), YYMM);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(where + ": expiry of card " + id + " must be YYMM");
            }
            String pin = c[3].strip();
            if (!pin.matches("\\d{4,12}")) {
                throw new IllegalArgumentException(where + ": PIN of card " + id + " must be 4-12 digits");
            }
            long balance = balance(c[4].strip(), where + ": balance of card " + id);
            String currency = c[5].strip();
            if (!currency.matches("\\d{3}")) {
                throw new IllegalArgumentException(where + ": currency of card " + id + " must be an ISO 4217 numeric code");
            }
            // the format was checked above without quoting the value (a shifted column could hold a PAN): only 3 digits
            // reach this, which may quote them
            Currencies.requireTwoDecimals(currency, where + ": currency of card " + id);
            if (cards.containsKey(id) || cards.values().stream().anyMatch(t -> t.pan().equals(pan))) {
                throw new IllegalArgumentException(where + ": card " + id + " repeats an id or PAN already in the file");
            }
            cards.put(id, new TestCard(id, pan, expiry, pin, balance, currency, c[6].strip()));
        }
        if (cards.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no cards");
        }
        return new TestCards(cards);
    }

    /**
     * The most a balance may be: 9999999999.99, the largest amount ISO 8583 carries (12 digits in minor units: field 4,
     * and the balance of a balance inquiry's answer in field 54).
     */
    static final BigDecimal MAX_BALANCE = new BigDecimal("9999999999.99");

    /**
     * A balance as a person writes it in major units (10000.00, 10.5, 0), in minor units. Only plain non-negative
     * decimals: BigDecimal alone would take -5.00 (an account opened in debt) and 1E+3. Errors say what to write; they
     * never quote the value (a PAN in the wrong column must not be printed).
     */
    static long balance(String text, String what) {
        String example = "; write it in major units with at most 2 decimals, e.g. 10000.00";
        if (text.startsWith("-")) {
            throw new IllegalArgumentException(what + " is negative: a test card opens with 0.00 or more" + example);
        }
        if (!text.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException(what + " must be a plain amount: digits, then a point and at most 2"
                    + " decimals (no sign, exponent, thousands separator or currency)" + example);
        }
        BigDecimal amount = new BigDecimal(text);
        if (amount.scale() > 2) {
            throw new IllegalArgumentException(what + " has more than 2 decimals" + example);
        }
        if (amount.compareTo(MAX_BALANCE) > 0) {
            throw new IllegalArgumentException(what + " is more than " + MAX_BALANCE.toPlainString() + ", the largest"
                    + " amount ISO 8583 carries (12 digits in minor units); write " + MAX_BALANCE.toPlainString() + " or less");
        }
        return amount.movePointRight(2).longValueExact();
    }

    public List<TestCard> all() {
        return new ArrayList<>(byId.values());
    }

    /** The first card of the file: what the lab reader reads when the cashier names none. */
    public TestCard defaultCard() {
        return byId.values().iterator().next();
    }

    /** By id, or by full PAN. */
    public Optional<TestCard> find(String idOrPan) {
        if (idOrPan == null) {
            return Optional.empty();
        }
        TestCard c = byId.get(idOrPan);
        if (c != null) {
            return Optional.of(c);
        }
        return byId.values().stream().filter(t -> t.pan().equals(idOrPan)).findFirst();
    }

    /** The first card whose PAN ends in these four digits (replay's default card map). */
    public Optional<TestCard> byLast4(String last4) {
        return byId.values().stream().filter(t -> t.pan().endsWith(last4)).findFirst();
    }
}
