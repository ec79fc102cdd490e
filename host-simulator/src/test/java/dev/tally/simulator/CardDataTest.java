package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/**
 * No full PAN, PIN block or key anywhere a person can see it: the log (run at DEBUG in the tests), the
 * admin API, the statement, and the ledger file itself.
 */
class CardDataTest extends SimulatorHarness {

    private static final TestCard UNKNOWN = new TestCard("u", "4111111111111111", VISA.expiry(), "1234", 0, "840", "");

    @Test
    void noFullPanInLogsStatementAdminApiOrLedgerFile() throws Exception {
        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        String clearMacKey;
        String admin;
        System.setErr(capture);
        System.setOut(capture);
        try {
            start();
            AdminClient api = new AdminClient(sim.adminUri());
            try (TestTerminal t = signedOn("TALLY001")) {
                clearMacKey = HexFormat.of().withUpperCase().formatHex(t.keys().macKey());
                for (TestCard card : CARDS.all()) {
                    ISOMsg sale = t.withPin(t.saleRequest(card, 1000, "P-" + card.id()), card, card.pin()).build();
                    ISOMsg answer = t.exchange((ISOMsg) sale.clone());
                    t.exchange(t.withPin(t.balanceRequest(card), card, "0000").build());
                    t.exchange(t.statusOf(sale));
                    t.exchange(t.reversalOf(sale, t.nextStan(), false, ReversalReason.OTHER));
                    if ("00".equals(answer.getString(39))) {
                        t.exchange(t.uploadOf(sale, answer));
                    }
                }
                t.exchange(t.saleRequest(UNKNOWN, 1000, "P-unknown").build());
                ISOMsg broken = t.saleRequest(VISA, 1000, "P-broken").build();
                broken.unset(4);
                t.exchange(broken);
                t.send(t.saleRequest(VISA, 1073, "P-garbage").build());
                try {
                    t.receiveWithin(Duration.ofSeconds(2));
                } catch (org.jpos.iso.ISOException expected) {
                    // .73 answers garbage
                }
                t.connect();
                t.exchange(t.saleRequest(VISA, 1055, "P-55").build());
            }
            // a frame that breaks mid-field, carrying a PAN
            byte[] frame = Framing.frame(Iso87.pack(new TestTerminal(sim.isoPort(), "TALLY0XX").saleRequest(VISA, 1, "P-cut").build()),
                    Framing.DEFAULT_TPDU);
            try (Socket s = new Socket("127.0.0.1", sim.isoPort())) {
                frame[1] = (byte) (frame[1] - 30);
                s.getOutputStream().write(frame);
                // read until the host hangs up (or resets): it has handled the frame, and logged it, by then
                s.setSoTimeout(30_000);
                assertTrue(PeerSockets.closedByServer(s), "the host hangs up on a frame broken mid-field (the connection"
                        + " was still open after 30 s)");
            }
            admin = api.get("/transactions").body() + api.get("/cards").body() + api.get("/statement").body()
                    + api.get("/metrics").body();
            sim.close();
            sim = null;
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("476173******0119"), "the tests run with DEBUG logs, which show masked PANs:\n" + log);

        List<String> pans = new ArrayList<>(CARDS.all().stream().map(TestCard::pan).toList());
        pans.add(UNKNOWN.pan());
        byte[] ledgerBytes = ledgerFiles();
        String ledgerText = new String(ledgerBytes, StandardCharsets.ISO_8859_1);
        for (String pan : pans) {
            assertFalse(log.contains(pan), "full PAN in the log");
            assertFalse(admin.contains(pan), "full PAN in the admin API");
            assertFalse(ledgerText.contains(pan), "full PAN in the ledger file");
        }
        assertFalse(ledgerText.contains(clearMacKey), "a clear session key in the ledger file");
        assertFalse(log.contains(clearMacKey), "a clear session key in the log");
    }

    private byte[] ledgerFiles() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("ledger.db")).toList()) {
                all.write(Files.readAllBytes(p));
            }
        }
        return all.toByteArray();
    }
}
