package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.simulator.ledger.SettlementBatch;
import dev.tally.spec.format.MessageLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, "how it will be checked": a day with every anomaly, then settlement (95, upload, trailer)
 * and reconciliation against the simulator's statement.
 */
class EndOfDayTest {

    @TempDir
    Path dir;

    @Test
    void aDayWithEveryAnomalySettlesThroughUploadAndTheNextBatchStartsClean() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            TestDay.run(lab);

            Lab.Run settle = lab.tally("settle");
            assertEquals(0, settle.exit(), settle.toString());
            JsonNode s = settle.json();
            assertEquals("CLOSED", s.get("status").asText(), settle.toString());
            assertEquals("000001", s.get("batchNumber").asText());
            assertEquals("95", s.get("responseCode").asText(), "host holds the .99 debit: totals differ");
            assertEquals(3, s.get("terminalTotals").get("debitCount").asInt());
            assertEquals("31.55", s.get("terminalTotals").get("debitAmount").asText());
            assertEquals(3, s.get("uploaded").asInt());
            assertEquals("000002", s.get("nextBatchNumber").asText());
            assertEquals(1, s.get("excluded").size());
            assertEquals("DAY-99", s.get("excluded").get(0).get("orderId").asText());
            assertEquals("REVERSAL_FAILED", s.get("excluded").get(0).get("state").asText());

            List<SettlementBatch> host = lab.sim.ledger().batches("TALLY001");
            assertEquals(1, host.size(), host.toString());
            assertEquals("CLOSED", host.getFirst().status());
            assertEquals(1, host.getFirst().batchNumber());
            assertEquals(3, host.getFirst().uploads());
            assertFalse(host.getFirst().differences().isEmpty(), "the host records the .99 it holds");

            for (String o : List.of("DAY-00", "DAY-77", "DAY-78")) {
                assertEquals("SETTLED", lab.lastState(o), o);
            }
            // settled, the credit of the .78 is still pending: the status asks the acquirer all the same
            Lab.Run settled = lab.tally("status", "--order", "DAY-78");
            assertEquals(0, settled.exit(), settled.toString());
            assertEquals("PENDING", settled.json().get("host").get("credit").asText(), settled.toString());
            assertEquals("REVERSAL_FAILED", lab.lastState("DAY-99"));
            // PANs of the closed batch are purged; the .99 keeps its own: its reversal still needs it
            assertEquals(List.of("DAY-99"), TestDay.rows(lab, "SELECT order_ref FROM attempts WHERE pan_encrypted IS NOT NULL"));
            assertEquals(List.of("000001|CLOSED|3|3155|3"), TestDay.rows(lab,
                    "SELECT printf('%06d', batch_number), state, debit_count, debit_amount, uploaded FROM batches"));

            // the next day's settlement: nothing new on either side, 00 at once
            Lab.Run again = lab.tally("settle");
            assertEquals(0, again.exit(), again.toString());
            assertEquals("000002", again.json().get("batchNumber").asText());
            assertEquals("00", again.json().get("responseCode").asText(), again.toString());
            assertEquals(0, again.json().get("terminalTotals").get("debitCount").asInt());
            assertEquals(2, lab.sim.ledger().batches("TALLY001").size());

            // reconciliation against the simulator's statement of the day
            String admin = lab.sim.adminUri().toString();
            String day = lab.sim.ledger().businessDate().toString();
            Lab.Run rec = lab.tally("reconcile", "--from-host", admin, "--date", day);
            assertEquals(0, rec.exit(), rec.toString());
            Map<String, JsonNode> items = byOrder(rec.json());
            assertEquals("DIFFERENCES", rec.json().get("status").asText());
            assertEquals("NOT_CREDITED", items.get("DAY-77").get("category").asText(), rec.out());
            assertEquals("CREDIT_PENDING", items.get("DAY-78").get("category").asText(), rec.out());
            JsonNode failed = items.get("DAY-99");
            assertEquals("REVERSAL_FAILED", failed.get("category").asText(), rec.out());
            assertEquals("REVERSAL_FAILED", failed.get("journal").get("state").asText());
            assertTrue(failed.get("host").get("debitStands").asBoolean(), "the host's debit beside it: " + failed);
            assertEquals("10.99", failed.get("host").get("amount").asText());
            for (String o : List.of("DAY-00", "DAY-51", "DAY-68", "DAY-69", "DAY-98")) {
                assertEquals("MATCHED", items.get(o).get("category").asText(), o + ": " + items.get(o));
            }
            JsonNode totals = rec.json().get("totals");
            assertEquals(5, totals.get("MATCHED").get("count").asInt());
            assertEquals(items.get("DAY-00").get("amount").asText(), totals.get("MATCHED").get("amount").asText(),
                    "MATCHED's amount is what was credited: the declined and reversed matches moved nothing");
            assertTrue(items.get("DAY-51").get("note").asText().startsWith("declined (51) at the terminal"),
                    items.get("DAY-51").toString());
            assertEquals("10.77", totals.get("NOT_CREDITED").get("amount").asText());

            // after the acquirer's business-day cut-over the .78 is credited, a day late
            HttpResponse<String> cut = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(admin + "/cutover"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, cut.statusCode(), cut.body());
            Lab.Run late = lab.tally("reconcile", "--from-host", admin, "--date", day);
            assertEquals("CREDITED_LATE", byOrder(late.json()).get("DAY-78").get("category").asText(), late.out());

            // a sale after the acquirer's cut-over is on its next business day's statement: found there, credited,
            // not reported "not on the statement" for the till's day
            Lab.Run afterCutover = lab.tally("sale", "--order", "DAY-NEXT", "--amount", "12.00");
            assertEquals(0, afterCutover.exit(), afterCutover.toString());
            Lab.Run next = lab.tally("reconcile", "--from-host", admin, "--date", day);
            JsonNode booked = byOrder(next.json()).get("DAY-NEXT");
            assertEquals("MATCHED", booked.get("category").asText(), next.out());
            assertEquals(LocalDate.parse(day).plusDays(1).toString(), booked.get("businessDate").asText(), next.out());

            // the same statement as a file, as CSV for the finance office and as a table
            String csvText = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(admin + "/statement?date=" + day))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Path file = dir.resolve("statement.csv");
            Files.writeString(file, csvText);
            List<String> base = lab.baseArgs().stream().filter(a -> !a.equals("--json")).collect(Collectors.toList());
            base.addAll(List.of("reconcile", "--statement", file.toString(), "--csv"));
            Lab.Run csv = Lab.raw(base.toArray(String[]::new));
            assertEquals(0, csv.exit(), csv.toString());
            assertTrue(csv.out().startsWith("business_date,category,order_ref,"), csv.out());
            assertTrue(csv.out().lines().anyMatch(l -> l.contains(",NOT_CREDITED,DAY-77,10.77,")), csv.out());
            assertTrue(csv.out().lines().anyMatch(l -> l.contains(",CREDITED_LATE,DAY-78,10.78,")), csv.out());
            assertTrue(csv.out().lines().anyMatch(l -> l.contains(",REVERSAL_FAILED,DAY-99,10.99,")), csv.out());
            base.set(base.size() - 1, "--date");
            base.add(day);
            Lab.Run table = Lab.raw(base.toArray(String[]::new));
            assertEquals(0, table.exit(), table.toString());
            assertTrue(table.out().contains("Business date " + day) && table.out().contains("DEBIT STANDS"), table.out());
            for (Lab.Run r : List.of(rec, late, csv, table, settle)) {
                assertFalse(r.out().contains(Lab.PAN) || r.err().contains(Lab.PAN), "full PAN in " + r);
            }
            lab.assertInvariant();
        }
    }

    /**
     * A host that refuses the 0500 (96, system malfunction) has not said "totals differ" (95): nothing is
     * uploaded, no trailer goes, the settle fails naming the code (exit 2; the API's 502 INCOMPLETE is the
     * same result), the batch stays SETTLING, and the next settle resumes it.
     */
    @Test
    void aRefusedSettlementUploadsNothingAndTheBatchStaysToBeResumed() throws Exception {
        Path scenario = dir.resolve("scenario.json");
        Files.writeString(scenario, """
                {"testAmounts": true, "rules": [
                  {"name": "settlement refused once", "match": {"mti": "0500", "processingCode": "920000", "occurrence": 1},
                   "action": {"respond": "96"}}
                ]}""");
        try (Lab lab = new Lab(dir, SimulatorConfig.defaults(dir.resolve("ledger.db")).withScenarioFile(scenario))) {
            assertEquals(0, lab.tally("sale", "--order", "R-1", "--amount", "20.00").exit());
            assertEquals(0, lab.tally("sale", "--order", "R-2", "--amount", "30.00").exit());
            Path messages = dir.resolve("messages.jsonl");

            Lab.Run refused = lab.tally("--message-log", messages.toString(), "settle");
            assertEquals(2, refused.exit(), "the host refused: " + refused);
            JsonNode r = refused.json();
            assertEquals("INCOMPLETE", r.get("status").asText(), refused.toString());
            assertEquals("96", r.get("failureCode").asText());
            assertEquals("SETTLING", r.get("batchState").asText());
            assertEquals(0, r.get("uploaded").asInt());
            assertTrue(r.get("message").asText().startsWith("settlement of batch 000001 not finished: the 0500 of batch"
                    + " 000001 answered 96 ("), r.get("message").asText());
            assertTrue(r.get("message").asText().endsWith("settle again to resume it (tally settle, or POST /v1/settlement while tally serve runs)"), r.get("message").asText());
            List<MessageLog.Entry> sent = MessageLog.read(messages).stream()
                    .filter(e -> e.event() == MessageLog.Event.REQUEST).toList();
            assertEquals(List.of("0500"), sent.stream().map(MessageLog.Entry::mti).filter(m -> !m.equals("0800")).toList(),
                    "one 0500, no upload (0320), no trailer: " + sent);
            assertEquals(0, lab.sim.ledger().uploadCount("TALLY001"));
            assertEquals(List.of("000001|SETTLING|0"), TestDay.rows(lab,
                    "SELECT printf('%06d', batch_number), state, uploaded FROM batches"));
            assertEquals("APPROVED", lab.lastState("R-1"));
            // the till goes on selling while batch 1 waits: R-3 is in batch 2 (field 60), and the host, which never
            // cut batch 1 (the refusal came before its ledger), must still leave R-3 out of it
            assertEquals(0, lab.tally("sale", "--order", "R-3", "--amount", "40.00").exit());

            // the host answers again: the same batch resumes, its totals agree, 00, nothing uploaded
            Lab.Run resumed = lab.tally("settle");
            assertEquals(0, resumed.exit(), resumed.toString());
            JsonNode c = resumed.json();
            assertEquals("CLOSED", c.get("status").asText());
            assertTrue(c.get("resumed").asBoolean(), resumed.toString());
            assertEquals("000001", c.get("batchNumber").asText());
            assertEquals("00", c.get("responseCode").asText());
            assertEquals(0, c.get("uploaded").asInt());
            // the day is not settled yet: R-3 waits in batch 2, and the answer says so (it said only "closed")
            assertTrue(c.get("message").asText().endsWith("; batch 000002 holds 1 sale(s) taken since this settlement"
                    + " began, not settled yet: settle again to close it"), c.get("message").asText());
            List<SettlementBatch> host = lab.sim.ledger().batches("TALLY001");
            assertEquals(1, host.size(), host.toString());
            assertEquals("CLOSED", host.getFirst().status());
            assertEquals(0, host.getFirst().uploads());
            assertEquals("SETTLED", lab.lastState("R-1"));
            assertEquals("APPROVED", lab.lastState("R-3"));

            Lab.Run next = lab.tally("settle");
            assertEquals(0, next.exit(), next.toString());
            assertEquals("000002", next.json().get("batchNumber").asText());
            assertEquals("00", next.json().get("responseCode").asText(), "batch 2 (R-3) agrees at once: " + next);
            assertEquals("SETTLED", lab.lastState("R-3"));
            lab.assertInvariant();
        }
    }

    /**
     * A new journal for a terminal id the host knows numbers its batches from 000001 again; the host refuses a batch
     * number it closed with other totals (12). The settle says so in settlement terms, not in a cashier's words for a
     * declined card, and does not promise that running it again helps.
     */
    @Test
    void aBatchNumberTheHostClosedAlreadyIsExplainedNotWordedAsADeclinedCard() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofMillis(300))) {
            assertEquals(0, lab.tally("sale", "--order", "N-1", "--amount", "20.00").exit());
            assertEquals(0, lab.tally("settle").exit());

            List<String> second = lab.baseArgs();
            second.set(second.indexOf(lab.journal.toString()), dir.resolve("new-journal.db").toString());
            // a new till's journal, made by its first sale (the host unreachable then: nothing sent, nothing in it)
            List<String> first = new java.util.ArrayList<>(second);
            first.set(first.indexOf(String.valueOf(lab.sim.isoPort())), "1");
            first.addAll(List.of("sale", "--order", "N-2", "--amount", "1.00"));
            assertEquals(69, Lab.raw(first.toArray(String[]::new)).exit());
            second.add("settle"); // its batch 000001, empty: not the totals the host closed 000001 with
            Lab.Run refused = Lab.raw(second.toArray(String[]::new));
            assertEquals(2, refused.exit(), refused.toString());
            JsonNode r = refused.json();
            assertEquals("12", r.get("failureCode").asText(), refused.toString());
            String message = r.get("message").asText();
            assertTrue(message.contains("answered 12 (Invalid transaction: the host holds batch 000001 of this terminal"
                    + " already with other totals, closed or waiting for its upload"), message);
            assertTrue(message.endsWith("settling again gets the same answer until the host's batch numbers and this"
                    + " journal's agree"), message);
            assertFalse(message.contains("payment method"), message);
            assertEquals(1, lab.sim.ledger().batches("TALLY001").size(), "nothing closed at the host");
        }
    }

    static Map<String, JsonNode> byOrder(JsonNode report) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        report.get("items").forEach(i -> m.put(i.get("orderId").asText(), i));
        return m;
    }

    @Test
    void aMalformedStatementIsRefusedNamingTheLine() throws Exception {
        try (Lab lab = new Lab(dir, Duration.ofSeconds(3))) {
            assertEquals(0, lab.tally("sale", "--order", "M-1", "--amount", "12.00").exit());
            String before = lab.journalDump();
            Path file = dir.resolve("bad.csv");
            Files.writeString(file, "business_date,merchant_id,terminal_id,order_ref,stan,rrn,auth_code,amount,currency,"
                    + "masked_pan,txn_state,credit_state,credit_date\n"
                    + "2026-11-22,HOSPITAL0000001,TALLY001,M-1,000001,632600000001,007919,12.00,840,476173******0119,APPROVED,CREDITED,2026-11-22\n"
                    + "2026-11-22,HOSPITAL0000001,TALLY001,M-2,000002,632600000002,007920,1x.00,840,476173******0119,APPROVED,CREDITED,2026-11-22\n");
            Lab.Run r = lab.tally("reconcile", "--statement", file.toString());
            assertEquals(64, r.exit(), r.toString());
            assertTrue(r.err().contains("line 3") && r.err().contains("amount"), r.err());
            assertEquals(before, lab.journalDump(), "nothing changed");

            // a card number on the statement, in masked_pan or in a free-text column, written in groups: refused,
            // naming the line and column, never printed back, whether the report is asked for as JSON or CSV
            String header = "business_date,merchant_id,terminal_id,order_ref,stan,rrn,auth_code,amount,currency,"
                    + "masked_pan,txn_state,credit_state,credit_date\n";
            String good = "2026-11-22,HOSPITAL0000001,TALLY001,M-1,000001,632600000001,007919,12.00,840,476173******0119,"
                    + "APPROVED,CREDITED,2026-11-22\n";
            record Leak(String line, String column) { }
            for (Leak leak : List.of(new Leak(good.replace("476173******0119", "4761 7390 0101 0119"), "masked_pan"),
                    new Leak(good.replace("M-1", "X-9").replace("007919", "4761-7390-0101-0119"), "auth_code"),
                    new Leak(good.replace("M-1", "M-9 4761-7390-0101-0119"), "order_ref"))) {
                Files.writeString(file, header + good + leak.line());
                for (String format : List.of("--json", "--csv")) {
                    List<String> args = lab.baseArgs().stream().filter(a -> !a.equals("--json")).collect(Collectors.toList());
                    args.addAll(List.of("reconcile", "--statement", file.toString(), format));
                    Lab.Run refused = Lab.raw(args.toArray(String[]::new));
                    assertEquals(64, refused.exit(), refused.toString());
                    assertTrue(refused.err().contains("line 3: " + leak.column()), refused.err());
                    String shown = (refused.out() + refused.err()).replaceAll("[ -]", "");
                    assertFalse(shown.contains(Lab.PAN), "card number printed: " + refused);
                }
            }
            assertEquals(before, lab.journalDump(), "nothing changed");

            Lab.Run noSource = lab.tally("reconcile");
            assertEquals(64, noSource.exit(), noSource.toString());
        }
    }
}
