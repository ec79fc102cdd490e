package dev.tally.spec.message;

/**
 * Field 63 of the 0500/0510 (36 digits): debit count (6) + debit amount (12) + credit count (6) +
 * credit amount (12), amounts in minor units. Debits are sales (the cardholder is debited); credits
 * are refunds, which Tally does not send yet, so they are zero.
 */
public record SettlementTotals(long debitCount, long debitAmount, long creditCount, long creditAmount) {

    public SettlementTotals {
        check("debit count", debitCount, 999_999L);
        check("debit amount", debitAmount, 999_999_999_999L);
        check("credit count", creditCount, 999_999L);
        check("credit amount", creditAmount, 999_999_999_999L);
    }

    public static final SettlementTotals ZERO = new SettlementTotals(0, 0, 0, 0);

    public String encode() {
        return String.format("%06d%012d%06d%012d", debitCount, debitAmount, creditCount, creditAmount);
    }

    /**
     * What a fixed-length digit field held instead of its digits, without quoting it: "nothing", "35 characters", or
     * "36 characters, not all digits" (a length alone read "must be 36 digits, got 36 characters").
     */
    static String described(String value) {
        if (value == null) {
            return "nothing";
        }
        return value.length() + " characters" + (value.chars().allMatch(c -> c >= '0' && c <= '9') ? "" : ", not all digits");
    }

    public static SettlementTotals decode(String f63) {
        if (f63 == null || !f63.matches("\\d{36}")) {
            throw new IllegalArgumentException("settlement totals (field 63) must be 36 digits, got "
                    + described(f63));
        }
        return new SettlementTotals(Long.parseLong(f63.substring(0, 6)), Long.parseLong(f63.substring(6, 18)),
                Long.parseLong(f63.substring(18, 24)), Long.parseLong(f63.substring(24, 36)));
    }

    private static void check(String what, long v, long max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(what + " must be 0.." + max + ", got " + v);
        }
    }
}
