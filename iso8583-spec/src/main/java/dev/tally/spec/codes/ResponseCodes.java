package dev.tally.spec.codes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The response-code catalogue, read once from {@code response-codes.txt}. */
public final class ResponseCodes {

    public static final String APPROVED = "00";
    public static final String ORIGINAL_NOT_FOUND = "25";
    /** Invalid transaction: the simulator's answer to a sale that arrives after its reversal was answered 25. */
    public static final String INVALID_TRANSACTION = "12";
    /** Invalid amount: the simulator's answer to a sale of zero. */
    public static final String INVALID_AMOUNT = "13";
    public static final String FORMAT_ERROR = "30";
    public static final String INSUFFICIENT_FUNDS = "51";
    /** Not permitted to cardholder: the simulator's answer to a sale in another currency than the card account's. */
    public static final String NOT_PERMITTED_TO_CARDHOLDER = "57";
    public static final String SYSTEM_MALFUNCTION = "96";
    public static final String DUPLICATE = "94";
    public static final String RECONCILE_ERROR = "95";
    public static final String MAC_FAILURE = "A0";
    public static final String SIGN_ON_REQUIRED = "A1";

    private static final Map<String, ResponseCode> CODES = load();

    private ResponseCodes() {
    }

    public static Optional<ResponseCode> find(String code) {
        return Optional.ofNullable(code == null ? null : CODES.get(code.toUpperCase(java.util.Locale.ROOT)));
    }

    /**
     * The catalogue entry for a code; a code the catalogue does not know is treated as a decline
     * with an operator text that names it, so an unexpected host answer never reads as approved.
     */
    public static ResponseCode of(String code) {
        return find(code).orElseGet(() -> new ResponseCode(String.valueOf(code), "Unknown response code",
                "Declined by the bank with code " + code + ": call the acquirer help desk", TerminalAction.DECLINE));
    }

    public static List<ResponseCode> all() {
        return List.copyOf(CODES.values());
    }

    private static Map<String, ResponseCode> load() {
        Map<String, ResponseCode> codes = new LinkedHashMap<>();
        try (InputStream in = ResponseCodes.class.getResourceAsStream("/dev/tally/spec/response-codes.txt")) {
            if (in == null) {
                throw new IllegalStateException("dev/tally/spec/response-codes.txt missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] c = line.split("\\|", -1);
                if (c.length != 4 || c[0].length() != 2) {
                    throw new IllegalStateException("response-codes.txt line " + lineNo + " is malformed: " + line);
                }
                codes.put(c[0], new ResponseCode(c[0], c[1], c[2], TerminalAction.valueOf(c[3].strip())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the response-code catalogue", e);
        }
        return Collections.unmodifiableMap(codes);
    }
}
