package dev.tally.terminal.load;

import dev.tally.spec.codes.ReversalReason;
import dev.tally.terminal.card.CardReader;
import dev.tally.terminal.engine.LateAnswers;
import dev.tally.terminal.engine.PaymentEngine;
import dev.tally.terminal.engine.PaymentResult;
import dev.tally.terminal.engine.ReversalPolicy;
import dev.tally.terminal.engine.SaleVerdict;
import dev.tally.terminal.engine.TerminalProfile;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.journal.Journal;
import java.time.Clock;

/**
 * A terminal of the load that takes every sale through the real engine: journaled NEW, durable SENT
 * before the request leaves, the answer journaled, reversals by the engine's own loop. Many logical
 * terminals share one {@link Journal}, as the terminals of one gateway would.
 */
final class JournalTerminal implements LoadTerminal {

    private final TerminalProfile profile;
    private final HostSession session;
    private final PaymentEngine engine;

    JournalTerminal(String host, int port, TerminalProfile profile, byte[] tmk, CardReader reader, Journal journal,
                    ReversalPolicy policy, Clock clock) {
        this.profile = profile;
        HostLink link = new HostLink(host, port, profile.timeout(), new LateAnswers(journal));
        this.session = new HostSession(link, profile.terminalId(), tmk, () -> journal.nextStan(profile.terminalId()),
                clock, profile.timeout());
        this.engine = new PaymentEngine(journal, session, reader, profile, policy, clock);
    }

    @Override
    public String terminalId() {
        return profile.terminalId();
    }

    @Override
    public void signOn() {
        session.signOn();
    }

    @Override
    public SaleOutcome sale(String orderId, long amountMinor, String cardRef) {
        PaymentResult r;
        try {
            r = engine.sale(orderId, amountMinor, cardRef);
        } catch (HostUnavailableException e) {
            return SaleOutcome.failed("host_unavailable");
        }
        int reversals = r.attempt() == null ? 0 : r.attempt().reversalAttempts();
        String reason = r.attempt() == null ? null : r.attempt().reversalReason();
        String answered = r.attempt() == null ? null : r.attempt().responseCode();
        return switch (r.status()) {
            case APPROVED -> new SaleOutcome("APPROVED", r.responseCode(), true, 0, null);
            case DECLINED -> new SaleOutcome("DECLINED", r.responseCode(), true, 0, null);
            // a reversal for A0 or 06 follows an answer, one without field 39 too: timed as the wire terminal times it
            case IN_PROGRESS, REVERSED, REVERSAL_PENDING, REVERSAL_FAILED -> new SaleOutcome(r.status().name(), r.responseCode(),
                    r.responseCode() != null || ReversalReason.MAC_FAILURE.code().equals(reason)
                            || ReversalReason.OTHER.code().equals(reason), reversals,
                    errorKind(reason, answered));
            case LOCKED, ALREADY_PAID, NOTHING_TO_REVERSE -> new SaleOutcome("REFUSED", null, false, 0,
                    r.status().name().toLowerCase(java.util.Locale.ROOT));
        };
    }

    /**
     * The reversal reason (DESIGN.md §3), and for 06 the answer that led to it, as an error kind of the report. An A0
     * is {@code mac_failure} whether the MAC failed or was missing: the journal keeps the reason, not which.
     */
    private static String errorKind(String reason, String rc) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case "98" -> "no_answer";
            case "A0" -> "mac_failure";
            case "96" -> "terminal_failure";
            case "06" -> { // only after the answer's MAC verified: no_response_code, duplicate, unknown_code_NN, ...
                String kind = SaleOutcome.reversedFor(SaleVerdict.of(rc, true, true), rc);
                yield kind != null ? kind : "reversed_06";
            }
            default -> "reversed_" + reason;
        };
    }

    @Override
    public void close() {
        session.close();
    }
}
