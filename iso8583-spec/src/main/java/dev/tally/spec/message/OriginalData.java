package dev.tally.spec.message;

/**
 * Field 90, original data elements (n42): the message a reversal or status inquiry refers to.
 * Layout: original MTI (4) + original STAN (6) + original transmission date/time MMDDhhmmss (10) +
 * acquiring institution id (11, zero-filled) + forwarding institution id (11, zero-filled).
 */
public record OriginalData(String mti, int stan, String transmissionDateTime, String acquirerId, String forwarderId) {

    public OriginalData {
        if (mti == null || !mti.matches("\\d{4}")) {
            throw new IllegalArgumentException("original MTI must be 4 digits, got " + mti);
        }
        if (stan < 0 || stan > 999_999) {
            throw new IllegalArgumentException("original STAN must be 0..999999, got " + stan);
        }
        if (transmissionDateTime == null || !transmissionDateTime.matches("\\d{10}")) {
            throw new IllegalArgumentException("original transmission date/time must be MMDDhhmmss, got " + transmissionDateTime);
        }
        acquirerId = acquirerId == null ? "00000000000" : acquirerId;
        forwarderId = forwarderId == null ? "00000000000" : forwarderId;
        if (!acquirerId.matches("\\d{11}") || !forwarderId.matches("\\d{11}")) {
            throw new IllegalArgumentException("institution ids in field 90 must be 11 digits");
        }
    }

    public OriginalData(String mti, int stan, String transmissionDateTime) {
        this(mti, stan, transmissionDateTime, null, null);
    }

    public String encode() {
        return mti + String.format("%06d", stan) + transmissionDateTime + acquirerId + forwarderId;
    }

    public static OriginalData decode(String f90) {
        if (f90 == null || !f90.matches("\\d{42}")) {
            throw new IllegalArgumentException("field 90 must be 42 digits, got "
                    + SettlementTotals.described(f90));
        }
        return new OriginalData(f90.substring(0, 4), Integer.parseInt(f90.substring(4, 10)), f90.substring(10, 20),
                f90.substring(20, 31), f90.substring(31, 42));
    }
}
