package dev.tally.terminal.engine;

import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Function;

/**
 * The order lock of DESIGN.md §4: an order whose attempt is paid is refused with ALREADY_PAID and the
 * original STAN/RRN; one whose attempt is uncertain (sent, reversal pending or failed) is refused with
 * LOCKED, the reason and when to retry. Nothing is sent for a refused order.
 */
final class OrderLock {

    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm");

    private final Clock clock;
    private final Duration timeout;
    /** The terminal id this till signs on as: only its own reversals are sent from here (ReversalLoop). */
    private final String terminalId;

    OrderLock(Clock clock, Duration timeout, String terminalId) {
        this.clock = clock;
        this.timeout = timeout;
        this.terminalId = terminalId;
    }

    /**
     * In {@code tally serve}: when its background loop tries a REVERSAL_FAILED attempt again, as the loop reckons it
     * ({@link ReversalLoop#backgroundRetryAt}: now when the slow retry is past); null elsewhere.
     */
    private volatile Function<Attempt, Optional<Instant>> failedRetryAt;

    void failedRetriedInBackground(Function<Attempt, Optional<Instant>> when) {
        this.failedRetryAt = when;
    }

    /** The refusal for a new sale of this order, or empty when the live attempt does not stand in its way. */
    Optional<PaymentResult> refusal(Optional<Attempt> live) {
        if (live.isEmpty()) {
            return Optional.empty();
        }
        Attempt a = live.get();
        if (a.state().isPaid()) {
            return Optional.of(new PaymentResult(a.orderRef(), PaymentStatus.ALREADY_PAID, a.responseCode(),
                    "ALREADY_PAID: order " + a.orderRef() + " was paid " + time(a.createdAt(), HMS) + " (STAN "
                            + a.stanText() + ", RRN " + a.rrn() + (a.authCode() == null ? "" : ", auth " + a.authCode()) + ", "
                            + a.maskedPan()
                            + "); no duplicate payment is taken",
                    a.amount(), a.currency(), a, null));
        }
        if (!a.state().isUncertain()) {
            return Optional.empty();
        }
        String sent = a.sentAt() == null ? "not sent" : "sent " + time(a.sentAt(), HMS);
        Instant retry;
        String why;
        if (!a.terminalId().equals(terminalId)
                && (a.state() == AttemptState.REVERSAL_PENDING || a.state() == AttemptState.REVERSAL_FAILED)) {
            retry = null; // waiting helps nothing: this till never sends another terminal's reversal (ReversalLoop)
            why = "its reversal belongs to terminal " + a.terminalId() + " and this till signs on as " + terminalId
                    + ": run 'tally --terminal-id " + a.terminalId() + " pending --resolve' on this journal (with tally serve"
                    + " stopped: it holds the journal)";
        } else {
            switch (a.state()) {
                case NEW, SENT -> {
                    retry = answerDueBy(a);
                    why = "its request is still waiting for the host's answer";
                }
                case REVERSAL_PENDING -> {
                    retry = reversalAnswerDueBy(a);
                    why = "a reversal is pending (" + a.reversalAttempts() + " tried so far)";
                }
                default -> { // REVERSAL_FAILED
                    Function<Attempt, Optional<Instant>> background = failedRetryAt;
                    Optional<Instant> again = background == null ? Optional.empty() : background.apply(a);
                    if (again.isPresent()) {
                        // serve holds the journal: 'tally pending --resolve' would wait for it; its loop tries again
                        Instant next = again.get();
                        retry = next.plus(timeout);
                        why = "its reversal failed after " + ReversalPolicy.tries(a.reversalAttempts())
                                + "; it is tried again at "
                                + time(ReversalLoop.toTheSecondUp(next), HMS) + " (cancel the order to try it now), or, once the acquirer confirms what"
                                + " became of it, the operator closes it (POST /v1/payments/" + a.orderRef()
                                + "/close, with the operator token)";
                    } else {
                        retry = null;
                        why = "its reversal failed after " + ReversalPolicy.tries(a.reversalAttempts())
                                + "; run 'tally pending"
                                + " --resolve' when the host is back, or, once the acquirer confirms what became of it,"
                                + " close it with 'tally pending --close " + a.orderRef() + " --outcome not-charged|charged"
                                + " --reference TEXT'";
                    }
                }
            }
        }
        String message = "LOCKED: order " + a.orderRef() + " has an unanswered attempt (STAN " + a.stanText() + ", "
                + sent + "); " + why + (retry == null ? "" : ", retry after " + time(roundUp(retry), HM));
        return Optional.of(new PaymentResult(a.orderRef(), PaymentStatus.LOCKED, a.responseCode(), message,
                a.amount(), a.currency(), a, retry));
    }

    /**
     * When a REVERSAL_PENDING attempt is worth asking about again: when its next reversal try's answer is due, the try
     * going at its time or, once that has come (the try is out, or waits for the host), now; never a time already past.
     * The LOCKED refusal and the payment's own answer both give it.
     */
    Instant reversalAnswerDueBy(Attempt a) {
        return (a.nextReversalAt() == null ? clock.instant() : ReversalLoop.notPast(a.nextReversalAt(), clock)).plus(timeout);
    }

    /** When the answer to an attempt still out (NEW, SENT) is due at the latest: its timeout after it went, plus 1 s. */
    Instant answerDueBy(Attempt a) {
        return (a.sentAt() == null ? a.createdAt() : a.sentAt()).plus(timeout).plusSeconds(1);
    }

    private static Instant roundUp(Instant t) {
        Instant m = t.truncatedTo(ChronoUnit.MINUTES);
        return m.equals(t) ? m : m.plus(1, ChronoUnit.MINUTES);
    }

    private String time(Instant t, DateTimeFormatter f) {
        return t.atZone(zone()).format(f);
    }

    private ZoneId zone() {
        return clock.getZone();
    }
}
