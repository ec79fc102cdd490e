package dev.tally.terminal.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import dev.tally.spec.card.LabKeys;
import dev.tally.spec.format.MessageLog;
import dev.tally.terminal.host.Exchange;
import dev.tally.terminal.host.HostSession;
import dev.tally.terminal.host.SharedHostLink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The message log over a channel without a tap of its own (the shared connection of {@code serve}). */
class LoggedChannelTest {

    @Test
    void signOnAndEchoOverTheSharedLinkAreLogged(@TempDir Path dir) throws Exception {
        try (Simulator sim = Simulator.start(SimulatorConfig.defaults(dir.resolve("ledger.db")))) {
            Path file = dir.resolve("log.jsonl");
            TerminalTraffic traffic = new TerminalTraffic(new MessageLog(file, 1 << 20, 2, Clock.systemUTC()), null);
            SharedHostLink shared = new SharedHostLink("127.0.0.1", sim.isoPort(), Duration.ofSeconds(3), m -> { });
            AtomicInteger stans = new AtomicInteger(100);
            try (HostSession session = new HostSession(new LoggedChannel(shared, traffic), "TALLY007", LabKeys.tmk(),
                    stans::incrementAndGet, Clock.systemUTC(), Duration.ofSeconds(3))) {
                session.signOn();
                assertTrue(session.echo() instanceof Exchange.Answered);
            } finally {
                traffic.close();
            }
            List<MessageLog.Entry> lines = MessageLog.read(file);
            assertEquals(4, lines.size(), lines.toString());
            assertEquals(MessageLog.Event.REQUEST, lines.get(0).event());
            assertEquals("sign-on-000101", lines.get(0).messageId());
            assertEquals(MessageLog.Event.RESPONSE, lines.get(1).event());
            assertEquals("00", lines.get(1).responseCode());
            assertTrue(lines.stream().noneMatch(e -> e.fields() != null && e.fields().containsKey("KEY_BLOCKS")));
            assertEquals("echo-000102", lines.get(2).messageId());
        }
    }
}
