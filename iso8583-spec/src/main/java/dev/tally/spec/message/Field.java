package dev.tally.spec.message;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The fields Tally speaks, by name. Callers outside iso8583-spec use these names, never raw numbers.
 * {@link Sensitivity} says how the field may be shown to a person or a log (DESIGN.md §3 masking).
 */
public enum Field {
    PAN(2, "primary account number", Sensitivity.PAN),
    PROCESSING_CODE(3, "processing code", Sensitivity.CLEAR),
    AMOUNT(4, "amount, transaction", Sensitivity.CLEAR),
    TRANSMISSION_DATE_TIME(7, "transmission date and time", Sensitivity.CLEAR),
    STAN(11, "system trace audit number", Sensitivity.CLEAR),
    LOCAL_TIME(12, "time, local transaction", Sensitivity.CLEAR),
    LOCAL_DATE(13, "date, local transaction", Sensitivity.CLEAR),
    EXPIRY(14, "date, expiration", Sensitivity.SECRET),
    POS_ENTRY_MODE(22, "point of service entry mode", Sensitivity.CLEAR),
    NII(24, "network international identifier", Sensitivity.CLEAR),
    POS_CONDITION_CODE(25, "point of service condition code", Sensitivity.CLEAR),
    TRACK2(35, "track 2 data", Sensitivity.SECRET),
    RRN(37, "retrieval reference number", Sensitivity.CLEAR),
    AUTH_CODE(38, "authorization identification response", Sensitivity.CLEAR),
    RESPONSE_CODE(39, "response code", Sensitivity.CLEAR),
    TERMINAL_ID(41, "card acceptor terminal identification", Sensitivity.CLEAR),
    MERCHANT_ID(42, "card acceptor identification code", Sensitivity.CLEAR),
    ADDITIONAL_DATA(48, "additional data (status answer)", Sensitivity.CLEAR),
    CURRENCY(49, "currency code, transaction", Sensitivity.CLEAR),
    PIN_BLOCK(52, "PIN data", Sensitivity.SECRET),
    ADDITIONAL_AMOUNTS(54, "additional amounts (balance)", Sensitivity.CLEAR),
    ICC_DATA(55, "ICC system related data (BER-TLV)", Sensitivity.TLV),
    BATCH_DATA(60, "batch number / original data", Sensitivity.CLEAR),
    KEY_BLOCKS(61, "key exchange blocks", Sensitivity.SECRET),
    ORDER_REFERENCE(62, "order reference", Sensitivity.REFERENCE),
    SETTLEMENT_TOTALS(63, "settlement totals", Sensitivity.CLEAR),
    /** field 64, or 128 in a message with a secondary bitmap (see MessageMac) */
    MAC(64, "message authentication code", Sensitivity.CLEAR),
    NETWORK_MANAGEMENT_CODE(70, "network management information code", Sensitivity.CLEAR),
    ORIGINAL_DATA_ELEMENTS(90, "original data elements", Sensitivity.CLEAR),
    /** field 128 (the dialect's "MAC 2"): the MAC of a message with a secondary bitmap (see MessageMac), shown as 64 */
    SECONDARY_MAC(128, "message authentication code (secondary bitmap)", Sensitivity.CLEAR);

    /** How a field may be shown. */
    public enum Sensitivity {
        /** shown as is */
        CLEAR,
        /** shown as first 6 + last 4 */
        PAN,
        /** never shown: track 2, PIN block, keys, expiry */
        SECRET,
        /** BER-TLV: shown tag by tag, sensitive tags hidden */
        TLV,
        /** an order reference: shown as is unless it looks like a card number ({@code OrderReference.shown}) */
        REFERENCE,
        /**
         * a field Tally gives no meaning (reserved, private use, one of ISO 8583's it never reads): what another
         * terminal or host put there, shown as free text whose writer is unknown: card numbers masked, 8 or more bytes
         * as hex (a key, a PIN block) withheld, with the field's length ({@code MessageDecoder})
         */
        UNDESCRIBED
    }

    /**
     * The named field of each number, null where Tally names none: an array, not a map (no boxing, no hashing;
     * the decoder asks twice per field of every message). A number given twice fails the class's initialisation.
     */
    private static final Field[] BY_NUMBER = byNumber();

    private static Field[] byNumber() {
        Field[] all = new Field[Arrays.stream(values()).mapToInt(Field::number).max().orElse(0) + 1];
        for (Field f : values()) {
            if (all[f.number] != null) {
                throw new IllegalStateException("fields " + all[f.number] + " and " + f + " both have number " + f.number);
            }
            all[f.number] = f;
        }
        return all;
    }

    private static Field named(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    private final int number;
    private final String title;
    private final Sensitivity sensitivity;

    Field(int number, String title, Sensitivity sensitivity) {
        this.number = number;
        this.title = title;
        this.sensitivity = sensitivity;
    }

    public int number() {
        return number;
    }

    public String title() {
        return title;
    }

    public Sensitivity sensitivity() {
        return sensitivity;
    }

    /**
     * How any field number may be shown: a named field's own rule; for the unnamed ones that still carry
     * card or key data in ISO 8583:1987 (34 extended PAN, 36 track 3, 45 track 1, 53 security
     * information, 96 message security code) the matching rule; the rest, whose content Tally cannot know,
     * {@link Sensitivity#UNDESCRIBED} (a key or a PIN block in hex in a private field was shown in clear).
     */
    public static Sensitivity sensitivityOf(int number) {
        Field named = named(number);
        if (named != null) {
            return named.sensitivity;
        }
        return switch (number) {
            case 34 -> Sensitivity.PAN;
            case 36, 45, 53, 96 -> Sensitivity.SECRET;
            default -> Sensitivity.UNDESCRIBED;
        };
    }

    private static final Map<String, Integer> BY_KEY =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Field::name, Field::number));

    /**
     * The field number a message-log key names — a Tally name ({@code STAN}) or {@code F} and the number
     * ({@code F47}) — or -1 when it names none. No regular expression or exception per call: a replay
     * sorts and reads every answer's keys.
     */
    public static int numberOfKey(String key) {
        Integer named = BY_KEY.get(key);
        if (named != null) {
            return named;
        }
        int n = key.length();
        if (n < 2 || n > 4 || key.charAt(0) != 'F') {
            return -1;
        }
        int number = 0;
        for (int i = 1; i < n; i++) {
            char ch = key.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            number = number * 10 + (ch - '0');
        }
        return number;
    }

    /** The named field for a number, or null when Tally gives that number no name. */
    public static Field byNumber(int number) {
        return named(number);
    }
}
