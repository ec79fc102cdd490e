package dev.tally.terminal.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** Why the link to the host broke, in words: the socket's own, or what failed in the terminal, never Java's exception. */
class LinkLostTest {

    @Test
    void theSocketsWordsOrWhatFailedNotJavas() {
        assertEquals("connection to the host lost: Connection reset", LinkLost.because(new SocketException("Connection reset")));
        assertEquals("connection to the host lost: the host closed it", LinkLost.because(new EOFException()));
        // jPOS's channel wraps any error that is no IOException as IOException("unexpected exception", cause)
        assertEquals("connection to the host lost: the terminal failed reading the answer (IllegalStateException, see the"
                + " terminal's log)", LinkLost.because(new IOException("unexpected exception", new IllegalStateException("x"))));
        assertEquals("connection to the host lost: the terminal failed reading the answer (NullPointerException, see the"
                + " terminal's log)", LinkLost.because(new NullPointerException()));
    }
}
