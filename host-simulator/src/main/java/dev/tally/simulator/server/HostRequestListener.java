package dev.tally.simulator.server;

import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.scenario.Action;
import dev.tally.simulator.scenario.Decision;
import dev.tally.simulator.scenario.ScenarioRequest;
import dev.tally.simulator.scenario.ScenarioSource;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.crypto.SessionKeys;
import dev.tally.spec.format.Masking;
import dev.tally.spec.format.MessageLog;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.MessageCatalogue;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageValidator;
import dev.tally.spec.message.MessageView;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISORequestListener;
import org.jpos.iso.ISOSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every request enters the host: format validation (30, the log names the field), the scenario's
 * decision, the acquirer's answer, and its delivery. Nothing here waits for a scenario delay.
 *
 * <p>Requests of one terminal (field 41) are handled one after the other in the order they arrived; requests of
 * different terminals that share a connection (a gateway, a replay) are handled at the same time, each on a
 * virtual thread of its own, and their sales share the ledger's group commits. The connection's session
 * thread only reads and hands on (at most {@link #IN_FLIGHT} requests in hand at once, then it stops
 * reading); answers go back as they are ready, matched by STAN as ISO 8583 has them.
 */
final class HostRequestListener implements ISORequestListener {

    private static final Logger LOG = LoggerFactory.getLogger(HostRequestListener.class);

    private final AcquirerHost host;
    private final ScenarioSource scenario;
    private final Delivery delivery;
    private final TrafficMetrics metrics;
    private final Traffic traffic;
    private final boolean macRequired;

    HostRequestListener(AcquirerHost host, ScenarioSource scenario, Delivery delivery, TrafficMetrics metrics,
                        Traffic traffic, boolean macRequired) {
        this.host = host;
        this.scenario = scenario;
        this.delivery = delivery;
        this.metrics = metrics;
        this.traffic = traffic;
        this.macRequired = macRequired;
    }

    /** Requests handed on and not answered yet, over all connections; the session threads wait beyond it. */
    static final int IN_FLIGHT = 1024;
    private final TerminalLanes lanes = new TerminalLanes(IN_FLIGHT);

    /** Waits, at most {@code timeout}, until every request handed on has been answered or written off. */
    boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        return lanes.awaitIdle(timeout);
    }

    @Override
    public boolean process(ISOSource source, ISOMsg request) {
        long start = System.nanoTime();
        String tid = request.hasField(Field.TERMINAL_ID.number()) ? request.getString(Field.TERMINAL_ID.number()) : "";
        lanes.submit(tid, () -> handle(source, request, start));
        return true;
    }

    private boolean handle(ISOSource source, ISOMsg request, long start) {
        String mti = request.getString(0);
        metrics.request(mti);
        RequestName what = new RequestName(request);
        String id = traffic.nextId();
        traffic.in(source, request, id);
        try {
            List<MessageValidator.Problem> problems = problems(request);
            if (!problems.isEmpty()) {
                String listed = Masking.scrub(problems.stream().map(MessageValidator.Problem::toString)
                        .collect(Collectors.joining("; ")));
                if (!LenientAnswer.answerable(request)) {
                    // a response MTI (or none readable) gets no answer, not a 30: the line must not read as if one went out
                    LOG.warn("{}: not answered, nothing applied: {}", what, listed);
                    traffic.event(source, request, id, MessageLog.Event.TIMEOUT, MessageCatalogue.isResponseMti(mti)
                            ? "not answered: " + mti + " is a response MTI" : "not answered: no request MTI");
                    metrics.unanswered();
                    return true;
                }
                LOG.warn("{}: format error (30), nothing applied: {}", what, listed);
                answerLeniently(source, request, ResponseCodes.FORMAT_ERROR, problems, start, what, id);
                return true;
            }
            MessageType type = MessageCatalogue.classify(mti, request.getString(3), request.getString(70)).orElseThrow().type();
            // the host asks the scenario once its own checks passed (docs/simulator.md §2), so a refused request is
            // answered as refused, and the action below is NORMAL for it
            ScenarioGate gate = new ScenarioGate(scenario.current(), scenarioRequest(request));
            ISOMsg answer = host.handle(request, type, gate);
            Decision decision = gate.decision();
            Action action = decision.action();
            if (decision.matched()) {
                LOG.info("{}: scenario rule '{}'", what, decision.ruleName());
            }
            if (gate.dropped()) {
                LOG.info("{}: request dropped, nothing applied (scenario)", what);
                traffic.event(source, request, id, MessageLog.Event.TIMEOUT, "request dropped, nothing applied (scenario)");
                metrics.unanswered();
                return true;
            }
            metrics.latency(System.nanoTime() - start);
            // counted as answered or unanswered by the delivery, once the answer is on the wire or could not be
            delivery.deliver(source, request, answer, action, what, id, start);
        } catch (RuntimeException e) {
            String why = Masking.scrub(String.valueOf(e.getMessage()));
            if (Ledger.wroteOnThisThread()) {
                // the ledger holds what this request did (a debit, a reversal, a settlement): 96 would tell the terminal
                // nothing was done. No answer instead: the terminal reverses a sale or repeats the rest, which the
                // ledger answers from what it holds (DESIGN.md §6)
                LOG.error("{}: the host failed after the ledger recorded it: no answer sent (a 96 would say nothing was"
                        + " done): {}", what, why, e);
                traffic.event(source, request, id, MessageLog.Event.TIMEOUT,
                        "no answer: the host failed after the ledger recorded it");
                metrics.unanswered();
            } else {
                LOG.error("{}: the host failed to process it (96): {}", what, why, e);
                answerLeniently(source, request, ResponseCodes.SYSTEM_MALFUNCTION, List.of(), start, what, id);
            }
        } finally {
            Ledger.forgetWrites();
        }
        return true;
    }

    private List<MessageValidator.Problem> problems(ISOMsg request) {
        if (MessageCatalogue.isResponseMti(request.getString(0))) {
            // said first: the catalogue's fields of an answer (its 37, its 39) are not what is wrong with it
            return List.of(new MessageValidator.Problem(0, "MTI", "a host answers requests; " + request.getString(0)
                    + " is a response MTI, which is never answered"));
        }
        List<MessageValidator.Problem> problems = MessageValidator.check(request);
        if (!macRequired) {
            // with MACs off a terminal may leave field 64 out; nothing else is relaxed
            problems = problems.stream()
                    .filter(p -> !(p.field() == Field.MAC.number() && !MessageMac.hasMac(request)))
                    .toList();
        }
        return problems;
    }

    private void answerLeniently(ISOSource source, ISOMsg request, String code, List<MessageValidator.Problem> problems,
                                 long start, RequestName what, String id) {
        ISOMsg answer = LenientAnswer.of(request, code, problems);
        if (answer == null) {
            traffic.event(source, request, id, MessageLog.Event.TIMEOUT, "not answerable (" + code + ")");
            metrics.unanswered();
            return;
        }
        Optional<SessionKeys> sk = Optional.empty();
        try {
            sk = host.keysFor(request.getString(Field.TERMINAL_ID.number()));
            MessageCatalogue.Entry entry = MessageCatalogue.classify(request.getString(0), request.getString(3),
                    request.getString(70)).orElse(null);
            // a request the catalogue cannot place (an unknown processing code, an 0420) is answered MACed when it
            // came MACed: the terminal signed on and MACs, so it verifies what it gets back
            boolean macked = entry != null ? entry.macked() : MessageMac.hasMac(request);
            if (sk.isPresent() && macked) {
                MessageMac.apply(answer, sk.get().macKey());
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: answer {} goes without a MAC: {}", what, code, e.toString());
        }
        metrics.latency(System.nanoTime() - start);
        delivery.deliver(source, request, answer, Action.NORMAL, what, id, start); // counts it
    }

    private static ScenarioRequest scenarioRequest(ISOMsg m) {
        MessageView v = MessageView.of(m);
        return new ScenarioRequest(v.mti(), v.processingCode(), v.terminalId(), v.pan(),
                v.has(Field.AMOUNT) ? v.amount() : null, v.stan());
    }
}
