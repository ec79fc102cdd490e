package dev.tally.terminal.host;

import dev.tally.spec.crypto.KeyCheckValue;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jpos.jfr.ChannelEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readies, on a thread of its own, what a JVM's first exchange with a host loads once: Bouncy Castle's engines
 * (theirs is a signed jar, which the JVM verifies when its first class loads: about 130 ms), jPOS's channel events
 * (JFR event classes, which bring in JFR's machinery) and the {@code SecureRandom} behind the UUID jPOS gives every
 * socket, and the sign-on message's packing. A command started for one exchange would otherwise wait for each in
 * turn on its way to the host; started first, they load on the second core while the command reads its input
 * (a replay's log, say).
 *
 * <p>Touches no key, card or file and sends nothing: the key check value is of an all-zero key and the message is
 * packed, not sent. A failure here is left for the real path to meet and report: this thread only logs it.
 */
public final class HostWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(HostWarmup.class);

    private HostWarmup() {
    }

    /** Starts the warm-up on a daemon thread and returns at once, with the thread (tests wait for it). */
    public static Thread start() {
        return Thread.ofPlatform().name("host-warmup").daemon(true).start(HostWarmup::run);
    }

    static void run() {
        try {
            KeyCheckValue.hex(new byte[16]);
            UUID.randomUUID();
            new ChannelEvent.Connect();
            new ChannelEvent.Send();
            new ChannelEvent.Receive();
            Iso87.pack(MessageBuilder.request(MessageType.SIGN_ON)
                    .stan(1)
                    .transmissionDateTime(Instant.EPOCH.atZone(ZoneOffset.UTC))
                    .terminalId("WARMUP01")
                    .build());
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("warm-up left undone, the first exchange will load it: {}", e.toString());
        }
    }
}
