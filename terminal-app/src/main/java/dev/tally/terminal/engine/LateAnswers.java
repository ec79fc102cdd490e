package dev.tally.terminal.engine;

import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.message.MessageView;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.Journal;
import java.util.Optional;
import java.util.function.Consumer;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers that match no request in flight — a 0210 that arrives after its sale timed out, a response the
 * host sent twice — are recorded on their attempt's audit trail and change nothing (DESIGN.md §4: a late
 * 0210 never flips an attempt to APPROVED; the reversal already on its way undoes the charge, as it does for a late
 * code the catalogue does not know, which may be a charge too). A copy that arrives
 * while its sale is still SENT is a duplicate (or early) copy of the answer the sale itself records.
 */
public final class LateAnswers implements Consumer<ISOMsg> {

    private static final Logger log = LoggerFactory.getLogger(LateAnswers.class);
    private final Journal journal;

    public LateAnswers(Journal journal) {
        this.journal = journal;
    }

    @Override
    public void accept(ISOMsg msg) {
        MessageView v = MessageView.of(msg);
        Optional<Attempt> owner = v.stan() == 0 || v.terminalId() == null ? Optional.empty()
                : journal.byStan(v.terminalId(), v.stan());
        if (owner.isEmpty()) {
            log.warn("unmatched message from the host ignored: {}", v);
            return;
        }
        Attempt a = owner.get();
        String what = "late or duplicate " + v.mti() + " (STAN " + String.format("%06d", v.stan()) + ", rc "
                + v.responseCode() + ") ignored: the attempt is " + a.state();
        if ("0210".equals(v.mti())) {
            what += switch (a.state()) {
                // a copy that beat the sale's own answer to the journal (serve's shared link reads both on its reader
                // thread): no reversal is on its way, the sale records its own answer
                case NEW, SENT -> "; a second copy of the answer (duplicate or early): the sale's own answer decides"
                        + " its outcome";
                case REVERSAL_PENDING, REVERSAL_FAILED, REVERSED -> "00".equals(v.responseCode())
                        ? "; a late approval does not make it APPROVED, its reversal undoes the charge"
                        : unknown(v.responseCode()) ? "; a late answer with " + code(v.responseCode()) + ", which this"
                                + " terminal does not know, may mean a charge: its reversal undoes any charge" : "";
                // the host answered this sale twice with different words: nothing will undo what it may hold
                case DECLINED -> "00".equals(v.responseCode())
                        ? "; an approval of a sale recorded DECLINED, which no reversal follows: check it with the acquirer"
                        : unknown(v.responseCode()) ? "; an answer with " + code(v.responseCode()) + ", which this terminal"
                                + " does not know and which may mean a charge, of a sale recorded DECLINED, which no reversal"
                                + " follows: check it with the acquirer" : "";
                case APPROVED, SETTLED -> "";
            };
        }
        journal.note(a.id(), what);
    }

    /** A code the catalogue does not know, or none: the engine reverses a sale answered so (it may be a charge). */
    private static boolean unknown(String rc) {
        return rc == null || ResponseCodes.find(rc).isEmpty();
    }

    private static String code(String rc) {
        return rc == null ? "no response code" : "code " + rc;
    }
}
