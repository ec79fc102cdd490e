package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.simulator.ledger.Ledger;
import dev.tally.simulator.ledger.LedgerTransaction;
import dev.tally.terminal.cli.TallyCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A lab bench for end-to-end tests: the real simulator on a loopback port with its own ledger, and the
 * {@code tally} CLI run in-process against it with a journal in the same temp dir. Short timeouts keep
 * the uncertain cases fast; nothing here sleeps to wait, it polls with a deadline.
 */
final class Lab implements AutoCloseable {

    /** The bundled default card of the lab reader and the simulator. */
    static final String PAN = "4761739001010119";
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Path journal;
    final Simulator sim;

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not one JSON object on stdout: " + out + "\nstderr: " + err, e);
            }
        }

        String status() {
            return json().path("status").asText();
        }
    }

    Lab(Path dir, Duration lateDelay) throws Exception {
        this(dir, SimulatorConfig.defaults(dir.resolve("ledger.db")).withLateDelay(lateDelay));
    }

    /** A lab whose simulator runs with this configuration (a scenario file, ...). */
    Lab(Path dir, SimulatorConfig config) throws Exception {
        this.dir = dir;
        this.journal = dir.resolve("tally-journal.db");
        this.sim = Simulator.start(config);
    }

    /**
     * The host's answer timeout in seconds: generous by default so a loaded machine does not turn an
     * approval into a reversal; tests of unanswered requests set it to 1 to stay fast.
     */
    String timeout = "3";

    /** The settings every test uses: this lab's host and journal, the timeout, reversal repeats due at once. */
    List<String> baseArgs() {
        return new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(sim.isoPort()),
                "--journal", journal.toString(), "--timeout", timeout, "--reversal-interval", "0", "--json"));
    }

    Run tally(String... args) {
        List<String> all = baseArgs();
        all.addAll(List.of(args));
        return raw(all.toArray(String[]::new));
    }

    /** Runs the CLI with exactly these arguments. */
    static Run raw(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = TallyCli.run(args, o, e, Clock.systemDefaultZone());
        }
        Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(r.out().contains(PAN) || r.err().contains(PAN), "full PAN printed: " + r);
        return r;
    }

    List<LedgerTransaction> ledger(String order) {
        return sim.ledger().transactions(Ledger.Filter.all().order(order));
    }

    long standingDebits(String order) {
        return ledger(order).stream().filter(LedgerTransaction::debitStanding).count();
    }

    /** The journal's attempts as (order → states, oldest first), read with plain JDBC. */
    Map<String, List<String>> journalStates() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (!Files.exists(journal)) {
            return out;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + journal);
             PreparedStatement ps = c.prepareStatement("SELECT order_ref, state FROM attempts ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError("cannot read the journal", e);
        }
        return out;
    }

    /** The order's latest attempt state; null while there is none (or the journal is still being created). */
    String lastState(String order) {
        List<String> states;
        try {
            states = journalStates().get(order);
        } catch (AssertionError e) {
            return null;
        }
        return states == null ? null : states.getLast();
    }

    /** A snapshot of everything in the journal, to show that a command changed nothing. */
    String journalDump() {
        if (!Files.exists(journal)) {
            return "<no journal>";
        }
        StringBuilder sb = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + journal); var st = c.createStatement()) {
            for (String table : List.of("attempts", "attempt_events", "terminal_state")) {
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY 1")) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            sb.append(rs.getString(i)).append('|');
                        }
                        sb.append('\n');
                    }
                }
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError("cannot read the journal", e);
        }
        return sb.toString();
    }

    /**
     * DESIGN.md §6 for every order in the journal: APPROVED ⇔ exactly one standing debit; DECLINED /
     * REVERSED ⇔ none; REVERSAL_FAILED is listed by 'pending' beside what the host holds.
     */
    void assertInvariant() {
        for (Map.Entry<String, List<String>> e : journalStates().entrySet()) {
            String order = e.getKey();
            List<String> states = e.getValue();
            long approved = states.stream().filter(s -> s.equals("APPROVED") || s.equals("SETTLED")).count();
            long standing = standingDebits(order);
            if (states.contains("REVERSAL_FAILED")) {
                continue; // uncertain by definition: reported, not asserted (see pending)
            }
            assertTrue(states.stream().noneMatch(s -> s.equals("SENT") || s.equals("NEW")),
                    "order " + order + " left in flight: " + states);
            if (states.contains("REVERSAL_PENDING")) {
                continue;
            }
            assertEquals(approved, standing, "order " + order + ": journal " + states + " vs host " + ledger(order));
            assertTrue(approved <= 1, "order " + order + " paid twice: " + states);
        }
    }

    static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20); // polling interval, not a wait for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    @Override
    public void close() {
        sim.close();
    }
}
