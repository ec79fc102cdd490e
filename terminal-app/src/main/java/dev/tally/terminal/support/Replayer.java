package dev.tally.terminal.support;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.Masking;
import dev.tally.spec.format.MessageLog;
import dev.tally.spec.format.WireMsg;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.MessageCatalogue;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageValidator;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OriginalData;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostChannel;
import dev.tally.terminal.host.HostLink;
import dev.tally.terminal.host.SharedHostLink;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.support.Recording.Outcome;
import dev.tally.terminal.support.Recording.Recorded;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;

/**
 * Replays a {@link Recording} against a host as a terminal session of its own (docs/support.md "replay"):
 * signs on per terminal id (at max speed every one of them first, at once: {@link #signOnAll}), then sends the
 * recorded requests in their original order — at the recorded
 * pace divided by {@code speed}, or back to back — each with a test card standing in for the masked PAN
 * (PIN block made from that card's PIN under the session PIN key, expiry from the card), a fresh STAN and
 * field 7 (the host's duplicate check is terminal + STAN + field 7, so a log replayed twice against the same
 * host is never a duplicate), field 90 of reversals and status inquiries pointing at the replayed original's
 * new STAN and field 7, and a new MAC. STANs are renumbered consistently: one recorded STAN (a sale, or a
 * reversal and its repeats) gets one new STAN, from a random start so two replays do not overlap. Network management (08xx) is not replayed: the replay's own sign-on stands for it. Each answer
 * is compared with the recorded one field by field, except the {@link #DEFAULT_IGNORED} fields.
 *
 * <p>At {@code --speed max} sales, balance inquiries and echoes are pipelined: up to {@link #WINDOW} in
 * flight at once on one persistent connection (answers matched by terminal + STAN + MTI), prepared in the
 * recorded order. Every other message (reversal, status inquiry, settlement, upload), and any request the
 * recording shows unanswered (no answer, garbled bytes, a closed connection), waits until everything before
 * it has been answered, and is answered before anything after it is sent, so it meets the host in the same
 * state as in the recording and what the host does to the connection is put down to it alone. At a recorded
 * pace requests go one at a time.
 */
public final class Replayer {

    /**
     * Fields that legitimately differ on a replay: 7 transmission time (fresh by design), 12/13 local
     * time/date, 37 RRN and 38 auth code (the host's counters), 61 key blocks, 64/128 MAC (new session
     * keys), 90 original data (names the original's new field 7).
     */
    public static final Set<Integer> DEFAULT_IGNORED = Set.of(7, 12, 13, 37, 38, 61, 64, 90, 128);

    private static final DateTimeFormatter MMDDHHMMSS = DateTimeFormatter.ofPattern("MMddHHmmss");

    /** A field that differs: key (Tally name or F<n>), number, recorded and replayed value (masked). */
    public record Difference(String field, int number, String recorded, String replayed) {
    }

    /** What became of one request; of the answer, {@code replayedResponse} holds the response code only. */
    public record Result(Recorded recorded, boolean sent, boolean skipped, String skipReason, Outcome replayedOutcome,
                         Map<String, String> replayedResponse, String problem, List<Difference> differences,
                         long latencyMs, String replayedStan) {
        public boolean differs() {
            return !differences.isEmpty();
        }
    }

    /** The whole run; {@code maxInFlight} is the most requests that were awaiting their answers at once. */
    public record Report(String source, String host, String speed, List<Result> results, List<String> strays,
                         Set<String> ignored, long elapsedMs, int maxInFlight, List<String> warnings) {
        public long sent() {
            return results.stream().filter(Result::sent).count();
        }

        public long different() {
            return results.stream().filter(Result::differs).count();
        }

        public long same() {
            return results.stream().filter(r -> r.sent() && !r.differs()
                    && r.recorded().outcome() != Outcome.NOT_RECORDED).count();
        }

        public long notRecorded() {
            return results.stream().filter(r -> r.sent() && r.recorded().outcome() == Outcome.NOT_RECORDED).count();
        }

        public long skipped() {
            return results.stream().filter(Result::skipped).count();
        }
    }

    /**
     * Requests in flight at once at {@code --speed max}. 64 (one per terminal of a 64-terminal log) left the host
     * short of work, its group commits small (docs/BENCHMARKS.md, replay); the simulator takes up to 1,024 at once
     * over all connections.
     */
    public static final int WINDOW = 256;

    /** Sign-ons at once at {@code --speed max}, before the first request. */
    static final int SIGN_ONS_AT_ONCE = 64;

    private final HostLink link;
    private final String host;
    private final int port;
    private TerminalTraffic traffic;
    private HostChannel channel;
    private final byte[] tmk;
    private final CardMap cards;
    private final Clock clock;
    private final Duration timeout;
    private final double speed;
    private final Set<String> ignored;
    private final Map<String, HostSession> sessions = new HashMap<>();
    /** tid|recorded STAN|MTI|recorded field 7 of a sent original → its new STAN and field 7 */
    private final Map<String, String[]> originals = new HashMap<>();
    /** tid|recorded STAN → the new STAN */
    private final Map<String, Integer> newStans = new HashMap<>();
    private final List<String> strays = java.util.Collections.synchronizedList(new ArrayList<>());
    /**
     * tid|new STAN → the recorded request it replays ("recorded STAN 000016, order INV-7"): a late or duplicate answer
     * names only the new STAN, which support cannot find in the log. Written by the sender, read by the link's reader.
     */
    private final Map<String, String> replayedFrom = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Requests (by index) whose field 90 names an original the recording does not hold before them (a log that
     * starts after the sale, a rotated-away file): field 90 cannot be rewritten to a replayed original, and as
     * recorded it names the real original at whatever host it reaches. Found by {@link #check}.
     */
    private final Map<Integer, String> unmatched = new HashMap<>();
    private boolean sendUnmatchedReversals;
    private AtomicInteger stans;

    /**
     * @param speed   1 = recorded pace, 10 = ten times faster, 0 = as fast as possible
     * @param ignored field keys (Tally names or F<n>) not compared
     */
    public Replayer(String host, int port, byte[] tmk16, CardMap cards, Clock clock, Duration timeout, double speed,
                    Set<String> ignored) {
        this.link = new HostLink(host, port, timeout, this::stray);
        this.host = host;
        this.port = port;
        this.tmk = tmk16.clone();
        this.cards = cards;
        this.clock = clock;
        this.timeout = timeout;
        this.speed = speed;
        this.ignored = ignored;
    }

    private void stray(ISOMsg msg) {
        MessageView v = MessageView.of(msg);
        String from = v.terminalId() == null ? null : replayedFrom.get(v.terminalId() + "|" + v.stan());
        strays.add(v.mti() + " STAN " + String.format("%06d", v.stan()) + " rc " + v.responseCode()
                + (from == null ? "" : " (" + from + ")"));
    }

    /**
     * Whether a reversal (0400/0401) whose original is not in the recording is sent with its field 90 as recorded
     * (it then reverses the real original, should the host hold it); by default it is not replayed (SKIPPED).
     */
    public void sendUnmatchedReversals(boolean send) {
        this.sendUnmatchedReversals = send;
    }

    /**
     * What the recording left out (a last line cut short) and what the replay did not do as docs/support.md §3 says it
     * does: field 90 that could not be rewritten.
     */
    private List<String> warnings(Recording rec) {
        List<String> out = new ArrayList<>(rec.warnings());
        unmatched.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.add(e.getValue()));
        return out;
    }

    /** Writes the replay's own traffic to a message log (null: none). Call before {@link #run}. */
    public void tap(TerminalTraffic traffic) {
        this.traffic = traffic;
        link.tap(traffic);
    }

    /** The connection: one request at a time at a recorded pace, a shared pipelined one at max speed. */
    private HostChannel channel() {
        if (channel == null) {
            if (speed > 0) {
                channel = link;
            } else if (traffic == null) {
                channel = new SharedHostLink(host, port, timeout, this::stray);
            } else {
                channel = new LoggedChannel(new SharedHostLink(host, port, timeout,
                        LoggedChannel.strays(traffic, host + ":" + port, this::stray)), traffic);
            }
        }
        return channel;
    }

    /** The field key the message log and comparisons use for a field number. */
    public static String key(int number) {
        Field f = Field.byNumber(number);
        return f != null ? f.name() : "F" + number;
    }

    /** Field keys from numbers or names ({@code 7}, {@code RRN}, {@code F61}); unknown ones are an error. */
    public static Set<String> keys(List<String> items) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : items) {
            for (String s : raw.split(",")) {
                String t = s.strip();
                if (t.isEmpty()) {
                    continue;
                }
                if (t.matches("\\d{1,3}") && Integer.parseInt(t) >= 2 && Integer.parseInt(t) <= 128) {
                    out.add(key(Integer.parseInt(t)));
                } else if (t.matches("[Ff]\\d{1,3}")) {
                    out.add(key(Integer.parseInt(t.substring(1))));
                } else {
                    try {
                        out.add(Field.valueOf(t.toUpperCase(java.util.Locale.ROOT)).name());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("unknown field '" + t + "': give a number 2-128 or a name such as RRN, AUTH_CODE");
                    }
                }
            }
        }
        return out;
    }

    /**
     * Checks every request can be rebuilt and sent (before anything is sent): a tampered or malformed
     * line is an error naming it and the field. Returns the terminal ids of the requests it will send, each once, in
     * the order they first come up (who signs on at max speed: found here, the send pass does not look for them again).
     */
    public List<String> check(Recording rec) {
        Set<String> ids = new LinkedHashSet<>();
        unmatched.clear();
        Set<String> seen = new HashSet<>(); // tid|STAN|MTI|field 7 of the requests before
        for (Recorded r : rec.requests()) {
            MessageType type = typeOf(r);
            findUnmatchedOriginal(r, type, seen);
            if (skipReason(r, type) != null) {
                continue;
            }
            ISOMsg m = (ISOMsg) r.request().clone();
            if (m.hasField(Field.PAN.number())) {
                TestCard card = cards.resolve(m.getString(Field.PAN.number()));
                m.set(Field.PAN.number(), card.pan());
                fillCard(r, m, type, card, new byte[8]);
            }
            if (type.spec().macked()) {
                m.set(dev.tally.spec.crypto.MessageMac.macField(m), new byte[8]);
            }
            List<MessageValidator.Problem> problems = MessageValidator.check(m);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(rec.source() + " " + r.where() + " (" + r.label() + "): "
                        + Masking.scrub(new dev.tally.spec.message.MessageValidationException(problems).getMessage()));
            }
            try {
                Iso87.pack(m);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(rec.source() + " " + r.where() + " (" + r.label() + "): "
                        + Masking.scrub(e.getMessage()), e);
            }
            ids.add(sessionId(MessageView.of(r.request()).terminalId()));
        }
        return List.copyOf(ids);
    }

    /** Replays every request; {@code progress} hears (done, total) after each. */
    public Report run(Recording rec, BiConsumer<Integer, Integer> progress) {
        return run(rec, check(rec), progress);
    }

    /** {@link #run(Recording, BiConsumer)} of a recording {@link #check} has passed, with the terminal ids it returned. */
    public Report run(Recording rec, List<String> terminalIds, BiConsumer<Integer, Integer> progress) {
        stans = new AtomicInteger(java.util.concurrent.ThreadLocalRandom.current().nextInt(0, 900_000));
        long started = System.nanoTime();
        long firstTs = rec.requests().getFirst().ts();
        List<Future<Result>> results = new ArrayList<>();
        int total = rec.requests().size();
        AtomicInteger done = new AtomicInteger();
        Semaphore window = new Semaphore(WINDOW);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        Set<String> sending = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HostChannel ch = channel();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            if (speed <= 0) {
                signOnAll(terminalIds, ch, senders);
            }
            try {
                for (Recorded r : rec.requests()) {
                    MessageType type = typeOf(r);
                    String skip = skipReason(r, type);
                    if (skip != null) {
                        results.add(CompletableFuture.completedFuture(
                                new Result(r, false, true, skip, null, null, null, List.of(), 0, null)));
                        report(progress, done, total);
                        continue;
                    }
                    pace(started, r.ts() - firstTs);
                    // alone as well: a request the host left unanswered in the recording (no answer, garbled bytes, a
                    // closed connection); on a shared connection garbled bytes or a hang-up cannot be told apart
                    // from the answers of the requests in flight beside it
                    boolean alone = speed > 0 || r.outcome().unanswered() || !PIPELINED.contains(type);
                    int permits = alone ? WINDOW : 1;
                    window.acquireUninterruptibly(permits); // alone: everything before it has been answered
                    Prepared p;
                    try {
                        p = prepare(r, type, ch);
                    } catch (RuntimeException e) {
                        window.release(permits);
                        throw e;
                    }
                    if (!alone && !sending.add(p.key())) {
                        // the log has this terminal + STAN twice: the first must be answered before the second goes
                        window.acquireUninterruptibly(WINDOW - 1);
                        permits = WINDOW;
                        alone = true;
                    }
                    final int held = permits;
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    if (alone) {
                        try {
                            results.add(CompletableFuture.completedFuture(send(p, ch)));
                        } finally {
                            inFlight.decrementAndGet();
                            window.release(held);
                        }
                        report(progress, done, total);
                    } else {
                        results.add(senders.submit(() -> {
                            try {
                                return send(p, ch);
                            } finally {
                                sending.remove(p.key());
                                inFlight.decrementAndGet();
                                window.release();
                                report(progress, done, total);
                            }
                        }));
                    }
                }
            } finally {
                window.acquireUninterruptibly(WINDOW); // every request sent has its answer (or its timeout)
            }
            if (ch == link) {
                link.drainStrays();
            }
        } finally {
            ch.close();
        }
        List<Result> out = new ArrayList<>(results.size());
        for (Future<Result> f : results) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("replay interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }
        return new Report(rec.source(), ch.address(), speed == 0 ? "max" : trim(speed), out, List.copyOf(strays),
                ignored, (System.nanoTime() - started) / 1_000_000, maxInFlight.get(), warnings(rec));
    }

    /**
     * At max speed every terminal id of the log signs on before the first request goes, up to {@link #SIGN_ONS_AT_ONCE} at
     * once: one after the other, as each id first came up in the log, a log of 64 terminal ids spent about a
     * second on sign-ons while the pipeline stood still. A terminal id the host will not sign on ends the replay
     * before anything is sent (the first such id in the log order is the one reported).
     */
    private void signOnAll(List<String> terminalIds, HostChannel ch, ExecutorService senders) {
        Semaphore limit = new Semaphore(SIGN_ONS_AT_ONCE);
        Map<String, Future<HostSession.Signed>> signing = new LinkedHashMap<>();
        for (String id : terminalIds) {
            HostSession session = session(id, ch);
            limit.acquireUninterruptibly();
            signing.put(id, senders.submit(() -> {
                try {
                    return session.signed();
                } finally {
                    limit.release();
                }
            }));
        }
        for (Future<HostSession.Signed> f : signing.values()) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("replay interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }
    }

    /** The session key of a terminal id: itself, or "" for a request that has none. */
    private static String sessionId(String terminalId) {
        return terminalId == null ? "" : terminalId;
    }

    /** The terminal id's session with the host, made (not signed on) the first time. */
    private HostSession session(String id, HostChannel ch) {
        return sessions.computeIfAbsent(id, k -> new HostSession(ch, k, tmk, this::nextStan, clock, timeout));
    }

    /** Messages that may overlap at max speed: nothing later in the log refers to them before they are answered. */
    private static final Set<MessageType> PIPELINED = Set.of(MessageType.SALE, MessageType.BALANCE_INQUIRY, MessageType.ECHO);

    private static void report(BiConsumer<Integer, Integer> progress, AtomicInteger done, int total) {
        int n = done.incrementAndGet();
        if (progress != null) {
            synchronized (progress) {
                progress.accept(n, total);
            }
        }
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** The request's type in the Tally catalogue (null: none); each pass over the log finds it once and hands it on. */
    private static MessageType typeOf(Recorded r) {
        return MessageView.of(r.request()).type().orElse(null);
    }

    /** Why a request is not replayed ({@code type}: {@link #typeOf}); null when it is. */
    private String skipReason(Recorded r, MessageType type) {
        String mti = r.request().getString(0);
        if (mti != null && mti.startsWith("08")) {
            return "network management is not replayed: the replay signs on itself";
        }
        if (type == null) {
            return "not a message of the Tally catalogue";
        }
        if (isReversal(type) && unmatched.containsKey(r.index()) && !sendUnmatchedReversals) {
            return "its original is not in the log, so field 90 cannot name a replayed original; sent as recorded it"
                    + " would reverse the real original at this host (--send-unmatched-reversals sends it anyway)";
        }
        return null;
    }

    private static boolean isReversal(MessageType type) {
        return type == MessageType.REVERSAL || type == MessageType.REVERSAL_REPEAT;
    }

    /**
     * Notes {@code r} in {@link #unmatched} when its field 90 names a request that is not among those before it, and
     * adds {@code r} itself to {@code seen}.
     */
    private void findUnmatchedOriginal(Recorded r, MessageType type, Set<String> seen) {
        ISOMsg m = r.request();
        String tid = m.getString(Field.TERMINAL_ID.number());
        if (type != null && m.hasField(Field.ORIGINAL_DATA_ELEMENTS.number())) {
            try {
                OriginalData od = OriginalData.decode(m.getString(Field.ORIGINAL_DATA_ELEMENTS.number()));
                if (!seen.contains(tid + "|" + od.stan() + "|" + od.mti() + "|" + od.transmissionDateTime())) {
                    String what = r.where() + " (" + r.label() + "): field 90 names " + od.mti() + " STAN "
                            + String.format("%06d", od.stan()) + " field 7 " + od.transmissionDateTime()
                            + ", which is not in the log: field 90 could not be rewritten";
                    unmatched.put(r.index(), what + (isReversal(type) ? sendUnmatchedReversals
                            ? "; sent as recorded (--send-unmatched-reversals): it reverses that original if this host holds it"
                            : "; not replayed (--send-unmatched-reversals sends it as recorded)"
                            : "; sent as recorded: it asks this host about that original"));
                }
            } catch (IllegalArgumentException e) {
                // unreadable field 90: sent as recorded, the host's answer (and the diff) say what it makes of it
            }
        }
        if (m.hasField(Field.TRANSMISSION_DATE_TIME.number())) {
            try {
                seen.add(tid + "|" + MessageView.of(m).stan() + "|" + m.getString(0) + "|"
                        + m.getString(Field.TRANSMISSION_DATE_TIME.number()));
            } catch (RuntimeException e) {
                // a STAN that does not read: check() names the line below
            }
        }
    }

    /** Waits until the request is due at the chosen speed; the wait is bounded by the recording's own gaps. */
    private void pace(long startedNanos, long offsetMs) {
        if (speed <= 0 || offsetMs <= 0) {
            return;
        }
        long dueNanos = startedNanos + (long) (offsetMs * 1_000_000L / speed);
        long left;
        while ((left = dueNanos - System.nanoTime()) > 0) {
            try {
                Thread.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A request rebuilt for this host, to be {@link #seal sealed} (PIN block, MAC) and sent. */
    private record Prepared(Recorded recorded, ISOMsg message, String stan, HostSession.Signed keys, TestCard pinCard,
                            boolean macked) {
        /** What the host's answer is matched by, less the MTI. */
        String key() {
            return message.getString(Field.TERMINAL_ID.number()) + "|" + stan;
        }
    }

    /**
     * Rebuilds a request ({@code type}: its {@link #typeOf}) in the recorded order (card, STAN, field 7, field 90,
     * MAC); signs on first if needed.
     */
    private Prepared prepare(Recorded r, MessageType type, HostChannel ch) {
        // a WireMsg keeps the body packed for its MAC, and the channel sends that (one pack, not two)
        ISOMsg m = WireMsg.copyOf(r.request());
        MessageView v = MessageView.of(m);
        String tid = v.terminalId();
        int recordedStan = v.stan(); // the view reads the message, which is renumbered below
        // a host that cannot be reached or refuses the sign-on ends the replay: nothing more can be compared
        HostSession.Signed keys = session(sessionId(tid), ch).signed();
        TestCard pinCard = null;
        if (m.hasField(Field.PAN.number())) {
            TestCard card = cards.resolve(m.getString(Field.PAN.number()));
            m.set(Field.PAN.number(), card.pan());
            fillCard(r, m, type, card, null);
            if (needsPin(r, m, type)) {
                pinCard = card;
            }
        }
        int stan = newStans.computeIfAbsent(tid + "|" + recordedStan, k -> nextStan());
        String stanText = ISOUtil.zeropad(stan, 6);
        m.set(Field.STAN.number(), stanText);
        replayedFrom.putIfAbsent(tid + "|" + stan, "recorded STAN " + ISOUtil.zeropad(recordedStan, 6)
                + v.orderReference().map(o -> ", order " + o).orElse(""));
        if (m.hasField(Field.TRANSMISSION_DATE_TIME.number())) {
            String old = m.getString(Field.TRANSMISSION_DATE_TIME.number());
            String fresh = clock.instant().atZone(ZoneOffset.UTC).format(MMDDHHMMSS);
            m.set(Field.TRANSMISSION_DATE_TIME.number(), fresh);
            originals.put(tid + "|" + recordedStan + "|" + m.getString(0) + "|" + old, new String[]{String.valueOf(stan), fresh});
        }
        if (m.hasField(Field.ORIGINAL_DATA_ELEMENTS.number())) {
            try {
                OriginalData od = OriginalData.decode(m.getString(Field.ORIGINAL_DATA_ELEMENTS.number()));
                String[] now = originals.get(tid + "|" + od.stan() + "|" + od.mti() + "|" + od.transmissionDateTime());
                if (now != null) {
                    m.set(Field.ORIGINAL_DATA_ELEMENTS.number(), new OriginalData(od.mti(), Integer.parseInt(now[0]), now[1],
                            od.acquirerId(), od.forwarderId()).encode());
                }
            } catch (IllegalArgumentException e) {
                // sent as recorded: the host's answer (and the diff) will say what it makes of it
            }
        }
        m.unset(dev.tally.spec.crypto.MessageMac.PRIMARY_MAC_FIELD);
        m.unset(dev.tally.spec.crypto.MessageMac.SECONDARY_MAC_FIELD);
        return new Prepared(r, m, stanText, keys, pinCard, type.spec().macked());
    }

    /**
     * The PIN block and the MAC, last, under the keys of the sign-on {@link #prepare} made sure of: needs nothing
     * from the requests before it, so a pipelined request is sealed by its own sender, not the thread reading the log.
     */
    private static void seal(Prepared p) {
        if (p.pinCard() != null) {
            p.message().set(Field.PIN_BLOCK.number(), p.keys().pinBlock(p.pinCard().pin(), p.pinCard().pan()));
        }
        if (p.macked()) {
            p.keys().mac(p.message());
        }
    }

    private Result send(Prepared p, HostChannel ch) {
        seal(p);
        Recorded r = p.recorded();
        ISOMsg m = p.message();
        String stanText = p.stan();
        long t0 = System.nanoTime();
        Exchange ex = ch.exchange(m, timeout);
        long latency = (System.nanoTime() - t0) / 1_000_000;
        Outcome outcome;
        Map<String, String> fields = null;
        String problem = null;
        switch (ex) {
            case Exchange.Answered a -> {
                outcome = Outcome.ANSWERED;
                fields = MessageLog.maskedFields(a.response());
            }
            case Exchange.NoAnswer n -> {
                outcome = Outcome.TIMEOUT;
                problem = n.why();
            }
            case Exchange.Broken b -> {
                outcome = b.why().startsWith("garbled") ? Outcome.GARBAGE : Outcome.DISCONNECTED;
                problem = Masking.scrub(b.why());
            }
        }
        // of the answer only its response code is kept, for the report: compared, the rest is let go (a large log's
        // answers held whole took as much memory again as the log)
        String code = fields == null ? null : fields.get(Field.RESPONSE_CODE.name());
        Map<String, String> kept = code == null ? null : Map.of(Field.RESPONSE_CODE.name(), code);
        return new Result(r, true, false, null, outcome, kept, problem, compare(r, outcome, fields, stanText), latency,
                stanText);
    }

    private int nextStan() {
        return stans.updateAndGet(s -> s >= 999_999 ? 1 : s + 1);
    }

    private static boolean needsPin(Recorded r, ISOMsg m, MessageType t) {
        return (t == MessageType.SALE || t == MessageType.BALANCE_INQUIRY)
                && (r.pinEntered() || m.hasField(Field.PIN_BLOCK.number()));
    }

    /**
     * Expiry from the test card when the catalogue requires it; a placeholder PIN block for checking. A recorded track
     * 2 (35) is left out: it is the recorded card's (in clear or masked), not the test card's, and never required.
     */
    private static void fillCard(Recorded r, ISOMsg m, MessageType type, TestCard card, byte[] placeholderPin) {
        m.unset(Field.TRACK2.number());
        MessageCatalogue.Entry e = type.spec();
        if (e.requestMandatory().contains(Field.EXPIRY.number()) || m.hasField(Field.EXPIRY.number())) {
            m.set(Field.EXPIRY.number(), ISOUtil.zeropad(card.expiry().getYear() % 100, 2)
                    + ISOUtil.zeropad(card.expiry().getMonthValue(), 2));
        }
        if (placeholderPin != null && needsPin(r, m, type)) {
            m.set(Field.PIN_BLOCK.number(), placeholderPin);
        }
    }

    /** Field by field, but for the ignored fields; the PAN is compared as the card map translates it. */
    List<Difference> compare(Recorded r, Outcome replayed, Map<String, String> fields, String sentStan) {
        Outcome recorded = r.outcome();
        List<Difference> out = new ArrayList<>();
        if (recorded == Outcome.NOT_RECORDED) {
            return out;
        }
        boolean sameKind = recorded == replayed || (r.codeOnly() && recorded.unanswered() && replayed.unanswered());
        if (!sameKind) {
            out.add(new Difference("outcome", 0, describe(recorded, r.response()), describe(replayed, fields)));
            return out;
        }
        if (recorded != Outcome.ANSWERED) {
            return out;
        }
        Map<String, String> before = new LinkedHashMap<>(r.response() == null ? Map.of() : r.response());
        Map<String, String> after = fields == null ? Map.of() : fields;
        if (r.codeOnly()) {
            String k = Field.RESPONSE_CODE.name();
            if (!java.util.Objects.equals(before.get(k), after.get(k))) {
                out.add(new Difference(k, Field.RESPONSE_CODE.number(), before.get(k), after.get(k)));
            }
            return out;
        }
        if (before.containsKey(Field.STAN.name())) {
            before.put(Field.STAN.name(), sentStan); // renumbered on purpose: the answer must name the STAN sent
        }
        String panKey = Field.PAN.name();
        if (before.containsKey(panKey)) {
            before.put(panKey, cards.resolve(before.get(panKey)).maskedPan());
        }
        // every field of either side, compared; only the differences (usually none) are put in field order
        for (Map.Entry<String, String> e : before.entrySet()) {
            String k = e.getKey();
            String b = after.get(k);
            if (!ignored.contains(k) && !java.util.Objects.equals(e.getValue(), b)) {
                out.add(new Difference(k, number(k), e.getValue(), b));
            }
        }
        for (Map.Entry<String, String> e : after.entrySet()) {
            String k = e.getKey();
            if (!before.containsKey(k) && !ignored.contains(k) && e.getValue() != null) {
                out.add(new Difference(k, number(k), null, e.getValue()));
            }
        }
        out.sort(java.util.Comparator.comparingInt(Difference::number).thenComparing(Difference::field));
        return out;
    }

    static int number(String key) {
        int number = Field.numberOfKey(key);
        return number < 0 ? 999 : number;
    }

    static String describe(Outcome o, Map<String, String> fields) {
        return switch (o) {
            case ANSWERED -> "answered " + (fields == null ? "?" : fields.getOrDefault(Field.RESPONSE_CODE.name(), "?"));
            case TIMEOUT -> "no answer";
            case GARBAGE -> "garbled answer";
            case DISCONNECTED -> "connection closed, no answer";
            case NOT_RECORDED -> "not recorded";
        };
    }
}
