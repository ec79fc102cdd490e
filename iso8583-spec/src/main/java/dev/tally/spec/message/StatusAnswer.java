package dev.tally.spec.message;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Field 48 of a status-inquiry answer (0110, processing code 38): what the host knows of the original
 * sale. Text of {@code KEY=VALUE} pairs separated by {@code ;}, in this order:
 * {@code STATE=APPROVED;RC=00;AMOUNT=000000001234;CREDIT=PENDING;CREDIT_DATE=20261123}.
 * CREDIT_DATE is present only for CREDITED (the day it was credited) and PENDING (the expected day).
 */
public record StatusAnswer(OriginalState state, String originalResponseCode, long amount, CreditState credit,
                           LocalDate creditDate) {

    /** What became of the original sale at the host. */
    public enum OriginalState { APPROVED, DECLINED, REVERSED, NOT_FOUND }

    /** Whether the merchant has been credited for it. */
    public enum CreditState { CREDITED, PENDING, NOT_CREDITED, NONE }

    private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;

    public String encode() {
        StringBuilder sb = new StringBuilder();
        sb.append("STATE=").append(state);
        sb.append(";RC=").append(originalResponseCode == null ? "--" : originalResponseCode);
        sb.append(";AMOUNT=").append(String.format("%012d", amount));
        sb.append(";CREDIT=").append(credit);
        if (creditDate != null) {
            sb.append(";CREDIT_DATE=").append(DATE.format(creditDate));
        }
        return sb.toString();
    }

    public static StatusAnswer decode(String f48) {
        if (f48 == null || f48.isEmpty()) {
            throw new IllegalArgumentException("status answer (field 48) is empty");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (String pair : f48.split(";")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("status answer (field 48): '" + pair + "' is not KEY=VALUE");
            }
            kv.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        try {
            OriginalState state = OriginalState.valueOf(required(kv, "STATE"));
            String rc = required(kv, "RC");
            if (!rc.equals("--") && !RESPONSE_CODE.matcher(rc).matches()) {
                // not quoted: it is the host's text, and anything may be in it
                throw new IllegalArgumentException("status answer (field 48): RC is not a 2-character response code");
            }
            long amount = Long.parseLong(required(kv, "AMOUNT"));
            CreditState credit = CreditState.valueOf(required(kv, "CREDIT"));
            LocalDate date = kv.containsKey("CREDIT_DATE") ? LocalDate.parse(kv.get("CREDIT_DATE"), DATE) : null;
            return new StatusAnswer(state, rc.equals("--") ? null : rc, amount, credit, date);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("status answer")) {
                throw iae;
            }
            throw new IllegalArgumentException("status answer (field 48) is malformed: " + e.getMessage(), e);
        }
    }

    /** A response code (field 39's an2: digits and capital letters). */
    private static final java.util.regex.Pattern RESPONSE_CODE = java.util.regex.Pattern.compile("[0-9A-Z]{2}");

    private static String required(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException("status answer (field 48) lacks " + key);
        }
        return v;
    }
}
