package dev.tally.terminal.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** Reading the acquirer's statement CSV (docs/simulator.md §6): strict, naming the line and column. */
class StatementTest {

    static final String HEADER = String.join(",", Statement.COLUMNS) + "\n";
    static final String LINE = "2026-11-22,HOSPITAL0000001,TALLY001,INV-1,000001,632600000001,007919,12.34,840,"
            + "476173******0119,APPROVED,PENDING,2026-11-23\n";

    @Test
    void readsTheSimulatorsFormat() {
        Statement s = Statement.parse("t.csv", HEADER + LINE + LINE.replace("INV-1", "\"INV,2\"").replace(",PENDING,2026-11-23", ",NOT_CREDITED,"));
        assertEquals(2, s.lines().size());
        StatementLine l = s.lines().getFirst();
        assertEquals(LocalDate.of(2026, 11, 22), l.businessDate());
        assertEquals(1234, l.amount());
        assertEquals(1, l.stan());
        assertEquals(LocalDate.of(2026, 11, 23), l.creditDate());
        assertTrue(l.debitStands());
        assertEquals("INV,2", s.lines().get(1).orderRef(), "a quoted cell may hold a comma");
        assertNull(s.lines().get(1).creditDate());
        assertEquals(3, s.lines().get(1).line());
    }

    /**
     * A statement carries masked PANs only: a line with a card number anywhere (masked_pan not first 6 + last 4,
     * a PAN run together or printed in groups in any other column) is refused naming the line and the column,
     * and the message never holds the number.
     */
    @Test
    void aLineWithACardNumberIsRefusedNamingTheColumnNotTheNumber() {
        record Case(String text, String expected) { }
        String masked = "476173******0119";
        for (Case c : new Case[] {
            new Case(HEADER + LINE.replace(masked, "4761739001010119"), "line 2: masked_pan"),
            new Case(HEADER + LINE + LINE.replace(masked, "4761 7390 0101 0119"), "line 3: masked_pan"),
            new Case(HEADER + LINE.replace(masked, "4761739001010119=28121011234"), "line 2: masked_pan"),
            new Case(HEADER + LINE.replace(masked, "47617390****0119"), "line 2: masked_pan"),
            new Case(HEADER + LINE.replace(masked, ""), "line 2: masked_pan"),
            new Case(HEADER + LINE.replace("HOSPITAL0000001", "4761739001010119"), "line 2: merchant_id"),
            new Case(HEADER + LINE.replace("TALLY001", "4761-7390-0101-0119"), "line 2: terminal_id"),
            new Case(HEADER + LINE.replace("INV-1", "INV-4761-7390-0101-0119"), "line 2: order_ref"),
            new Case(HEADER + LINE.replace("INV-1", "\"paid by 4761 7390 0101 0119, thanks\""), "line 2: order_ref"),
            new Case(HEADER + LINE.replace("INV-1", "4761.7390.0101.0119"), "line 2: order_ref"),
            new Case(HEADER + LINE.replace("632600000001", "4761739001010119"), "line 2: rrn"),
            new Case(HEADER + LINE.replace("007919", "4761 7390 0101 0119"), "line 2: auth_code"),
            new Case(HEADER + LINE.replace(",840,", ",4761739001010119,"), "line 2: currency"),
            new Case(HEADER + LINE.replace(",000001,", ",4761739001010119,"), "line 2: stan"),
            new Case(HEADER + LINE.replace(",PENDING,", ",4761 7390 0101 0119,"), "line 2: credit_state"),
            new Case(HEADER + LINE.replace("2026-11-23", "4761-7390-0101-0119"), "line 2: credit_date")}) {
            StatementFormatException e = assertThrows(StatementFormatException.class, () -> Statement.parse("t.csv", c.text()),
                    c.text());
            assertTrue(e.getMessage().startsWith("statement t.csv " + c.expected()), e.getMessage() + " should name " + c.expected());
            assertTrue(e.getMessage().contains("masked PANs only"), e.getMessage());
            String digits = e.getMessage().replaceAll("[^0-9]", "");
            assertFalse(digits.contains("739001") || digits.contains("28121011234"), "the number is not quoted: " + e.getMessage());
        }
    }

    /**
     * A numeric merchant id that passes the Luhn check (one in ten do) is the merchant's own id in its own statement,
     * not a card number: reconciling refused the statement of a terminal configured with it. Another merchant's such
     * id, or the check without an own id, still refuses the line.
     */
    @Test
    void theMerchantsOwnIdIsNoCardNumberThoughItPassesLuhn() {
        String own = "371449635398431";
        String text = HEADER + LINE.replace("HOSPITAL0000001", own);
        assertEquals(own, Statement.parse("t.csv", text, own).lines().getFirst().merchantId());
        assertThrows(StatementFormatException.class, () -> Statement.parse("t.csv", text, "HOSPITAL0000001"));
        assertThrows(StatementFormatException.class, () -> Statement.parse("t.csv", text));
        assertThrows(StatementFormatException.class, () -> Statement.parse("t.csv",
                HEADER + LINE.replace("HOSPITAL0000001", own).replace("INV-1", "4761739001010119"), own),
                "the rest of the line is still checked");
    }

    /** What is not a card number stays readable: RRNs, zero-padded and dated order ids, masked PANs with X. */
    @Test
    void ordinaryNumbersAreNotMistakenForACardNumber() {
        Statement s = Statement.parse("t.csv", HEADER
                + LINE.replace("INV-1", "2026-11-22-000130").replace("476173******0119", "371449XXXXX8431")
                + LINE.replace("INV-1", "INV-0000000000000000").replace("632600000001", "632600000006"));
        assertEquals("2026-11-22-000130", s.lines().getFirst().orderRef());
        assertEquals("371449XXXXX8431", s.lines().getFirst().maskedPan());
        assertEquals("INV-0000000000000000", s.lines().get(1).orderRef());
        assertEquals("632600000006", s.lines().get(1).rrn());
    }

    @Test
    void eachFaultNamesTheLineAndTheColumn() {
        record Case(String text, String expected) { }
        for (Case c : new Case[] {
            new Case("", "is empty"),
            new Case("date,amount\n", "line 1: the header"),
            new Case(HEADER + LINE.replace("12.34", "12.3"), "line 2: amount '12.3'"),
            new Case(HEADER + LINE + LINE.replace("2026-11-22,", "22/11/2026,"), "line 3: business_date"),
            new Case(HEADER + LINE.replace("APPROVED", "MAYBE"), "line 2: txn_state"),
            new Case(HEADER + LINE.replace("PENDING", "SOON"), "line 2: credit_state"),
            new Case(HEADER + LINE.replace(",000001,", ",ABC,"), "line 2: stan"),
            new Case(HEADER + LINE.replace("476173******0119", "476173******0119 "), "line 2: masked_pan"),
            new Case(HEADER + LINE.replace(",840,", ",840,x,"), "line 2: 14 columns"),
            new Case(HEADER + LINE.replace(",840,", ",,"), "line 2: currency must be an ISO 4217 numeric code"),
            new Case(HEADER + LINE.replace(",840,", ",ABC,"), "line 2: currency must be an ISO 4217 numeric code"),
            new Case(HEADER + LINE.replace(",840,", ",99999,"), "line 2: currency must be an ISO 4217 numeric code"),
            new Case(HEADER + LINE.replace(",840,", ",000,"), "line 2: currency 000 is not an ISO 4217 currency code"),
            new Case(HEADER + LINE.replace(",840,", ",392,"), "line 2: currency 392 (JPY) has 0 decimal places"),
            new Case(HEADER + "\n" + LINE, "line 2: empty line")}) {
            StatementFormatException e = assertThrows(StatementFormatException.class, () -> Statement.parse("t.csv", c.text()),
                    c.text());
            assertTrue(e.getMessage().contains(c.expected()) && e.getMessage().startsWith("statement t.csv"),
                    e.getMessage() + " should contain " + c.expected());
            assertFalse(e.getMessage().contains("4761739001010119"));
        }
    }
}
