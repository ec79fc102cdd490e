package dev.tally.simulator.bench;

import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scripts/bench} section 6: opens N idle connections to a host on 127.0.0.1, prints
 * {@code open N} when all are up, holds them for at most SECONDS, then closes them.
 * Usage: {@code HoldConnections PORT N SECONDS}.
 */
public final class HoldConnections {

    private HoldConnections() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        List<Socket> sockets = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new Socket(InetAddress.getLoopbackAddress(), port));
            }
            System.out.println("open " + sockets.size());
            System.out.flush();
            Thread.sleep(seconds * 1000);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
