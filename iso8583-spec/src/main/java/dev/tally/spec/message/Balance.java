package dev.tally.spec.message;

/**
 * Field 54, additional amounts, as ISO 8583 defines one amount (20 characters): account type (2, "00")
 * + amount type (2, "02" = available balance) + currency (3 digits) + sign ("C" credit / "D" debit) +
 * amount (12 digits, minor units).
 */
public record Balance(long amount, String currency) {

    public String encode() {
        String sign = amount < 0 ? "D" : "C";
        return "0002" + currency + sign + String.format("%012d", Math.abs(amount));
    }

    public static Balance decode(String f54) {
        if (f54 == null || !f54.matches("\\d{4}\\d{3}[CD]\\d{12}")) {
            throw new IllegalArgumentException("balance (field 54) must be 0002 + currency(3) + C/D + 12 digits, got "
                    + (f54 == null ? "nothing" : f54.length() + " characters"));
        }
        long v = Long.parseLong(f54.substring(8, 20));
        return new Balance(f54.charAt(7) == 'D' ? -v : v, f54.substring(4, 7));
    }
}
