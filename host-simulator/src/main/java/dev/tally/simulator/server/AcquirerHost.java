package dev.tally.simulator.server;

import dev.tally.simulator.ledger.ClaimedOriginal;
import dev.tally.simulator.ledger.CreditPolicy;
import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.simulator.ledger.ReversalResult;
import dev.tally.simulator.ledger.SaleRequest;
import dev.tally.simulator.ledger.SaleResult;
import dev.tally.simulator.ledger.SettlementResult;
import dev.tally.simulator.ledger.TxnState;
import dev.tally.simulator.scenario.Action;
import dev.tally.spec.card.TestCard;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.crypto.PinBlock;
import dev.tally.spec.crypto.SessionKeys;
import dev.tally.spec.message.Balance;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OrderReference;
import dev.tally.spec.message.OriginalData;
import dev.tally.spec.message.SettlementTotals;
import dev.tally.spec.message.StatusAnswer;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acquirer's decisions for every message of SPEC.md, on a request that already passed format
 * validation: what to apply to the ledger and what to answer. No sockets here: the answer (or none) goes
 * back to {@link HostRequestListener}, which delivers it as the scenario says.
 */
final class AcquirerHost {

    private static final Logger LOG = LoggerFactory.getLogger(AcquirerHost.class);

    private final Ledger ledger;
    private final SessionKeyStore keys;
    private final Map<String, TestCard> cardsByPan;
    private final boolean macRequired;
    private final Clock clock;

    AcquirerHost(Ledger ledger, SessionKeyStore keys, List<TestCard> cards, boolean macRequired, Clock clock) {
        this.ledger = ledger;
        this.keys = keys;
        this.cardsByPan = cards.stream().collect(Collectors.toUnmodifiableMap(TestCard::pan, Function.identity()));
        this.macRequired = macRequired;
        this.clock = clock;
    }

    /**
     * The answer to send, or null when the host sends none: a reversal the scenario's policy drops, or a request the
     * scenario drops ({@link ScenarioGate#dropped()}: nothing applied). The scenario is asked through {@code gate}
     * once the host's own checks have passed, never before (docs/simulator.md §2).
     */
    ISOMsg handle(ISOMsg request, MessageType type, ScenarioGate gate) {
        MessageView v = MessageView.of(request);
        return switch (type) {
            case SIGN_ON -> signOn(request, v, gate);
            case ECHO -> echo(request, gate);
            case SALE -> sale(request, v, gate);
            case BALANCE_INQUIRY -> balanceInquiry(request, v, gate);
            case STATUS_INQUIRY -> statusInquiry(request, v, gate);
            case REVERSAL, REVERSAL_REPEAT -> reversal(request, v, gate);
            case SETTLEMENT -> settlement(request, v, gate, false);
            case SETTLEMENT_TRAILER -> settlement(request, v, gate, true);
            case BATCH_UPLOAD -> upload(request, v, gate);
        };
    }

    /** The session keys a MACed answer to this terminal is signed with, if any. */
    Optional<SessionKeys> keysFor(String terminalId) {
        return keys.keysFor(terminalId);
    }

    // ---------------------------------------------------------------- network management

    private ISOMsg signOn(ISOMsg request, MessageView v, ScenarioGate gate) {
        Action action = gate.decide();
        if (action.dropRequest()) {
            return null;
        }
        String code = override(action, "00");
        MessageBuilder b = MessageBuilder.responseTo(request).responseCode(code);
        if (code.equals("00")) {
            b.keyBlocks(keys.signOn(v.terminalId()));
            LOG.info("terminal {} signed on: new session keys issued under the TMK", v.terminalId());
        }
        return b.build();
    }

    private static ISOMsg echo(ISOMsg request, ScenarioGate gate) {
        Action action = gate.decide();
        return action.dropRequest() ? null
                : MessageBuilder.responseTo(request).responseCode(override(action, "00")).build();
    }

    // ---------------------------------------------------------------- sale (SPEC.md §4.3)

    private ISOMsg sale(ISOMsg request, MessageView v, ScenarioGate gate) {
        String tid = v.terminalId();
        Optional<SessionKeys> sk = keys.keysFor(tid);
        // A duplicate is answered 94 with the original's RRN whatever else is wrong with it now (its MAC under keys
        // a new sign-on replaced, say). The answers that record nothing look for the original first; every other
        // path records the sale, and recordSale finds a duplicate inside its transaction (one lookup, not two).
        String macProblem = macProblem(request, sk);
        if (macProblem != null) {
            return duplicateOr(request, v, sk, () -> macFailure(request, macProblem, sk));
        }
        TestCard card = cardsByPan.get(v.pan());
        String decline = cardProblem(v, card, sk);
        if (decline == null && !card.currency().equals(v.currency())) {
            // the card's account is in another currency and the simulator converts nothing: debiting 1,000 minor
            // units of one currency from a balance kept in another would put a wrong number in the books
            decline = NOT_IN_THE_CARDS_CURRENCY;
        }
        if (decline == null && v.amount() <= 0) {
            decline = ResponseCodes.INVALID_AMOUNT; // a sale of nothing: approving it would book an auth code for 0.00
        }
        Action action = Action.NORMAL;
        if (decline == null && gate.mayDecide()) {
            // the scenario comes after the duplicate, MAC and card checks (docs/simulator.md §2): a duplicate is answered
            // 94 and uses up no rule. recordSale finds one inside its transaction too, but that is after the scenario;
            // so a sale a rule could decide is looked up first (a sale no rule could decide is spared the lookup).
            // So is a sale whose reversal came first and was answered 25: recordSale refuses it 12, and that refusal is
            // answered once, plainly; a rule's drop, close, second copy or garbage would hide it from the terminal
            Ledger.Arrival arrival = ledger.arrival(v.terminalId(), v.stan(), v.transmissionDateTime(), v.amount(),
                    v.maskedPan(), v.orderReference().orElse(null));
            if (arrival.duplicateRrn() != null) {
                return duplicate(request, v, arrival.duplicateRrn(), sk);
            }
            if (!arrival.afterReversal()) {
                action = gate.decide();
                if (action.dropRequest()) {
                    return null;
                }
                if (action.respond() != null && !action.respond().equals("00")) {
                    decline = action.respond();
                }
            }
        }
        if (decline != null && decline.equals(ResponseCodes.SIGN_ON_REQUIRED)) {
            return duplicateOr(request, v, sk, () -> macFailure(request, ResponseCodes.SIGN_ON_REQUIRED, sk));
        }
        CreditPolicy credit = action.credit() != null ? action.credit() : CreditPolicy.IMMEDIATE;
        SaleResult result = ledger.recordSale(new SaleRequest(tid, v.merchantId(), v.stan(), v.transmissionDateTime(),
                v.orderReference().orElse(null), v.amount(), v.currency(), card == null ? null : card.id(), v.maskedPan(),
                decline, credit, action.reversals(), v.batchNumber() > 0 ? v.batchNumber() : null));
        LedgerTransaction t = result.transaction();
        if (result.duplicate()) {
            return duplicate(request, v, t.rrn(), sk);
        }
        MessageBuilder b = MessageBuilder.responseTo(request).responseCode(t.responseCode()).rrn(t.rrn());
        if (t.state() == TxnState.APPROVED) {
            b.authCode(t.authCode());
        }
        if (LOG.isDebugEnabled()) { // String.format on every sale otherwise, logged or not
            LOG.debug("sale {} STAN {} {} amount {} -> {}", tid, String.format("%06d", v.stan()), v.maskedPan(), v.amount(),
                    t.responseCode());
        }
        return finish(b, sk);
    }

    /**
     * The answer to a sale in another currency than the card account's (SPEC.md §4.3): 57, transaction not permitted
     * to cardholder, nothing debited.
     */
    static final String NOT_IN_THE_CARDS_CURRENCY = ResponseCodes.NOT_PERMITTED_TO_CARDHOLDER;

    /** 94 when the ledger holds this sale already (same terminal, STAN and transmission time), else {@code answer}. */
    private ISOMsg duplicateOr(ISOMsg request, MessageView v, Optional<SessionKeys> sk, Supplier<ISOMsg> answer) {
        Optional<String> rrn = ledger.saleRrn(v.terminalId(), v.stan(), v.transmissionDateTime());
        return rrn.isPresent() ? duplicate(request, v, rrn.get(), sk) : answer.get();
    }

    private static ISOMsg duplicate(ISOMsg request, MessageView v, String rrn, Optional<SessionKeys> sk) {
        LOG.info("duplicate sale from {} STAN {} field 7 {}: answered 94, nothing applied", v.terminalId(),
                String.format("%06d", v.stan()), v.transmissionDateTime());
        return finish(MessageBuilder.responseTo(request).responseCode(ResponseCodes.DUPLICATE).rrn(rrn), sk);
    }

    /**
     * Card checks of SPEC.md §4.3 in order: known PAN (14), expiry equal to the card's and not past (54),
     * the PIN when field 52 is present (55). A1 when a PIN block comes from a terminal without session keys.
     */
    private String cardProblem(MessageView v, TestCard card, Optional<SessionKeys> sk) {
        if (card == null) {
            return "14";
        }
        Optional<YearMonth> expiry = v.expiry();
        if (expiry.isEmpty() || !expiry.get().equals(card.expiry()) || card.expiry().isBefore(YearMonth.now(clock))) {
            return "54";
        }
        Optional<byte[]> pinBlock = v.pinBlock();
        if (pinBlock.isPresent()) {
            if (sk.isEmpty()) {
                return ResponseCodes.SIGN_ON_REQUIRED;
            }
            byte[] clear = PinBlock.decrypt(pinBlock.get(), sk.get().pinKey());
            try {
                String pin = PinBlock.extractPin(clear, v.pan());
                if (!MessageDigest.isEqual(pin.getBytes(StandardCharsets.US_ASCII), card.pin().getBytes(StandardCharsets.US_ASCII))) {
                    return "55";
                }
            } catch (IllegalArgumentException e) {
                // not a format 0 block under this PIN key for this PAN: a wrong PIN as far as the cardholder is concerned
                return "55";
            } finally {
                Arrays.fill(clear, (byte) 0);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- balance inquiry (SPEC.md §4.4)

    private ISOMsg balanceInquiry(ISOMsg request, MessageView v, ScenarioGate gate) {
        Optional<SessionKeys> sk = keys.keysFor(v.terminalId());
        String macProblem = macProblem(request, sk);
        if (macProblem != null) {
            return macFailure(request, macProblem, sk);
        }
        TestCard card = cardsByPan.get(v.pan());
        String code = cardProblem(v, card, sk);
        if (code != null && code.equals(ResponseCodes.SIGN_ON_REQUIRED)) {
            return macFailure(request, code, sk);
        }
        if (code == null) {
            Action action = gate.decide(); // after the MAC and card checks (docs/simulator.md §2)
            if (action.dropRequest()) {
                return null;
            }
            code = override(action, "00");
        }
        MessageBuilder b = MessageBuilder.responseTo(request).responseCode(code).rrn(ledger.nextRrn());
        if (code.equals("00")) {
            b.balance(new Balance(ledger.balance(card.id()), card.currency()));
        }
        return finish(b, sk);
    }

    /**
     * The answer that stops a status inquiry, reversal or upload before the ledger: a MAC that does not verify
     * (A0/A1), or, once it does, a code the scenario imposes. Null when the request goes on, or when the scenario
     * dropped it ({@link ScenarioGate#dropped()}).
     */
    private ISOMsg refusal(ISOMsg request, Optional<SessionKeys> sk, ScenarioGate gate) {
        String macProblem = macProblem(request, sk);
        if (macProblem != null) {
            return macFailure(request, macProblem, sk);
        }
        Action action = gate.decide();
        if (!action.dropRequest() && action.respond() != null && !action.respond().equals("00")) {
            return finish(MessageBuilder.responseTo(request).responseCode(action.respond()), sk);
        }
        return null;
    }

    // ---------------------------------------------------------------- status inquiry (SPEC.md §4.5)

    private ISOMsg statusInquiry(ISOMsg request, MessageView v, ScenarioGate gate) {
        Optional<SessionKeys> sk = keys.keysFor(v.terminalId());
        ISOMsg refused = refusal(request, sk, gate);
        if (refused != null || gate.dropped()) {
            return refused;
        }
        OriginalData original = v.originalData().orElseThrow();
        Optional<LedgerTransaction> found = ledger.transaction(v.terminalId(), original.stan(), original.transmissionDateTime());
        String asked = v.orderReference().orElse(null);
        if (found.isPresent() && asked != null && found.get().orderRef() != null && !found.get().orderRef().equals(asked)) {
            // the key (terminal + STAN + field 7) is unique per terminal journal only: a new journal's sale can share
            // an older one's key. That sale's approval is not this order's to report, as a reversal may not undo it
            LOG.warn("status inquiry from {} STAN {} for order {} names original STAN {} at {}, which the ledger holds"
                            + " for order {}: answered as not found (25)", v.terminalId(), String.format("%06d", v.stan()),
                    OrderReference.shown(asked), String.format("%06d", original.stan()), original.transmissionDateTime(),
                    OrderReference.shown(found.get().orderRef()));
            found = Optional.empty();
        }
        if (found.isEmpty()) {
            return finish(MessageBuilder.responseTo(request).responseCode(ResponseCodes.ORIGINAL_NOT_FOUND)
                    .statusAnswer(new StatusAnswer(StatusAnswer.OriginalState.NOT_FOUND, null, 0,
                            StatusAnswer.CreditState.NONE, null)), sk);
        }
        LedgerTransaction t = found.get();
        MessageBuilder b = MessageBuilder.responseTo(request).responseCode("00")
                .statusAnswer(new StatusAnswer(StatusAnswer.OriginalState.valueOf(t.state().name()), t.responseCode(),
                        t.amount(), StatusAnswer.CreditState.valueOf(t.creditState().name()), t.creditDate()));
        if (t.state() == TxnState.APPROVED) {
            b.rrn(t.rrn()).authCode(t.authCode());
        }
        return finish(b, sk);
    }

    // ---------------------------------------------------------------- reversal (SPEC.md §4.6)

    private ISOMsg reversal(ISOMsg request, MessageView v, ScenarioGate gate) {
        Optional<SessionKeys> sk = keys.keysFor(v.terminalId());
        ISOMsg refused = refusal(request, sk, gate);
        if (refused != null || gate.dropped()) {
            return refused;
        }
        Action action = gate.decision().action();
        OriginalData original = v.originalData().orElseThrow();
        ReversalResult r = ledger.reverse(v.terminalId(), v.mti(), v.stan(), v.transmissionDateTime(), original.stan(),
                original.transmissionDateTime(), v.responseCode(),
                new ClaimedOriginal(v.amount(), v.maskedPan(), v.orderReference().orElse(null)), action.reversals());
        switch (r.outcome()) {
            case DROPPED -> {
                LOG.info("reversal {} from {} STAN {} of original STAN {} dropped (reversal {} received for it)", v.mti(),
                        v.terminalId(), String.format("%06d", v.stan()), String.format("%06d", original.stan()),
                        r.original().reversalCount());
                return null;
            }
            case NOT_FOUND -> {
                return finish(MessageBuilder.responseTo(request).responseCode(ResponseCodes.ORIGINAL_NOT_FOUND), sk);
            }
            default -> {
                return finish(MessageBuilder.responseTo(request).responseCode("00"), sk);
            }
        }
    }

    // ---------------------------------------------------------------- settlement (SPEC.md §4.7)

    private ISOMsg settlement(ISOMsg request, MessageView v, ScenarioGate gate, boolean trailer) {
        Optional<SessionKeys> sk = keys.keysFor(v.terminalId());
        String macProblem = macProblem(request, sk);
        if (macProblem != null) {
            return macFailure(request, macProblem, sk);
        }
        Action action = gate.decide();
        if (action.dropRequest()) {
            return null;
        }
        // a scenario's 95 on the settlement request ("always out of balance") is an upload request like the ledger's
        // own: recorded, so the uploads and the trailer that follow belong to the batch
        boolean forceUpload = !trailer && ResponseCodes.RECONCILE_ERROR.equals(action.respond());
        if (!forceUpload && action.respond() != null && !action.respond().equals("00")) {
            return finish(MessageBuilder.responseTo(request).responseCode(action.respond()), sk);
        }
        int batch = v.batchNumber();
        SettlementTotals totals = v.settlementTotals().orElseThrow();
        SettlementResult r = ledger.settle(v.terminalId(), v.merchantId(), batch, totals, trailer, forceUpload);
        LOG.info("{} from {} batch {}: terminal {} host {} -> {}{}", trailer ? "settlement trailer" : "settlement",
                v.terminalId(), batch, totals.encode(), r.hostTotals().encode(), r.responseCode(),
                r.alreadyClosed() ? " (already closed)" : "");
        return finish(MessageBuilder.responseTo(request).responseCode(r.responseCode()).settlementTotals(r.hostTotals()), sk);
    }

    private ISOMsg upload(ISOMsg request, MessageView v, ScenarioGate gate) {
        Optional<SessionKeys> sk = keys.keysFor(v.terminalId());
        ISOMsg refused = refusal(request, sk, gate);
        if (refused != null || gate.dropped()) {
            return refused;
        }
        String original = v.uploadOriginal().orElseThrow(); // MTI(4) + STAN(6) + field 7(10)
        ledger.recordUpload(v.terminalId(), original.substring(0, 4), Integer.parseInt(original.substring(4, 10)),
                original.substring(10, 20), v.amount(), v.rrn(), v.authCode(), v.orderReference().orElse(null));
        return finish(MessageBuilder.responseTo(request).responseCode("00"), sk);
    }

    // ---------------------------------------------------------------- MAC (SPEC.md §5)

    /** A0 / A1 when the request's MAC cannot be trusted, null when it verifies (or MACs are off). */
    private String macProblem(ISOMsg request, Optional<SessionKeys> sk) {
        if (!macRequired) {
            return null;
        }
        if (sk.isEmpty()) {
            return ResponseCodes.SIGN_ON_REQUIRED;
        }
        return MessageMac.verify(request, sk.get().macKey()) ? null : ResponseCodes.MAC_FAILURE;
    }

    /**
     * The A0 / A1 answer. The request is refused before the host handles it: nothing is recorded, so the answer carries
     * no 37 and uses up no RRN, to a sale or a balance inquiry too (SPEC.md §3), whose catalogue rows make 37 mandatory;
     * hence written as a 30 is, by {@link LenientAnswer}, echoing the same fields the builder would.
     */
    private ISOMsg macFailure(ISOMsg request, String code, Optional<SessionKeys> sk) {
        MessageView v = MessageView.of(request);
        LOG.warn("{} from terminal {} STAN {}: {} ({})", v.mti(), v.terminalId(), String.format("%06d", v.stan()), code,
                code.equals(ResponseCodes.MAC_FAILURE) ? "MAC does not verify under the terminal's session MAC key"
                        : "no session keys for this terminal: it must sign on");
        ISOMsg answer = LenientAnswer.of(request, code, List.of());
        // A1: the host holds no keys, so the answer goes without a MAC (SPEC.md §4.1)
        if (sk.isPresent() && !code.equals(ResponseCodes.SIGN_ON_REQUIRED)) { // every message that is MAC-checked is MACed
            MessageMac.apply(answer, sk.get().macKey());
        }
        return answer;
    }

    /** Builds the answer and MACs it when the host holds session keys for the terminal. */
    private static ISOMsg finish(MessageBuilder b, Optional<SessionKeys> sk) {
        ISOMsg answer = b.build();
        if (sk.isPresent() && b.type().spec().macked()) {
            MessageMac.apply(answer, sk.get().macKey());
        }
        return answer;
    }

    private static String override(Action action, String normal) {
        return action.respond() != null ? action.respond() : normal;
    }
}
