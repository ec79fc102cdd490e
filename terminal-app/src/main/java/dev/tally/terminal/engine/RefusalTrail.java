package dev.tally.terminal.engine;

import dev.tally.spec.format.Masking;
import dev.tally.spec.message.OrderReference;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.Journal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A payment the order lock refused (LOCKED, ALREADY_PAID) written on the audit trail of the attempt that holds the
 * order, so {@code tally report} shows what the cashier saw: "request refused: sale of 30.00 840 (card
 * 476173******0119), nothing sent; the cashier was told: LOCKED: ...". No state change, no attempt, nothing sent.
 *
 * <p>A till or a cashier retrying in a loop must not grow the journal without bound, nor make a durable commit per
 * retry: per attempt, the first refusal is written, then at most one per {@link #WINDOW}; the ones in between are
 * counted (in this process) and the next one written says how many there were. The journal's latest refusal of the
 * attempt is asked too, once per attempt and process, so one-shot {@code tally sale}s in a loop (a process each) write
 * one a minute as well; their count is not kept. {@code Journal.lastEvent} ("why is it still here", {@code tally
 * pending}) passes over refusals.
 *
 * <p>Only refused payments reach this: a payment that is not refused costs nothing more. The write takes no lock of
 * the order's: it goes into the journal's group commit like any other change, and a write that fails is logged and
 * never changes the refusal the cashier gets.
 */
final class RefusalTrail {

    private static final Logger log = LoggerFactory.getLogger(RefusalTrail.class);
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** How the audit trail's refusal events start. */
    static final String PREFIX = AttemptEvent.REFUSED;

    /** At most one refusal event per attempt within this. */
    static final Duration WINDOW = Duration.ofSeconds(60);

    /** Past this many attempts remembered, the ones whose window has passed are dropped. */
    private static final int REMEMBERED = 1_000;

    private final Journal journal;
    private final Clock clock;

    /** Per attempt id: when its last refusal was written (or seen in the journal), and the refusals since. */
    private final ConcurrentHashMap<Long, Written> written = new ConcurrentHashMap<>();

    private record Written(Instant at, int since) {
    }

    RefusalTrail(Journal journal, Clock clock) {
        this.journal = journal;
        this.clock = clock;
    }

    /**
     * Writes {@code refusal} (a LOCKED or ALREADY_PAID result whose attempt holds the order) on that attempt's trail,
     * unless the window says not; {@code asked} says what was refused ("sale of 30.00 840 (card ...)"). Returns
     * {@code refusal} as it is, whatever became of the write.
     */
    PaymentResult record(PaymentResult refusal, String asked) {
        Attempt a = refusal.attempt();
        if (a == null) {
            return refusal;
        }
        Instant now = clock.instant();
        Written[] previous = {null};
        boolean[] write = {false};
        try {
            // decided atomically per attempt: two refusals at once write one event, not two
            written.compute(a.id(), (id, w) -> {
                if (w != null && now.isBefore(w.at().plus(WINDOW)) && !now.isBefore(w.at())) {
                    return new Written(w.at(), w.since() + 1);
                }
                previous[0] = w;
                write[0] = true;
                return new Written(now, 0);
            });
            if (!write[0]) {
                return refusal; // counted: one was written less than the window ago
            }
            if (previous[0] == null) {
                Optional<AttemptEvent> last = journal.lastRefusal(a.id());
                if (last.isPresent() && !now.isBefore(last.get().at())
                        && now.isBefore(last.get().at().plus(WINDOW))) {
                    // written by another process a moment ago: counted from there, with any counted here meanwhile
                    written.compute(a.id(), (id, w) -> new Written(last.get().at(),
                            1 + (w != null && w.at().equals(now) ? w.since() : 0)));
                    return refusal;
                }
            }
            journal.noteRefusal(a.id(), now, detail(refusal, asked, previous[0]));
            prune(now);
        } catch (RuntimeException e) {
            if (write[0]) {
                // not written after all: the window starts again from what was written before, with this refusal and
                // any counted meanwhile added to its count (when none was written before, the next refusal is written
                // and those are not counted), else no refusal of this attempt would be written for a minute
                written.computeIfPresent(a.id(), (id, w) -> !w.at().equals(now) ? w : previous[0] == null ? null
                        : new Written(previous[0].at(), previous[0].since() + 1 + w.since()));
            }
            log.warn("order {}: the refusal could not be written on the audit trail of STAN {}: {}",
                    OrderReference.shown(refusal.orderId()), a.stanText(), Masking.scrub(String.valueOf(e.getMessage())));
        }
        return refusal;
    }

    private String detail(PaymentResult refusal, String asked, Written previous) {
        int since = previous == null ? 0 : previous.since();
        return PREFIX + asked + ", nothing sent; the cashier was told: " + refusal.message()
                + (since == 0 ? "" : " (" + since + " more refusal" + (since == 1 ? "" : "s") + " since the one written at "
                + previous.at().atZone(clock.getZone()).format(HMS) + ", not written one by one)");
    }

    private void prune(Instant now) {
        if (written.size() > REMEMBERED) {
            written.values().removeIf(w -> !now.isBefore(w.at().plus(WINDOW)));
        }
    }

    /** "sale of 30.00 840 (card 476173******0119)" */
    static String sale(long amountMinor, String currency, String maskedPan) {
        return "sale of " + Amounts.format(amountMinor) + " " + currency + (maskedPan == null ? "" : " (card " + maskedPan + ")");
    }
}
