package dev.tally.terminal.load;

import dev.tally.spec.codes.ReversalReason;
import dev.tally.terminal.engine.LateAnswers;
import dev.tally.terminal.engine.ReversalLoop;
import dev.tally.terminal.engine.ReversalPolicy;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptState;
import dev.tally.terminal.journal.Journal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Recovery of a journal shared by many logical terminals (after a crash of a load run): attempts found
 * NEW/SENT become REVERSAL_PENDING (as at every start), then each terminal id of the journal signs on as
 * itself — the host checks a reversal's MAC under that terminal's keys — and sends its reversals, all
 * terminals in parallel, until nothing is uncertain or {@code deadline} passes.
 */
public final class PendingResolver {

    public record Result(int recovered, int resolved, int stillPending, int terminals) {
    }

    private PendingResolver() {
    }

    static Result resolve(Journal journal, String host, int port, byte[] tmk, ReversalPolicy policy, Duration timeout,
                          Duration deadline, Clock clock) throws InterruptedException {
        List<Attempt> recovered = journal.recoverInFlight(ReversalReason.NO_RESPONSE.code(),
                "recovery: the load process that sent it ended before the answer");
        Set<AttemptState> open = Set.of(AttemptState.REVERSAL_PENDING, AttemptState.REVERSAL_FAILED);
        Map<String, List<Attempt>> byTerminal = new LinkedHashMap<>();
        for (Attempt a : journal.inStates(open)) {
            byTerminal.computeIfAbsent(a.terminalId(), k -> new ArrayList<>()).add(a);
        }
        long stopAt = System.nanoTime() + deadline.toNanos();
        AtomicInteger resolved = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (Map.Entry<String, List<Attempt>> e : byTerminal.entrySet()) {
            threads.add(Thread.ofVirtual().name("resolve-" + e.getKey()).start(() -> {
                HostLink link = new HostLink(host, port, timeout, new LateAnswers(journal));
                try (HostSession session = new HostSession(link, e.getKey(), tmk, () -> journal.nextStan(e.getKey()),
                        clock, timeout)) {
                    ReversalLoop loop = new ReversalLoop(journal, session, policy, clock);
                    for (Attempt a : e.getValue()) {
                        Attempt now = a;
                        while (open.contains(now.state()) && System.nanoTime() < stopAt) {
                            now = loop.attemptOnce(now);
                        }
                        if (now.state() == AttemptState.REVERSED) {
                            resolved.incrementAndGet();
                        }
                    }
                } catch (RuntimeException ex) {
                    failure.compareAndSet(null, ex);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return new Result(recovered.size(), resolved.get(), journal.inStates(open).size(), byTerminal.size());
    }
}
