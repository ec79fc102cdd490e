package dev.tally.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** What a test's raw peer sees of the server closing its connection. */
public final class PeerSockets {

    private PeerSockets() {
    }

    /** Reads until the server closes the connection (true) or the socket's read timeout passes (false). */
    public static boolean closedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // drain whatever comes
            }
            return true;
        } catch (SocketException e) {
            return true; // reset by the server
        } catch (SocketTimeoutException e) {
            return false;
        }
    }
}
