package dev.tally.terminal.host;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import org.jpos.iso.ISOException;
import org.junit.jupiter.api.Test;

/** Which failed sends were the link's (not counted as a reversal try) and which were not. */
class ExchangeTest {

    @Test
    void onlyAnIoErrorOfTheWriteIsTheLinkBreaking() {
        assertTrue(Exchange.Broken.sendFailed("x", new SocketException("Broken pipe")).linkBrokeOnWrite());
        assertTrue(Exchange.Broken.sendFailed("x", new IOException("unconnected ISOChannel")).linkBrokeOnWrite());
        assertTrue(Exchange.Broken.sendFailed("x", new IOException("reset", new SocketException("Connection reset")))
                .linkBrokeOnWrite());
        // jPOS wraps what is thrown after the flush (observers, logger): the frame may have left
        assertFalse(Exchange.Broken.sendFailed("x", new IOException("unexpected exception", new NullPointerException()))
                .linkBrokeOnWrite());
        assertFalse(Exchange.Broken.sendFailed("x", new ISOException("field 11 too long")).linkBrokeOnWrite(),
                "a message that cannot be packed fails every time: counted");
        assertFalse(Exchange.Broken.sendFailed("x", new IllegalStateException("bug")).linkBrokeOnWrite());
        assertFalse(new Exchange.Broken("connection to the host closed").linkBrokeOnWrite(), "after it left");
    }
}
