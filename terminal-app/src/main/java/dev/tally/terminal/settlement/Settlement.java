package dev.tally.terminal.settlement;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.codes.TerminalAction;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.SettlementTotals;
import dev.tally.terminal.engine.PaymentEngine;
import dev.tally.terminal.engine.TerminalProfile;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.Batch;
import dev.tally.terminal.journal.BatchState;
import dev.tally.terminal.journal.Batches;
import dev.tally.terminal.journal.Journal;
import dev.tally.terminal.journal.JournalDamagedException;
import dev.tally.terminal.journal.JournalException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End of day (SPEC.md §4.7): due reversals first, then a 0500 with the open batch's totals; 00 closes the
 * batch; 95 (the code whose terminal action is {@link TerminalAction#UPLOAD_BATCH}) uploads every approved
 * sale of the batch (0320) and closes it with the trailer (0500, 960000). Any other answer — a refusal
 * (96, 91, 30, A0, ...) or one the terminal cannot read (no field 39, malformed totals in field 63) — is a
 * failed step: nothing more is sent and the batch stays where it was. The batch's state lives in the
 * journal ({@link Batches}): each step is committed before the next message leaves, so a settlement killed
 * or failed at any point resumes on the next {@link #settle()} — the host answers 00 to a 0500 of a batch
 * it already closed, and ignores a 0320 it already has.
 *
 * <p>Totals are the batch's APPROVED attempts. Attempts whose reversal is pending or failed are not in
 * them: the terminal never approved them. If the host still holds their debit the totals differ, the
 * batch goes through 95 + upload, and the host records the difference; {@code tally reconcile} lists
 * them with the host's view.
 */
public final class Settlement {

    private static final Logger log = LoggerFactory.getLogger(Settlement.class);
    private static final String SALE_MTI = MessageType.SALE.spec().requestMti();

    private final Journal journal;
    private final HostSession session;
    private final PaymentEngine engine;
    private final TerminalProfile profile;
    private final Clock clock;

    public Settlement(Journal journal, HostSession session, PaymentEngine engine, TerminalProfile profile, Clock clock) {
        this.journal = journal;
        this.session = session;
        this.engine = engine;
        this.profile = profile;
        this.clock = clock;
    }

    /**
     * Settles the open batch, or resumes the one whose settlement did not finish.
     *
     * @throws dev.tally.terminal.host.HostUnavailableException the host cannot be reached: nothing sent
     */
    public SettlementResult settle() {
        List<Attempt> reversalsRun = engine.runDueReversalsNoted(); // the till told first: each waits up to the timeout
        session.ensureSignedOn();
        // the keys outlive a dropped connection (tally serve): without a live one nothing starts, the batch stays open
        session.channel().connect();
        Batches batches = journal.batches();
        boolean resumed = batches.inProgress(profile.terminalId()).isPresent();
        Batch begun = batches.begin(profile.terminalId(), profile.merchantId());
        try {
            return settleBegun(batches, begun, resumed, reversalsRun);
        } catch (JournalDamagedException damaged) {
            throw damaged; // its own words: stop, keep the file, restore it; not "resumes at the next settle"
        } catch (JournalException e) {
            throw interrupted(begun, e);
        }
    }

    /**
     * A journal write that failed once the settlement had begun (a full disk at a STAN, a step's record): nothing of
     * that step was recorded, but the batch stays where the journal has it — SETTLING or UPLOADING, its totals frozen,
     * new sales in the next batch — and the next settle resumes it. The journal's own "rolled back" read as if the
     * settlement had not started.
     */
    private JournalException interrupted(Batch begun, JournalException e) {
        String state = begun.state().name();
        String next = "";
        try {
            Batches batches = journal.batches();
            state = batches.inProgress(profile.terminalId()).map(x -> x.state().name()).orElse(state);
            next = "; new sales go into batch " + String.format("%06d", batches.openBatch(profile.terminalId()));
        } catch (JournalException unreadable) {
            e.addSuppressed(unreadable);
        }
        return new JournalException("settlement of batch " + begun.batchText() + " not finished: the journal could"
                + " not record its next step (" + JournalException.storageReason(e) + "); the batch is being settled (" + state
                + ", its totals frozen)" + next + ", and the next settle resumes it once the journal takes writes"
                + " (POST /v1/settlement, or tally settle; with tally serve, GET /health says whether it does)", e);
    }

    private SettlementResult settleBegun(Batches batches, Batch begun, boolean resumed, List<Attempt> reversalsRun) {
        Batch b = begun;
        SettlementTotals totals = new SettlementTotals(b.debitCount(), b.debitAmount(), 0, 0);
        int uploadedNow = 0;
        String settlementCode = b.responseCode();
        if (b.state() == BatchState.SETTLING) {
            Batch settling = b;
            Step s = send(() -> request(MessageType.SETTLEMENT, settling, totals));
            if (s.failure != null) {
                return failed(b, resumed, totals, s, uploadedNow, reversalsRun, true, "the 0500 of batch " + b.batchText());
            }
            settlementCode = s.code;
            if (ResponseCodes.APPROVED.equals(s.code)) {
                b = batches.close(b, s.code, s.hostTotals, "0500 answered 00, totals agree");
                return done(b, resumed, totals, s.code, uploadedNow, reversalsRun, "batch " + b.batchText()
                        + " closed: the host's totals agree");
            }
            if (ResponseCodes.of(s.code).action() != TerminalAction.UPLOAD_BATCH) {
                // the host refused the settlement (maintenance, MAC, format, ...): not "totals differ"
                return failed(b, resumed, totals, s, uploadedNow, reversalsRun, true, "the 0500 of batch " + b.batchText());
            }
            b = batches.uploadRequested(b, s.code, s.hostTotals);
            log.info("batch {}: host answered 95 (host totals {}, terminal {}): uploading", b.batchText(), s.hostTotals,
                    totals.encode());
        }
        for (Attempt a : batches.toUpload(b)) {
            Step s = send(() -> upload(a));
            if (s.failure != null || !ResponseCodes.APPROVED.equals(s.code)) {
                return failed(b, resumed, totals, s, uploadedNow, reversalsRun, false, "the upload (0320) of STAN " + a.stanText()
                        + ", order " + a.orderRef());
            }
            b = batches.uploaded(b, a);
            uploadedNow++;
        }
        Batch bt = b;
        Step s = send(() -> request(MessageType.SETTLEMENT_TRAILER, bt, totals));
        if (s.failure == null && ResponseCodes.INVALID_TRANSACTION.equals(s.code)) {
            // the host holds no upload request for this batch (its ledger was replaced or reset since its 95): resending
            // the trailer would be refused for ever, and every later batch would wait behind this one
            b = batches.settleAnew(b, s.code);
            return new SettlementResult(false, resumed, b, totals, hostTotals(b), b.responseCode(), uploadedNow,
                    "settlement of batch " + b.batchText() + " not finished: the trailer (0500 960000) was answered 12:"
                    + " the host holds no upload request for this batch (its ledger may have been replaced or reset since"
                    + " it answered 95), or holds it with other totals; the batch is back to SETTLING: settle again to send its 0500 anew and upload"
                    + " its sales again if asked (tally settle, or POST /v1/settlement while tally serve runs)",
                    s.code, excluded(b), reversalsRun);
        }
        if (s.failure != null || !ResponseCodes.APPROVED.equals(s.code)) {
            return failed(b, resumed, totals, s, uploadedNow, reversalsRun, false, "the trailer (0500 960000) of batch " + b.batchText());
        }
        b = batches.close(b, settlementCode, s.hostTotals, "totals differed (95): " + b.uploaded()
                + " sale(s) uploaded, trailer answered 00");
        return done(b, resumed, totals, settlementCode, uploadedNow, reversalsRun, "batch " + b.batchText()
                + " closed after upload: the host answered 95 (totals differ), " + b.uploaded()
                + " sale(s) uploaded, trailer accepted");
    }

    private SettlementResult done(Batch b, boolean resumed, SettlementTotals totals, String code, int uploadedNow,
                                  List<Attempt> reversalsRun, String message) {
        if (resumed) {
            // the batch closed now was cut when its settlement began; sales taken since are in the open one, unsettled
            Batches batches = journal.batches();
            int open = batches.openBatch(profile.terminalId());
            long waiting = batches.approvedIn(profile.terminalId(), open);
            if (waiting > 0) {
                message += "; batch " + String.format("%06d", open) + " holds " + waiting + " sale(s) taken since this"
                        + " settlement began, not settled yet: settle again to close it";
            }
        }
        return new SettlementResult(true, resumed, b, totals, hostTotals(b), code, uploadedNow, message, null,
                excluded(b), reversalsRun);
    }

    private SettlementResult failed(Batch b, boolean resumed, SettlementTotals totals, Step s, int uploadedNow,
                                    List<Attempt> reversalsRun, boolean settlementRequest, String what) {
        boolean reusedNumber = settlementRequest && ResponseCodes.INVALID_TRANSACTION.equals(s.code);
        String why = s.failure != null ? s.failure : "answered " + s.code + " (" + refusal(s.code, b, reusedNumber) + ")";
        String next = reusedNumber
                ? "; the batch stays " + b.state() + ": settling again gets the same answer until the host's batch"
                        + " numbers and this journal's agree"
                : "; the batch stays " + b.state() + ": settle again to resume it (tally settle, or POST /v1/settlement"
                        + " while tally serve runs)";
        return new SettlementResult(false, resumed, b, totals, hostTotals(b), b.responseCode(), uploadedNow,
                "settlement of batch " + b.batchText() + " not finished: " + what + " " + why + next,
                s.failure != null ? null : s.code, excluded(b), reversalsRun);
    }

    /**
     * What a refusal of a settlement step means. The catalogue's operator texts speak to a cashier taking a card
     * ("use another payment method"), which says nothing about a batch; a settlement shows the code's meaning, and
     * for 12 to the 0500 ({@code reusedNumber}) what a host refuses with it: a batch number it holds already with
     * other totals, closed or waiting for its upload after a 95 (SPEC.md §4.7).
     */
    static String refusal(String code, Batch b, boolean reusedNumber) {
        ResponseCode rc = ResponseCodes.of(code);
        if (reusedNumber) {
            return rc.meaning() + ": the host holds batch " + b.batchText() + " of this terminal already with other"
                    + " totals, closed or waiting for its upload; this journal reuses the number (a new journal for a"
                    + " terminal id the host knows starts again at 000001). Nothing was settled: ask the acquirer; in a"
                    + " lab, settle with the journal that sent those totals, or start the simulator on a fresh --ledger";
        }
        return rc.meaning();
    }

    private List<Attempt> excluded(Batch b) {
        return journal.batches().unresolved(b);
    }

    private static SettlementTotals hostTotals(Batch b) {
        try {
            return b.hostTotals() == null ? null : SettlementTotals.decode(b.hostTotals());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private record Step(String code, String hostTotals, String failure) {
    }

    /** A request and the keys it was MACed with: its answer's MAC is checked under those (they may change meanwhile). */
    private record Sealed(ISOMsg message, HostSession.Signed keys) {
        static Sealed by(HostSession session, ISOMsg message) {
            HostSession.Signed keys = session.signed();
            keys.mac(message);
            return new Sealed(message, keys);
        }
    }

    /**
     * Builds and sends one step. A step that cannot leave once the settlement has started (the connection lost since,
     * a sign-on refused) is a failed step, as an unanswered one is: the batch stays as the journal has it, resumable.
     */
    private Step send(Supplier<Sealed> make) {
        Sealed request;
        Exchange ex;
        try {
            request = make.get();
            ex = session.exchange(request.message());
        } catch (HostUnavailableException e) {
            return new Step(null, null, "was not sent (" + e.getMessage() + ")");
        }
        if (!(ex instanceof Exchange.Answered ans)) {
            return new Step(null, null, "got no answer (" + HostSession.describe(ex) + ")");
        }
        MessageView v = MessageView.of(ans.response());
        request.keys().staleIfResign(v.response());
        if (v.mac().isPresent() && !request.keys().verifies(ans.response())) {
            return new Step(null, null, "was answered " + v.responseCode() + " but the answer's MAC did not verify");
        }
        if (v.mac().isEmpty() && ResponseCodes.APPROVED.equals(v.responseCode())) {
            // SPEC.md §5: 0510 and 0330 are MACed; a 00 without one would close the batch, settle its payments and purge
            // their card numbers, none of which can be undone: a failed step instead, the batch resumable
            return new Step(null, null, "was answered 00 without a MAC: not trusted");
        }
        if (v.responseCode() == null) {
            return new Step(null, null, "was answered without a response code (field 39)");
        }
        String hostTotals;
        try {
            hostTotals = v.settlementTotals().map(SettlementTotals::encode).orElse(null);
        } catch (IllegalArgumentException e) {
            // the host's fault, not the cashier's bad input: a failed step, the batch resumable
            return new Step(null, null, "was answered " + v.responseCode() + ", but the answer is malformed: "
                    + e.getMessage());
        }
        return new Step(v.responseCode(), hostTotals, null);
    }

    private Sealed request(MessageType type, Batch b, SettlementTotals totals) {
        ISOMsg msg = MessageBuilder.request(type)
                .transmissionDateTime(clock.instant().atZone(ZoneOffset.UTC))
                .stan(journal.nextStan(profile.terminalId()))
                .terminalId(profile.terminalId())
                .merchantId(profile.merchantId())
                .batchNumber(b.batchNumber())
                .settlementTotals(totals)
                .build();
        return Sealed.by(session, msg);
    }

    private Sealed upload(Attempt a) {
        MessageBuilder m = MessageBuilder.request(MessageType.BATCH_UPLOAD)
                .pan(journal.revealPan(a))
                .amount(a.amount())
                .transmissionDateTime(clock.instant().atZone(ZoneOffset.UTC))
                .stan(journal.nextStan(profile.terminalId()))
                .localTime(a.localTime())
                .localDate(a.localDate())
                .posEntryMode("011")
                .posConditionCode("00")
                .rrn(a.rrn())
                .terminalId(a.terminalId())
                .merchantId(a.merchantId())
                .currency(a.currency())
                .uploadOriginal(SALE_MTI, a.stan(), a.transmissionTime())
                .orderReference(a.orderRef());
        if (a.authCode() != null) {
            m.authCode(a.authCode());
        }
        return Sealed.by(session, m.build());
    }
}
