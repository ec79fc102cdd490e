package dev.tally.terminal.journal;

import java.time.Instant;
import java.util.Optional;
import org.jpos.iso.ISOUtil;

/**
 * One row of the journal's attempts table: a single request to the host for an order, with what became
 * of it. The PAN is here only masked; the encrypted PAN stays inside the journal
 * ({@link Journal#revealPan(Attempt)}).
 */
public record Attempt(
        long id,
        String terminalId,
        String merchantId,
        String orderRef,
        AttemptKind kind,
        long amount,
        String currency,
        int stan,
        String transmissionTime,
        String localDate,
        String localTime,
        AttemptState state,
        String responseCode,
        String rrn,
        String authCode,
        String maskedPan,
        String reversalReason,
        Integer reversalStan,
        int reversalAttempts,
        Instant nextReversalAt,
        Instant sentAt,
        Instant createdAt,
        Instant updatedAt,
        int batchNumber) {

    public Optional<Instant> nextReversal() {
        return Optional.ofNullable(nextReversalAt);
    }

    public String stanText() {
        return ISOUtil.zeropad(stan, 6);
    }

    /** The batch the attempt is in, as field 60 carries it (n6). */
    public String batchText() {
        return ISOUtil.zeropad(batchNumber, 6);
    }
}
