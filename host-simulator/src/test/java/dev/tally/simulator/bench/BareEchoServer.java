package dev.tally.simulator.bench;

import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Properties;
import org.jpos.core.SimpleConfiguration;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOServer;
import org.jpos.iso.ISOSource;
import org.jpos.iso.channel.NACChannel;

/**
 * The baseline of {@code scripts/bench} section 2: a bare jPOS {@link ISOServer} on the simulator's framing
 * (NACChannel, the iso87 packager, virtual threads and reads without a timeout, as the simulator has) that answers every request with
 * {@code setResponseMTI()} and field 39 = 00 — no rules, no keys, no ledger. The simulator is measured
 * against it in the same run.
 *
 * <p>Usage: {@code BareEchoServer PORT} (0 for any free port); prints {@code listening PORT} once ready,
 * listens on 127.0.0.1 only, runs until killed.
 */
public final class BareEchoServer {

    private BareEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        java.net.ServerSocket probe = null;
        if (port == 0) {
            probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            port = probe.getLocalPort();
            probe.close();
        }
        NACChannel prototype = new NACChannel(Iso87.packager(), Framing.DEFAULT_TPDU);
        // no read timeout, as the simulator has none (it closes silent connections with a sweep instead): a read
        // with a timeout on a virtual thread costs a timer per request
        ISOServer server = new ISOServer(port, prototype, 20_000);
        Properties p = new Properties();
        p.setProperty("bind-address", "127.0.0.1");
        p.setProperty("backlog", "1024");
        p.setProperty("virtual-threads", "true");
        server.setConfiguration(new SimpleConfiguration(p));
        server.addISORequestListener((ISOSource source, ISOMsg m) -> {
            try {
                ISOMsg r = (ISOMsg) m.clone();
                r.setResponseMTI();
                r.set(39, "00");
                source.send(r);
                return true;
            } catch (ISOException | IOException e) {
                return false;
            }
        });
        Thread t = Thread.ofPlatform().name("bare-echo").start(server);
        // ISOServer binds in run(): wait until the port accepts
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                break;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        System.out.println("listening " + port);
        System.out.flush();
        t.join();
    }
}
