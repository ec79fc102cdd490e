package dev.tally.spec.format;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.jpos.iso.ISOBasePackager;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOPackager;
import org.jpos.iso.channel.NACChannel;

/**
 * The framing of SPEC.md §2 (jPOS {@link NACChannel}: 2-byte length, TPDU) with messages that keep the body
 * they were received as ({@link WireMsg}), so their MAC is checked over those bytes instead of a repack.
 */
public class WireChannel extends NACChannel {

    /** The fewest body bytes a message of this channel's dialect packs to: its MTI and primary bitmap. */
    private final int shortestBody;

    /** A server-side prototype (jPOS's ISOServer clones it per connection). */
    public WireChannel(ISOPackager packager, byte[] tpdu) throws IOException {
        super(packager, tpdu);
        this.shortestBody = shortestBody(packager);
    }

    /** A client channel to {@code host:port}. */
    public WireChannel(String host, int port, ISOPackager packager, byte[] tpdu) {
        super(host, port, packager, tpdu);
        this.shortestBody = shortestBody(packager);
    }

    /** A primary bitmap on the wire: 64 bits, binary (SPEC.md §1). */
    private static final int PRIMARY_BITMAP_BYTES = 8;

    /**
     * The MTI's packed length (field 0 of the packager: 2 BCD bytes in iso87) and a primary bitmap: 10 bytes, less than
     * any message. 0 (no check) for a packager that does not say how it packs the MTI.
     */
    private static int shortestBody(ISOPackager packager) {
        if (packager instanceof ISOBasePackager p && p.getFieldPackager(0) != null) {
            return p.getFieldPackager(0).getMaxPackedLength() + PRIMARY_BITMAP_BYTES;
        }
        return 0;
    }

    /** Why the last connect failed; jPOS's own exception names only its class ("j.n.ConnectException") and a line. */
    private volatile IOException connectFailure;

    @Override
    protected Socket newSocket(String host, int port) throws IOException {
        try {
            return super.newSocket(host, port);
        } catch (IOException e) {
            connectFailure = e;
            throw e;
        }
    }

    /**
     * Why {@link #connect()} failed, in words for an operator ("connection refused", "unknown host acquirer.lan"):
     * the socket's own reason when there was one, else {@code thrown}'s message.
     */
    public String connectFailure(IOException thrown) {
        IOException e = connectFailure;
        if (e == null) {
            return thrown.getMessage();
        }
        return switch (e) {
            case ConnectException c when c.getMessage() != null && c.getMessage().startsWith("Connection refused") ->
                    "connection refused";
            case SocketTimeoutException t -> "no connection within the timeout";
            case UnknownHostException u -> "unknown host " + u.getMessage();
            default -> e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                    : Character.toLowerCase(e.getMessage().charAt(0)) + e.getMessage().substring(1);
        };
    }

    /**
     * A frame whose length is shorter than the TPDU, or leaves a body shorter than an MTI and a primary bitmap, is
     * refused as unreadable by its length header alone, so its connection is closed before any byte of it is read.
     * jPOS would read the TPDU's missing bytes out of the next frame, then fail on a negative body length with a stack
     * trace; a body of a byte or two that the peer did not send in full would be completed from the next frame's bytes,
     * the connection hanging until they came and then refused for what they held.
     */
    @Override
    protected int getMessageLength() throws IOException, ISOException {
        int len = super.getMessageLength();
        int tpdu = getHeaderLength();
        if (len > 0 && len < tpdu) {
            throw new ISOException("frame length " + len + " is shorter than its " + tpdu + "-byte TPDU");
        }
        if (len > 0 && len - tpdu < shortestBody) {
            int body = len - tpdu;
            throw new ISOException("frame length " + len + " leaves a body of " + body + (body == 1 ? " byte" : " bytes")
                    + " after its " + tpdu + "-byte TPDU, shorter than an MTI and a primary bitmap (" + shortestBody
                    + " bytes)");
        }
        return len;
    }

    @Override
    protected ISOMsg createISOMsg() {
        return new WireMsg();
    }

    /**
     * A body that does not unpack is refused as a {@link GarbledMessageException}: what came, the MTI and the first
     * field that fails, in words, instead of jPOS's ("Index 17 out of bounds for length 17 consumed=2").
     */
    @Override
    protected void unpack(ISOMsg m, byte[] b) throws ISOException {
        try {
            super.unpack(m, b);
        } catch (ISOException | RuntimeException e) {
            throw new GarbledMessageException(b, e);
        }
        if (m instanceof WireMsg w) {
            w.remember(b);
        }
    }
}
