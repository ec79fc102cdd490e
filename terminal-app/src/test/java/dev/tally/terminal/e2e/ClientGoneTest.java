package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cashier system that hangs up while its payment is under way (its HTTP client gave up, the till was closed): the
 * payment still completes and is journaled, and serve's log says that the client went away and what became of the
 * order, so support can tell the till's "no answer" from a payment that failed.
 */
class ClientGoneTest {

    @TempDir
    Path dir;

    @Test
    void aClientThatHangsUpMidPaymentIsLoggedWithTheOrdersOutcome() throws Exception {
        // .70: approved at once, answered only after the late delay (well within serve's timeout), so the payment is
        // still under way when the client hangs up
        try (Lab lab = new Lab(dir, Duration.ofSeconds(4));
             ServeProcess api = new ServeProcess(lab, dir.resolve("token"), "--timeout", "60")) {
            String body = "{\"orderId\": \"GONE-1\", \"amount\": \"15.70\"}";
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), api.uri.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/payments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + api.token
                        + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            } // the client hangs up as soon as it has asked, its answer outstanding: nothing to catch in time (waiting
              // to see the payment SENT first raced the late answer on a slow machine); serve reads what was sent
            Lab.await("the payment to complete", Duration.ofSeconds(30), () -> "APPROVED".equals(lab.lastState("GONE-1")));
            assertEquals(1, lab.standingDebits("GONE-1"), "charged once");
            try {
                Lab.await("serve to log that the client went away", Duration.ofSeconds(20), () -> goneLine(api) != null);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; serve's log:\n" + Files.readString(api.stderr), e);
            }
            String line = goneLine(api);
            assertTrue(line.contains("WARN"), line);
            assertTrue(line.contains("APPROVED"), line);
            assertTrue(line.contains("476173******0119"), "the card as the API shows it, masked: " + line);
            assertFalse(line.contains(Lab.PAN), line);
            // the till asking afterwards gets the recorded result, nothing sent again
            ServeProcess.Reply again = api.post("/v1/payments", body);
            assertEquals("APPROVED", again.json().get("status").asText(), again.body());
            assertTrue(again.json().get("replayed").asBoolean(), again.body());
            assertEquals(1, lab.ledger("GONE-1").size());
            // and a SIGTERM still stops serve: the JDK server counts the exchange whose answer could not be written as
            // running for good, and its stop waited the whole grace for it, here 125 s (twice --timeout, plus 5 s):
            // past the 60 s terminate() gives serve to exit before it fails the test
            assertEquals(143, api.terminate());
            assertFalse(Files.readString(api.stderr).contains(Lab.PAN));
            lab.assertInvariant();
        }
    }

    private static String goneLine(ServeProcess api) {
        try {
            List<String> lines = Files.readAllLines(api.stderr);
            return lines.stream().filter(l -> l.contains("GONE-1") && l.contains("went away")).findFirst().orElse(null);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
