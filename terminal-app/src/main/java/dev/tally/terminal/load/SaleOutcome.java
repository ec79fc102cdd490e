package dev.tally.terminal.load;

/**
 * What became of one sale of the load. {@code result}: APPROVED, DECLINED, REVERSED, REVERSAL_PENDING,
 * REVERSAL_FAILED, REFUSED or ERROR; {@code answered} whether the host's answer to the sale arrived (only
 * answered sales go into the latency histogram: a timeout measures the timeout, not the host);
 * {@code error} a short kind (no_answer, broken_link, mac_failure, host_unavailable, …) or null.
 */
public record SaleOutcome(String result, String responseCode, boolean answered, int reversalsSent, String error) {

    public static SaleOutcome failed(String kind) {
        return new SaleOutcome("ERROR", null, false, 0, kind);
    }
}
