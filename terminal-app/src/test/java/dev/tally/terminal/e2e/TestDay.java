package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The day of the issue-5 check: one order per test amount (.00 approved, .51 declined, .68 dropped,
 * .69 charged without an answer, .77 never credited, .78 credited at the cut-over, .98 reversed on the
 * third try, .99 whose reversal is never answered), driven through the CLI against the lab simulator.
 */
final class TestDay {

    static final List<String> ORDERS = List.of("DAY-00", "DAY-51", "DAY-68", "DAY-69", "DAY-77", "DAY-78", "DAY-98", "DAY-99");

    private TestDay() {
    }

    /**
     * Runs the day; afterwards .99 is REVERSAL_FAILED and everything else is final. A command that expects an answer
     * besides the sign-on (an approval, a decline, a reversal acknowledged) runs with 3 s; one where the host answers
     * only the sign-on runs with 1 s, since every unanswered exchange waits out the whole timeout.
     */
    static void run(Lab lab) {
        sale(lab, "3", "DAY-00", "10.00", 0, "APPROVED");
        sale(lab, "3", "DAY-51", "10.51", 2, "DECLINED");
        sale(lab, "3", "DAY-68", "10.68", 4, "REVERSED");           // unanswered, its reversal acknowledged
        sale(lab, "3", "DAY-69", "10.69", 4, "REVERSED");
        sale(lab, "3", "DAY-77", "10.77", 0, "APPROVED");
        sale(lab, "3", "DAY-78", "10.78", 0, "APPROVED");
        sale(lab, "1", "DAY-98", "10.98", 4, "REVERSAL_PENDING");   // first reversal dropped
        sale(lab, "1", "DAY-99", "10.99", 4, "REVERSAL_PENDING");   // (the .98's second reversal went first, dropped)
        lab.timeout = "3";
        lab.tally("pending", "--resolve");                           // .98 third try acknowledged; .99 second try
        lab.timeout = "1";
        Lab.Run last = lab.tally("pending", "--resolve");            // .99 third try: REVERSAL_FAILED
        lab.timeout = "3";
        assertEquals("REVERSED", lab.lastState("DAY-98"), last.toString());
        assertEquals("REVERSAL_FAILED", lab.lastState("DAY-99"), last.toString());
    }

    private static void sale(Lab lab, String timeout, String order, String amount, int exit, String status) {
        lab.timeout = timeout;
        Lab.Run r = lab.tally("sale", "--order", order, "--amount", amount);
        lab.timeout = "3";
        assertEquals(exit, r.exit(), r.toString());
        assertEquals(status, r.status(), r.toString());
    }

    /** Rows of a journal query, read with plain JDBC (columns joined by '|'). */
    static List<String> rows(Lab lab, String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + lab.journal);
             PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError("cannot read the journal: " + sql, e);
        }
        return out;
    }
}
