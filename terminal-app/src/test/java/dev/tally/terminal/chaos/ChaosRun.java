package dev.tally.terminal.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The chaos run (issue 8): a simulator with a seeded fault scenario, T {@code tally serve} processes
 * paying N orders as cashiers would (retrying after failures), K {@code kill -9}s of terminal processes at
 * seeded moments, then resolution, settlement, reconciliation, and the invariant of DESIGN.md §6 checked
 * for every order against the host ledger.
 *
 * <p>Faults are chosen per payment by the seeded driver and encoded in the amount's cents, which the
 * scenario file maps to a fault: the same seed gives the same amounts and so the same faults, whatever
 * the interleaving of the terminals. The kill moments are seeded by progress (after a seeded number of
 * completed orders), so which payments are in flight at a kill varies from run to run.
 */
public final class ChaosRun {

    /** The faults of the scenario, each tied to the cents of an amount (see {@link #scenario}). */
    enum Fault {
        DROP_REQUEST(11, "drop request", "{\"dropRequest\": true}"),
        APPLY_THEN_DROP(12, "apply then drop the response", "{\"dropResponse\": true}"),
        LATE_ANSWER(13, "late answer", "{\"late\": true}"),
        DISCONNECT(14, "apply then close the connection", "{\"closeConnection\": true}"),
        DUPLICATE_ANSWER(15, "answer twice", "{\"respondTwice\": true}"),
        GARBAGE(16, "garbage answer", "{\"garbage\": true}"),
        LOST_REVERSALS(17, "first two reversals lost", "{\"dropResponse\": true, \"dropReversals\": 2}"),
        NEVER_ACKNOWLEDGED(18, "reversals never acknowledged", "{\"dropResponse\": true, \"neverAnswerReversals\": true}"),
        NOT_CREDITED(19, "approved, never credited", "{\"credit\": \"never\"}"),
        DELAYED_CREDIT(20, "approved, credited at the next cut-over", "{\"credit\": \"next-cutover\"}"),
        DECLINE(21, "declined 05", "{\"respond\": \"05\"}");

        final int cents;
        final String label;
        final String action;

        Fault(int cents, String label, String action) {
            this.cents = cents;
            this.label = label;
            this.action = action;
        }

        static Fault ofCents(long amount) {
            int c = (int) (amount % 100);
            for (Fault f : values()) {
                if (f.cents == c) {
                    return f;
                }
            }
            return null;
        }
    }

    /** What the run is asked to do. */
    public record Options(int payments, int terminals, int kills, long seed, double faultRate, Path dir,
                          int workersPerTerminal, int reversalAttempts, int simulatorKills, int settlementKills) {
        public Options {
            if (payments < 1 || terminals < 1 || kills < 0 || simulatorKills < 0 || settlementKills < 0 || faultRate < 0
                    || faultRate > 1 || workersPerTerminal < 1) {
                throw new IllegalArgumentException("chaos: payments and terminals must be at least 1, kills at least 0, "
                        + "fault rate between 0 and 1");
            }
        }
    }

    /** What happened, and every mismatch with the evidence. */
    public record Outcome(int orders, int payments, Map<String, Integer> faults, int kills, int simulatorKills,
                          String settlementKills, int hostUnavailable, long reversals, int settledBatches,
                          Map<String, Integer> finalStates, List<String> mismatches, Duration elapsed) {
        public String summary() {
            StringBuilder sb = new StringBuilder();
            sb.append("orders: ").append(orders).append('\n');
            sb.append("payment attempts (journal): ").append(payments).append('\n');
            sb.append("faults injected:");
            faults.forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
            sb.append('\n').append("kills (kill -9): ").append(kills).append('\n');
            sb.append("simulator kills (kill -9) during payments: ").append(simulatorKills).append('\n');
            sb.append("kills (kill -9) during settlement: ").append(settlementKills).append('\n');
            sb.append("payment requests answered HOST_UNAVAILABLE (nothing sent; the cashier asked again): ")
                    .append(hostUnavailable).append('\n');
            sb.append("reversals received by the host: ").append(reversals).append('\n');
            sb.append("settled batches: ").append(settledBatches).append('\n');
            sb.append("final attempt states:");
            finalStates.forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
            sb.append('\n').append("mismatches: ").append(mismatches.size()).append('\n');
            mismatches.forEach(m -> sb.append(m).append('\n'));
            sb.append("elapsed: ").append(elapsed.toSeconds()).append(" s\n");
            return sb.toString();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(60);

    private final Options o;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Terminal> terminals = new ArrayList<>();
    private final Map<String, AtomicInteger> faults = new ConcurrentHashMap<>();
    private final AtomicInteger payments = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger simulatorKills = new AtomicInteger();
    private final AtomicInteger hostUnavailable = new AtomicInteger();
    /** kills during settlement, by victim and by where the batch stood (the journal's state at the kill) */
    private final Map<String, Integer> settlementKills = new TreeMap<>();
    private int settlementKillsSkipped;
    private int killsAfterSettlement;
    private volatile boolean paymentsDone;
    private final List<String> anomalies = Collections.synchronizedList(new ArrayList<>());
    private final long began = System.nanoTime();
    private Acquirer simulator;
    private String adminUrl;
    private int isoPort;
    private int adminPort;

    private ChaosRun(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        int payments = 300;
        int terminals = 3;
        int kills = 3;
        long seed = 1;
        double rate = 0.3;
        int workers = 4;
        int reversalAttempts = 3;
        int simulatorKills = 0;
        int settlementKills = 0;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            try {
                switch (a) {
                    case "--payments" -> { payments = Integer.parseInt(v); i++; }
                    case "--terminals" -> { terminals = Integer.parseInt(v); i++; }
                    case "--kills" -> { kills = Integer.parseInt(v); i++; }
                    case "--seed" -> { seed = Long.parseLong(v); i++; }
                    case "--fault-rate" -> { rate = Double.parseDouble(v); i++; }
                    case "--workers" -> { workers = Integer.parseInt(v); i++; }
                    case "--reversal-attempts" -> { reversalAttempts = Integer.parseInt(v); i++; }
                    case "--sim-kills" -> { simulatorKills = Integer.parseInt(v); i++; }
                    case "--settle-kills" -> { settlementKills = Integer.parseInt(v); i++; }
                    case "--dir" -> { dir = Path.of(v); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException | NullPointerException e) {
                System.err.println("chaos: option " + a + " needs a number");
                System.exit(64);
            } catch (IllegalArgumentException e) {
                System.err.println("chaos: " + e.getMessage()
                        + " (options: --payments N --terminals T --kills K --sim-kills K --settle-kills K --seed S"
                        + " --fault-rate P --workers W --reversal-attempts N --dir DIR)");
                System.exit(64);
            }
        }
        if (dir == null) {
            dir = Files.createTempDirectory("tally-chaos");
        }
        Outcome out;
        try {
            out = run(new Options(payments, terminals, kills, seed, rate, dir, workers, reversalAttempts, simulatorKills,
                    settlementKills));
        } catch (IllegalArgumentException e) {
            System.err.println("chaos: " + e.getMessage());
            System.exit(64);
            return;
        }
        System.out.print(out.summary());
        System.out.println("files: " + dir);
        System.exit(out.mismatches().isEmpty() ? 0 : 1);
    }

    public static Outcome run(Options o) throws Exception {
        ChaosRun run = new ChaosRun(o);
        try {
            return run.go();
        } finally {
            run.stopAll();
        }
    }

    // ------------------------------------------------------------------ the run

    private Outcome go() throws Exception {
        Files.createDirectories(o.dir().resolve("inputs"));
        // what the run is given (test cards with their PANs, the scenario) is kept apart from what it produces,
        // which the leak scan searches
        Path cards = o.dir().resolve("inputs").resolve("cards.csv");
        Files.writeString(cards, """
                # chaos cards: the bundled test PANs with balances no chaos run can exhaust
                visa-1,4761739001010119,3012,1234,99999999.00,840,chaos
                mc-1,5413330089010442,2912,4321,99999999.00,840,chaos
                disc-1,6011000000000129,2808,2222,99999999.00,840,chaos
                amex-1,3714496353984314,2711,3333,99999999.00,840,chaos
                """);
        Path scenario = o.dir().resolve("inputs").resolve("chaos-scenario.json");
        Files.writeString(scenario, scenario());
        startSimulator(cards, scenario);
        for (int t = 0; t < o.terminals(); t++) {
            Terminal term = new Terminal(t, cards);
            terminals.add(term);
            term.start();
        }

        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<?>> work = new ArrayList<>();
        for (Terminal term : terminals) {
            List<Integer> mine = new ArrayList<>();
            for (int i = term.index; i < o.payments(); i += o.terminals()) {
                mine.add(i);
            }
            AtomicInteger next = new AtomicInteger();
            for (int w = 0; w < o.workersPerTerminal(); w++) {
                work.add(pool.submit(() -> {
                    int k;
                    while ((k = next.getAndIncrement()) < mine.size()) {
                        pay(term, mine.get(k));
                        completed.incrementAndGet();
                    }
                    return null;
                }));
            }
        }
        Future<?> killer = pool.submit(() -> {
            killer();
            return null;
        });
        // the acquirer's own kills run beside the terminals': a terminal may restart while the host is down
        Future<?> simulatorKiller = pool.submit(() -> {
            simulatorKiller();
            return null;
        });
        for (Future<?> f : work) {
            f.get();
        }
        // the killer stops before its next kill; a restart under way finishes (cancelled, it left the terminal at a
        // placeholder address and the run died at its first request to it)
        paymentsDone = true;
        killer.get();
        simulatorKiller.get();
        pool.shutdownNow();

        // resolve: every terminal works off its reversals (the loop runs in serve); wait until none is pending
        for (Terminal term : terminals) {
            waitNoPending(term);
        }
        int settled = 0;
        Random settleRnd = new Random(o.seed() ^ 0x9E3779B97F4A7C15L);
        for (Terminal term : terminals) {
            // settlement kill j lands in terminal (j mod T)'s settlement
            int killsHere = o.settlementKills() / o.terminals() + (term.index < o.settlementKills() % o.terminals() ? 1 : 0);
            if (settleUnderKills(term, killsHere, settleRnd)) {
                settled++;
            }
        }
        // the host's business day (its date when the run began: no cut-over happens) and, for a run that crossed
        // midnight UTC, each day after it up to today's: the terminals run in UTC (see Child), so an attempt the host
        // has no line for (its statement lists every sale it received on the business day) is reported on the date it
        // was made. An order reported on several days keeps its business day's item, which has the host's line.
        LocalDate businessDate = LocalDate.parse(get(adminUrl + "/health", null).path("businessDate").asText());
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate lastDay = today.isAfter(businessDate) ? today : businessDate;
        Map<String, JsonNode> reconFailed = new HashMap<>();
        for (Terminal term : terminals) {
            for (LocalDate day = businessDate; !day.isAfter(lastDay); day = day.plusDays(1)) {
                JsonNode recon = get(term.url + "/v1/reconciliation?date=" + day, term.token);
                for (JsonNode item : recon.path("items")) {
                    if (item.path("category").asText().equals("REVERSAL_FAILED")) {
                        reconFailed.putIfAbsent(term.terminalId + "/" + item.path("orderId").asText(), item);
                    }
                }
            }
        }
        for (Terminal term : terminals) {
            term.stop();
        }
        return check(settled, reconFailed);
    }

    /** One order, paid as a cashier would: retry after a failure now and then, wait out a lock. */
    private void pay(Terminal term, int i) throws Exception {
        Random rnd = new Random(o.seed() * 1_000_003L + i);
        String orderId = "CH" + o.seed() + "-" + i;
        String card = List.of("visa-1", "mc-1", "disc-1", "amex-1").get(rnd.nextInt(4));
        long amount = amount(rnd, true);
        boolean retried = false;
        for (int step = 0; step < 12; step++) {
            JsonNode r = postPayment(term, orderId, amount, card);
            String status = r.path("status").asText();
            switch (status) {
                case "APPROVED", "ALREADY_PAID", "REVERSAL_FAILED" -> {
                    return;
                }
                case "DECLINED", "REVERSED" -> {
                    if (!retried && rnd.nextBoolean()) {
                        retried = true;
                        amount = amount(rnd, true);
                        continue;
                    }
                    return;
                }
                case "REVERSAL_PENDING", "LOCKED" -> {
                    String settledState = waitUnlocked(term, orderId);
                    if (settledState.equals("REVERSED") && !retried && rnd.nextBoolean()) {
                        retried = true;
                        amount = amount(rnd, true);
                        continue;
                    }
                    if (settledState.equals("REVERSED") || settledState.equals("DECLINED")
                            || settledState.equals("APPROVED") || settledState.equals("REVERSAL_FAILED")) {
                        return;
                    }
                    // still pending after the wait: the background loop will finish it; the cashier moves on
                    return;
                }
                default -> {
                    anomalies.add("order " + orderId + ": unexpected answer " + r);
                    return;
                }
            }
        }
    }

    /** An amount between 1.00 and 99.99 whose cents say which fault the host plays (or none). */
    private long amount(Random rnd, boolean mayFault) {
        long units = 1 + rnd.nextInt(99);
        Fault f = null;
        if (mayFault && rnd.nextDouble() < o.faultRate()) {
            f = Fault.values()[rnd.nextInt(Fault.values().length)];
        }
        int cents;
        if (f != null) {
            cents = f.cents;
        } else {
            do {
                cents = rnd.nextInt(100);
            } while (Fault.ofCents(cents) != null);
        }
        return units * 100 + cents;
    }

    private JsonNode postPayment(Terminal term, String orderId, long amount, String card) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("orderId", orderId);
        body.put("amount", String.format("%d.%02d", amount / 100, amount % 100));
        body.put("card", card);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            String url = term.url;
            try {
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/payments"))
                        .timeout(HTTP_TIMEOUT).header("Authorization", "Bearer " + term.token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode r = JSON.readTree(resp.body());
                String status = r.path("status").asText();
                if (resp.statusCode() >= 500 && status.isEmpty()) {
                    throw new IOException("HTTP " + resp.statusCode());
                }
                if (resp.statusCode() == 503 && r.path("error").asText().equals("HOST_UNAVAILABLE")) {
                    // the acquirer is down (killed, restarting): nothing was sent; the cashier asks again a moment later
                    hostUnavailable.incrementAndGet();
                    if (Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("the host did not come back for order " + orderId + " in 120 s: " + r);
                    }
                    Thread.sleep(250); // a cashier's pause before asking again, not a wait for an outcome
                    continue;
                }
                return r;
            } catch (IOException e) {
                // the terminal was killed (or is restarting): the cashier retries the same request
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("terminal " + term.terminalId + " did not come back for order "
                            + orderId + ": " + e);
                }
                term.awaitUrlChangeFrom(url, Duration.ofSeconds(2));
            }
        }
    }

    /** Polls the order until it is no longer uncertain (or 30 s pass); returns the state it reached. */
    private String waitUnlocked(Terminal term, String orderId) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        String state = "REVERSAL_PENDING";
        while (Instant.now().isBefore(deadline)) {
            try {
                JsonNode r = get(term.url + "/v1/payments/" + URLEncoder.encode(orderId, StandardCharsets.UTF_8),
                        term.token);
                if (r.path("status").asText().equals("ERROR")) {
                    // the terminal could not ask the host (it is down): the order is as uncertain as before
                    Thread.sleep(500);
                    continue;
                }
                state = r.path("status").asText(state);
                if (!state.equals("REVERSAL_PENDING") && !state.equals("LOCKED") && !state.equals("SENT")) {
                    return state;
                }
            } catch (IOException e) {
                term.awaitUrlChangeFrom(term.url, Duration.ofSeconds(1));
            }
            Thread.sleep(500); // a cashier glancing at the screen, not a test waiting for a condition
        }
        return state;
    }

    private void killer() throws Exception {
        Random rnd = new Random(o.seed() ^ 0x5DEECE66DL);
        for (int k = 0; k < o.kills(); k++) {
            if (!awaitProgress(k, o.kills(), rnd)) {
                return;
            }
            Terminal victim = terminals.get(rnd.nextInt(terminals.size()));
            victim.kill9AndRestart();
            kills.incrementAndGet();
        }
    }

    /** The acquirer's kills: kill -9 of the simulator, restarted on the same ports, ledger, scenario and cards. */
    private void simulatorKiller() throws Exception {
        Random rnd = new Random(o.seed() ^ 0x2545F4914F6CDD1DL);
        for (int k = 0; k < o.simulatorKills(); k++) {
            if (!awaitProgress(k, o.simulatorKills(), rnd)) {
                return;
            }
            simulator.kill9AndRestart();
            simulatorKills.incrementAndGet();
        }
    }

    /**
     * Waits for the k-th of n kill moments, seeded by progress (a number of completed orders); false when the payments
     * are done first: no kill starts once the last order is paid.
     */
    private boolean awaitProgress(int k, int n, Random rnd) throws InterruptedException {
        int at = (int) ((k + 1L) * o.payments() / (n + 1)) + rnd.nextInt(Math.max(1, o.payments() / (4 * (n + 1))));
        while (completed.get() < Math.min(at, o.payments() - 1)) {
            if (completed.get() >= o.payments() || paymentsDone) {
                return false;
            }
            Thread.sleep(5);
        }
        return !paymentsDone;
    }

    private void waitNoPending(Terminal term) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            JsonNode r = get(term.url + "/v1/pending", term.token);
            boolean open = false;
            for (JsonNode p : r.path("pending")) {
                String s = p.path("state").asText();
                if (!s.equals("REVERSAL_FAILED")) {
                    open = true;
                }
            }
            if (!open) {
                return;
            }
            Thread.sleep(250);
        }
        anomalies.add("terminal " + term.terminalId + ": reversals still pending after 120 s");
    }

    /**
     * Settles the terminal's batch. When one of its answers misses the terminals' 1 s timeout the next try resumes it,
     * so it is tried until a deadline, not a number of times: a slow or loaded machine gets as many tries as it needs.
     */
    private boolean settle(Terminal term) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        String last;
        while (true) {
            try {
                term.settlementAsks.incrementAndGet();
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(term.url + "/v1/settlement"))
                        .timeout(HTTP_TIMEOUT).header("Authorization", "Bearer " + term.token)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode r = JSON.readTree(resp.body());
                if (resp.statusCode() == 200 && r.path("status").asText().equals("CLOSED")) {
                    return true;
                }
                last = "HTTP " + resp.statusCode() + " " + r.path("status").asText() + r.path("error").asText();
            } catch (IOException e) {
                last = e.toString();
            }
            if (Instant.now().isAfter(deadline)) {
                break;
            }
            Thread.sleep(500); // a retry interval, not a wait for an outcome
        }
        anomalies.add("terminal " + term.terminalId + ": settlement did not close the batch in 120 s (last: " + last + ")");
        return false;
    }

    /**
     * Settles the terminal's batch with {@code n} kill -9s landing while the settlement is under way, each of the
     * terminal or of the simulator (seeded), at a seeded step: the 0500 in flight (batch SETTLING) or after a seeded
     * share of the uploads (batch UPLOADING; the trailer when all are done). The moment is read from the terminal's
     * journal, which commits each step before the next message leaves, and the scenario holds each settlement answer a
     * little (see {@link #scenario}) so that a kill lands with a request applied at the host and its answer not yet sent.
     * A kill that finds the batch closed is not made, and counted as such. Each kill after the first waits for a step
     * the journal did not show at the one before. {@link #settle} meanwhile asks again until the batch closes.
     */
    private boolean settleUnderKills(Terminal term, int n, Random rnd) throws Exception {
        if (n == 0) {
            return settle(term);
        }
        // the host answers 95, and the terminal uploads, only when the host holds a standing debit the journal does not
        // count as approved (a REVERSAL_FAILED sale, its debit standing): without one, every kill aims at the 0500
        boolean uploads = standingAtHost(term) != approvedInJournal(term);
        ExecutorService one = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<Boolean> settling = one.submit(() -> settle(term));
            List<Object> previous = null;
            int asksBefore = 0;
            for (int k = 0; k < n; k++) {
                boolean killSimulator = rnd.nextBoolean();
                double share = uploads ? rnd.nextDouble() : 0; // below 0.3: the 0500; above: that share of the uploads done
                int extraMillis = share < 0.3 ? rnd.nextInt(250) : rnd.nextInt(40);
                List<Object> step = awaitSettlementStep(term, share, previous, asksBefore, settling);
                if (step == null) {
                    settlementKillsSkipped += n - k;
                    break;
                }
                Thread.sleep(extraMillis); // into the answer the host holds: a seeded moment, not a wait for an outcome
                List<Object> at;
                if (killSimulator) {
                    at = settlementStep(term);
                    if (at == null) {
                        settlementKillsSkipped += n - k;
                        break;
                    }
                    simulator.kill9AndRestart();
                } else {
                    List<List<Object>> seen = new ArrayList<>();
                    term.kill9AndRestart(() -> seen.add(settlementStep(term)));
                    at = seen.getFirst();
                    if (at == null) {
                        // the batch had closed just before the kill: a kill, but not during a settlement
                        killsAfterSettlement++;
                        settlementKillsSkipped += n - k - 1;
                        break;
                    }
                }
                synchronized (settlementKills) {
                    settlementKills.merge(killSimulator ? "by simulator" : "by terminal", 1, Integer::sum);
                    settlementKills.merge("batch " + at.get(0), 1, Integer::sum);
                }
                previous = at;
                asksBefore = term.settlementAsks.get(); // the restart is up: an ask from now on reaches it

            }
            return settling.get();
        } finally {
            one.shutdownNow();
        }
    }

    /**
     * Polls the terminal's journal until its settlement is at the step asked for, at a step other than {@code previous}
     * or asked again since the kill before ({@code asksBefore}: a resumed 0500 leaves the journal as it was until its
     * answer); null when the settlement closed (or ended) first.
     */
    private List<Object> awaitSettlementStep(Terminal term, double share, List<Object> previous, int asksBefore,
                                             Future<Boolean> settling) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            List<Object> step = settlementStep(term);
            if (step == null) {
                if (settling.isDone()) {
                    return null;
                }
            } else if (!step.equals(previous) || term.settlementAsks.get() > asksBefore) {
                if (share < 0.3) {
                    return step;
                }
                long target = (long) Math.floor((share - 0.3) / 0.7 * ((long) step.get(2) + 1));
                if (step.get(0).equals("UPLOADING") && (long) step.get(1) >= target) {
                    return step;
                }
            }
            if (settling.isDone()) {
                return null;
            }
            Thread.sleep(3);
        }
        return null;
    }

    private long standingAtHost(Terminal term) throws Exception {
        long n = 0;
        for (JsonNode t : get(adminUrl + "/transactions?terminal=" + term.terminalId, null).path("transactions")) {
            if (t.path("debitStanding").asBoolean()) {
                n++;
            }
        }
        return n;
    }

    private static long approvedInJournal(Terminal term) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + term.journal);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM attempts WHERE state = 'APPROVED'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The terminal's settlement under way, from its journal: state, uploaded, debit count, updated; null when none. */
    private static List<Object> settlementStep(Terminal term) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + term.journal);
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT state, uploaded, debit_count, updated_at, batch_number FROM batches"
                         + " WHERE state <> 'CLOSED'")) {
                return rs.next() ? List.of(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)) : null;
            } catch (java.sql.SQLException e) {
                // busy while the terminal writes or recovers its journal: read again
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("cannot read the journal " + term.journal + " for 30 s: " + e, e);
                }
                Thread.onSpinWait();
            }
        }
    }

    // ------------------------------------------------------------------ the invariant

    private Outcome check(int settled, Map<String, JsonNode> reconFailed) throws Exception {
        List<String> mismatches = new ArrayList<>(anomalies);
        Map<String, Integer> finalStates = new TreeMap<>();
        long reversals = 0;
        for (Terminal term : terminals) {
            // journal: every attempt of every order
            Map<Integer, String[]> attemptsByStan = new HashMap<>();
            Map<String, List<String[]>> attemptsByOrder = new LinkedHashMap<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + term.journal);
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT order_ref, stan, state, amount FROM attempts ORDER BY id")) {
                while (rs.next()) {
                    String[] a = {rs.getString(1), String.valueOf(rs.getInt(2)), rs.getString(3), String.valueOf(rs.getLong(4))};
                    attemptsByStan.put(rs.getInt(2), a);
                    attemptsByOrder.computeIfAbsent(a[0], k -> new ArrayList<>()).add(a);
                    finalStates.merge(a[2], 1, Integer::sum);
                    payments.incrementAndGet();
                    Fault f = Fault.ofCents(rs.getLong(4));
                    faults.computeIfAbsent(f == null ? "none" : f.label, k -> new AtomicInteger()).incrementAndGet();
                }
            }
            // ledger: every sale the host received from this terminal
            JsonNode txns = get(adminUrl + "/transactions?terminal=" + term.terminalId, null).path("transactions");
            Map<Integer, JsonNode> ledgerByStan = new HashMap<>();
            Map<String, Integer> standingByOrder = new HashMap<>();
            for (JsonNode t : txns) {
                ledgerByStan.put(t.path("stan").asInt(), t);
                reversals += t.path("reversalCount").asLong();
                if (t.path("debitStanding").asBoolean()) {
                    standingByOrder.merge(t.path("orderRef").asText(), 1, Integer::sum);
                }
            }
            for (Map.Entry<String, List<String[]>> e : attemptsByOrder.entrySet()) {
                String order = e.getKey();
                long approved = e.getValue().stream().filter(a -> a[2].equals("APPROVED") || a[2].equals("SETTLED")).count();
                if (approved > 1) {
                    mismatches.add(evidence(term, order, "approved twice", e.getValue(), ledgerByStan));
                }
                if (standingByOrder.getOrDefault(order, 0) > 1) {
                    mismatches.add(evidence(term, order, "the card is debited twice for one order", e.getValue(), ledgerByStan));
                }
                for (String[] a : e.getValue()) {
                    JsonNode l = ledgerByStan.get(Integer.parseInt(a[1]));
                    boolean stands = l != null && l.path("debitStanding").asBoolean();
                    String why = switch (a[2]) {
                        case "APPROVED", "SETTLED" -> stands ? null : "journal APPROVED but no debit stands at the host";
                        case "DECLINED", "REVERSED" -> stands ? "journal " + a[2] + " but a debit stands at the host" : null;
                        case "REVERSAL_FAILED" -> {
                            JsonNode item = reconFailed.get(term.terminalId + "/" + order);
                            if (item == null) {
                                yield "REVERSAL_FAILED but not listed by reconciliation";
                            }
                            boolean hostSays = item.path("host").path("debitStands").asBoolean(false);
                            yield hostSays == stands ? null
                                    : "reconciliation shows the host's debit as " + hostSays + " but the ledger says " + stands;
                        }
                        default -> "left " + a[2] + " after resolution";
                    };
                    if (why != null) {
                        mismatches.add(evidence(term, order, why, e.getValue(), ledgerByStan));
                    }
                }
            }
            // a debit at the host that no journal attempt accounts for
            for (JsonNode t : txns) {
                if (t.path("debitStanding").asBoolean() && !attemptsByStan.containsKey(t.path("stan").asInt())) {
                    mismatches.add("order " + t.path("orderRef").asText() + " (" + term.terminalId
                            + "): a debit stands at the host for STAN " + t.path("stan").asInt()
                            + " that the journal never recorded: " + t);
                }
            }
        }
        Map<String, Integer> faultCounts = new TreeMap<>();
        faults.forEach((k, v) -> faultCounts.put(k, v.get()));
        StringBuilder sk = new StringBuilder();
        int made = settlementKills.entrySet().stream().filter(e -> e.getKey().startsWith("by ")).mapToInt(Map.Entry::getValue).sum();
        sk.append(made).append(" of ").append(o.settlementKills()).append(" asked");
        settlementKills.forEach((k, v) -> sk.append("; ").append(k).append(": ").append(v));
        if (killsAfterSettlement > 0) {
            sk.append("; a terminal killed just after its batch closed: ").append(killsAfterSettlement);
        }
        if (settlementKillsSkipped > 0) {
            sk.append("; not made (the settlement closed first): ").append(settlementKillsSkipped);
        }
        return new Outcome(o.payments(), payments.get(), faultCounts, kills.get(), simulatorKills.get(), sk.toString(),
                hostUnavailable.get(), reversals, settled, finalStates, mismatches, Duration.ofNanos(System.nanoTime() - began));
    }

    private static String evidence(Terminal term, String order, String why, List<String[]> attempts,
                                   Map<Integer, JsonNode> ledger) {
        StringBuilder sb = new StringBuilder("MISMATCH order " + order + " (" + term.terminalId + "): " + why);
        for (String[] a : attempts) {
            sb.append("\n  journal: STAN ").append(a[1]).append(' ').append(a[2]).append(" amount ").append(a[3]);
            JsonNode l = ledger.get(Integer.parseInt(a[1]));
            sb.append("\n  ledger:  ").append(l == null ? "(no transaction)" : l.toString());
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ processes

    private String scenario() {
        StringBuilder sb = new StringBuilder("{\n  \"seed\": " + o.seed() + ",\n  \"rules\": [\n");
        if (o.settlementKills() > 0) {
            // the host holds each settlement answer a little (well within the terminals' 1 s timeout), the request applied
            // at once: a kill during settlement then lands, as often as not, between the host's change and its answer
            sb.append("    {\"name\": \"settlement answered after 300 ms\", \"match\": {\"mti\": \"0500\"},"
                    + " \"action\": {\"delay\": \"300ms\"}},\n");
            sb.append("    {\"name\": \"upload answered after 50 ms\", \"match\": {\"mti\": \"0320\"},"
                    + " \"action\": {\"delay\": \"50ms\"}},\n");
        }
        Fault[] all = Fault.values();
        for (int i = 0; i < all.length; i++) {
            sb.append("    {\"name\": \"").append(all[i].label).append("\", \"match\": {\"mti\": \"0200\", \"cents\": ")
                    .append(all[i].cents).append("}, \"action\": ").append(all[i].action).append('}')
                    .append(i + 1 < all.length ? ",\n" : "\n");
        }
        return sb.append("  ]\n}\n").toString();
    }

    private void startSimulator(Path cards, Path scenario) throws Exception {
        simulator = new Acquirer(List.of("--ledger", o.dir().resolve("ledger.db").toString(),
                "--scenario", scenario.toString(), "--cards", cards.toString(), "--late-delay", "2s",
                "--message-log", o.dir().resolve("simulator-messages.jsonl").toString()));
        String line = simulator.start(0, 0);
        // listening iso8583=127.0.0.1:PORT admin=http://127.0.0.1:PORT
        for (String part : line.split(" ")) {
            if (part.startsWith("iso8583=")) {
                isoPort = Integer.parseInt(part.substring(part.lastIndexOf(':') + 1));
            } else if (part.startsWith("admin=")) {
                adminUrl = part.substring("admin=".length());
                adminPort = URI.create(adminUrl).getPort();
            }
        }
    }

    /**
     * The acquirer host: a {@code tally-sim} process, restarted after a kill -9 with the same options on the same two
     * ports (the terminals know no other), the same ledger file, scenario and cards.
     */
    private final class Acquirer {
        private final List<String> options;
        private Child process;
        private int generation;

        Acquirer(List<String> options) {
            this.options = options;
        }

        /** Starts it and returns its "listening" line; a port still held by the killed process is asked again. */
        synchronized String start(int port, int admin) throws Exception {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (true) {
                generation++;
                List<String> args = new ArrayList<>(List.of("dev.tally.simulator.cli.SimulatorCli",
                        "--port", String.valueOf(port), "--admin-port", String.valueOf(admin)));
                args.addAll(options);
                Child c = Child.start(o.dir().resolve(generation == 1 ? "simulator" : "simulator-" + generation), args);
                try {
                    String line = c.awaitLine(l -> l.startsWith("listening"), Duration.ofSeconds(60));
                    process = c;
                    return line;
                } catch (IllegalStateException e) {
                    c.kill9();
                    // 1: could not start (a port in use: the killed process's socket not yet released)
                    if (port == 0 || c.exitValue() != 1 || Instant.now().isAfter(deadline)) {
                        throw e;
                    }
                    Thread.sleep(250); // a retry interval for the bind, not a wait for an outcome
                }
            }
        }

        synchronized void kill9AndRestart() throws Exception {
            process.kill9();
            start(isoPort, adminPort);
        }

        void stop() {
            Child p;
            synchronized (this) {
                p = process;
            }
            if (p != null) {
                p.stop();
            }
        }
    }

    private void stopAll() {
        for (Terminal t : terminals) {
            t.stopQuietly();
        }
        if (simulator != null) {
            simulator.stop();
        }
    }

    private JsonNode get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_TIMEOUT).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() >= 500 && !resp.body().startsWith("{")) {
            throw new IOException(url + " answered HTTP " + resp.statusCode());
        }
        return JSON.readTree(resp.body());
    }

    /** One terminal: a {@code tally serve} process on its own journal, restarted after every kill. */
    private final class Terminal {
        final int index;
        final String terminalId;
        final Path journal;
        final Path tokenFile;
        final Path cards;
        volatile String url;
        volatile String token;
        /** POST /v1/settlement requests made to it (see {@link #settleUnderKills}) */
        final AtomicInteger settlementAsks = new AtomicInteger();
        private Child process;
        private int generation;

        Terminal(int index, Path cards) {
            this.index = index;
            this.terminalId = String.format("CHAOS%03d", index + 1);
            this.journal = o.dir().resolve(terminalId + ".db");
            this.tokenFile = o.dir().resolve(terminalId + ".token");
            this.cards = cards;
        }

        synchronized void start() throws Exception {
            generation++;
            process = Child.start(o.dir().resolve(terminalId + "-" + generation), List.of("dev.tally.terminal.cli.TallyCli",
                    "--port", String.valueOf(isoPort), "--journal", journal.toString(), "--terminal-id", terminalId,
                    "--timeout", "1", "--reversal-attempts", String.valueOf(o.reversalAttempts()),
                    "--reversal-interval", "0.5", "--cards", cards.toString(),
                    "--message-log", o.dir().resolve(terminalId + "-messages.jsonl").toString(),
                    "serve", "--api-port", "0", "--api-token-file", tokenFile.toString(), "--from-host", adminUrl,
                    "--keep-alive", "5"));
            String line = process.awaitLine(l -> l.startsWith("http://127.0.0.1:"), Duration.ofSeconds(90));
            token = Files.readString(tokenFile).strip();
            url = line.strip();
            notifyAll();
        }

        synchronized void kill9AndRestart() throws Exception {
            kill9AndRestart(() -> { });
        }

        /** As {@link #kill9AndRestart()}, running {@code whileDown} between the kill and the restart. */
        synchronized void kill9AndRestart(Runnable whileDown) throws Exception {
            process.kill9();
            url = "http://127.0.0.1:1"; // nothing listens there: requests fail until the restart is up
            whileDown.run();
            start();
        }

        synchronized void awaitUrlChangeFrom(String old, Duration max) throws InterruptedException {
            long end = System.nanoTime() + max.toNanos();
            while (url.equals(old) && System.nanoTime() < end) {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            }
        }

        void stop() {
            process.stop();
        }

        void stopQuietly() {
            if (process != null) {
                process.stop();
            }
        }
    }

    /**
     * A child JVM on this JVM's classpath, its output captured to files (scanned by the leak test). It runs in UTC, as
     * the simulator's business day does: a terminal's reconciliation reports an attempt the host has no line for on
     * the date it was made in the terminal's zone, which on a machine in another zone could be another date.
     */
    static final class Child {
        private final Process p;
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        private Child(Process p) {
            this.p = p;
        }

        static Child start(Path logPrefix, List<String> mainAndArgs) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Duser.timezone=UTC",
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
            cmd.addAll(mainAndArgs);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectError(logPrefix.resolveSibling(logPrefix.getFileName() + ".stderr").toFile());
            Child c = new Child(pb.start());
            Path out = logPrefix.resolveSibling(logPrefix.getFileName() + ".stdout");
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(c.p.getInputStream(), StandardCharsets.UTF_8));
                     OutputStream file = Files.newOutputStream(out)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        file.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                        file.flush();
                        synchronized (c.lines) {
                            c.lines.add(line);
                            c.lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended: nothing more to read
                }
            });
            return c;
        }

        String awaitLine(Predicate<String> wanted, Duration max) throws InterruptedException {
            long end = System.nanoTime() + max.toNanos();
            synchronized (lines) {
                while (System.nanoTime() < end) {
                    for (String l : lines) {
                        if (wanted.test(l)) {
                            return l;
                        }
                    }
                    if (!p.isAlive()) {
                        break;
                    }
                    lines.wait(100);
                }
            }
            throw new IllegalStateException("child process did not print the expected line (exit "
                    + (p.isAlive() ? "still running" : p.exitValue()) + "); output: " + lines);
        }

        void kill9() throws InterruptedException {
            p.destroyForcibly(); // SIGKILL on Linux: the power cut of DESIGN.md
            p.waitFor(30, TimeUnit.SECONDS);
        }

        /** The exit code; -1 while it still runs. */
        int exitValue() {
            return p.isAlive() ? -1 : p.exitValue();
        }

        void stop() {
            if (!p.isAlive()) {
                return;
            }
            p.destroy(); // SIGTERM: a clean stop
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
