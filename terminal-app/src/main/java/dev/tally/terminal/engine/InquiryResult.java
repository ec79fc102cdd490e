package dev.tally.terminal.engine;

/** A balance inquiry's answer; {@code balance} is null unless the host approved it. */
public record InquiryResult(boolean answered, String responseCode, String message, Long balance, String currency,
                            String maskedPan, String stan) {
}
