package dev.tally.terminal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.message.MessageView;
import dev.tally.terminal.host.HostUnavailableException;
import dev.tally.terminal.journal.Attempt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOMsg;

/**
 * The terminal's handling of whatever the host answers: no answer, any response code, a MAC that fails,
 * no MAC, the wrong STAN, fields overwritten. Whatever comes back, the sale ends in a state of DESIGN.md
 * §4, and it is APPROVED only when the host really answered that sale 00 under a MAC that verifies.
 * Regression inputs: src/test/resources/dev/tally/terminal/engine/ResponseFuzzTestInputs/.
 */
class ResponseFuzzTest {

    private static final String[] CODES = {"00", "05", "51", "91", "94", "96", "A0", "A1", "30", "25", "Q7"};
    private static final Set<PaymentStatus> SALE_ENDS = Set.of(PaymentStatus.APPROVED, PaymentStatus.DECLINED,
            PaymentStatus.REVERSED, PaymentStatus.REVERSAL_PENDING, PaymentStatus.REVERSAL_FAILED);
    /** sale STAN → whether the host sent it a 00 under a valid MAC */
    private static final Map<Integer, Boolean> GENUINE_APPROVAL = new ConcurrentHashMap<>();
    private static final AtomicInteger ORDERS = new AtomicInteger();
    private static volatile FuzzedDataProvider current;
    private static FakeHost host;
    private static TestTerminal terminal;

    private static synchronized TestTerminal terminal() throws Exception {
        if (terminal == null) {
            host = new FakeHost(ResponseFuzzTest::answer);
            Path dir = Files.createTempDirectory("tally-response-fuzz");
            terminal = new TestTerminal(dir.resolve("journal.db"), host.port(), Duration.ofMillis(250),
                    new ReversalPolicy(1, Duration.ZERO, 2.0, Duration.ZERO));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                terminal.close();
                try {
                    host.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return terminal;
    }

    @FuzzTest(maxDuration = "10s")
    void anyAnswerEndsTheSaleInAStateItJustifies(FuzzedDataProvider d) throws Exception {
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections(
                (h, port) -> h.equals("127.0.0.1") || h.equals("localhost"))) {
            TestTerminal t = terminal();
            current = d;
            PaymentResult r;
            try {
                r = t.engine.sale("FZ-" + ORDERS.incrementAndGet(), 100 + d.consumeInt(0, 99_999), null);
            } catch (HostUnavailableException e) {
                return; // sign-on refused or the connection could not be made: nothing was sent
            } finally {
                current = null;
            }
            assertTrue(SALE_ENDS.contains(r.status()), "a sale ends " + r.status());
            Attempt a = r.attempt();
            assertEquals(a.state().name(), t.journal.find(a.id()).orElseThrow().state().name(), "the journal agrees");
            if (r.status() == PaymentStatus.DECLINED) {
                // a code the catalogue does not know may be an approval (08, 10 in ISO 8583:1987): reversed, never declined
                assertTrue(ResponseCodes.find(r.responseCode()).isPresent(), "declined with unknown code " + r.responseCode());
            }
            if (r.status() == PaymentStatus.APPROVED) {
                assertTrue(GENUINE_APPROVAL.getOrDefault(a.stan(), false),
                        "approved without a genuine 00 from the host for STAN " + a.stan());
            }
        }
    }

    /** The fake host's answer, steered by the fuzzer's bytes. */
    private static ISOMsg answer(FakeHost h, ISOMsg req) {
        FuzzedDataProvider d = current;
        MessageView v = MessageView.of(req);
        if (d == null) {
            return h.answer(req, "00");
        }
        synchronized (ResponseFuzzTest.class) {
            boolean sale = "0200".equals(v.mti());
            int mode = d.consumeInt(0, 6);
            String rc = CODES[d.consumeInt(0, CODES.length - 1)];
            ISOMsg resp;
            switch (mode) {
                case 0 -> {
                    return null; // no answer
                }
                case 1 -> resp = h.answer(req, rc);
                case 2 -> { // a MAC that does not verify
                    resp = h.answer(req, rc);
                    byte[] mac = MessageView.of(resp).mac().orElseThrow();
                    mac[d.consumeInt(0, 7)] ^= (byte) (1 << d.consumeInt(0, 7));
                    resp.set(resp.hasField(128) ? 128 : 64, mac);
                }
                case 3 -> { // no MAC at all
                    resp = h.answer(req, rc);
                    resp.unset(64);
                    resp.unset(128);
                }
                case 4 -> { // the answer to another STAN
                    resp = h.answer(req, rc);
                    resp.set(11, String.format("%06d", (v.stan() % 999_999) + 1));
                    dev.tally.spec.crypto.MessageMac.apply(resp, h.macKey);
                }
                case 5 -> { // a field overwritten, then MACed: the host's signed word, however odd
                    resp = h.answer(req, rc);
                    int[] fields = {4, 37, 38, 39, 62};
                    resp.set(fields[d.consumeInt(0, fields.length - 1)], d.consumeString(12));
                    try {
                        dev.tally.spec.crypto.MessageMac.apply(resp, h.macKey);
                    } catch (RuntimeException unpackable) {
                        return null;
                    }
                }
                default -> resp = h.answer(req, "00".equals(rc) ? "00" : rc);
            }
            if (sale) {
                boolean genuine = "00".equals(resp.getString(39)) && v.stan() == MessageView.of(resp).stan()
                        && dev.tally.spec.crypto.MessageMac.verify(resp, h.macKey);
                GENUINE_APPROVAL.merge(v.stan(), genuine, Boolean::logicalOr);
            }
            return resp;
        }
    }
}
