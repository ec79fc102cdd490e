package dev.tally.spec.format;

import java.io.IOException;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOPackager;
import org.jpos.iso.channel.NACChannel;

/**
 * The framing of SPEC.md §2 (jPOS {@link NACChannel}: 2-byte length, TPDU) with messages that keep the body
 * they were received as ({@link WireMsg}), so their MAC is checked over those bytes instead of a repack.
 */
public class WireChannel extends NACChannel {

    /** A server-side prototype (jPOS's ISOServer clones it per connection). */
    public WireChannel(ISOPackager packager, byte[] tpdu) throws IOException {
        super(packager, tpdu);
    }

    /** A client channel to {@code host:port}. */
    public WireChannel(String host, int port, ISOPackager packager, byte[] tpdu) {
        super(host, port, packager, tpdu);
    }

    @Override
    protected ISOMsg createISOMsg() {
        return new WireMsg();
    }

    @Override
    protected void unpack(ISOMsg m, byte[] b) throws ISOException {
        super.unpack(m, b);
        if (m instanceof WireMsg w) {
            w.remember(b);
        }
    }
}
