package dev.tally.spec.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** Which field carries a message's MAC (SPEC.md §5): 64 with a primary bitmap only, 128 with a secondary one. */
class MessageMacTest {

    private static ISOMsg with(int... fields) throws Exception {
        ISOMsg m = new ISOMsg("0200");
        for (int f : fields) {
            m.set(f, "1");
        }
        return m;
    }

    @Test
    void theMacFieldFollowsTheFieldsFrom65To127() throws Exception {
        assertEquals(64, MessageMac.macField(with(2, 3, 11)));
        assertEquals(64, MessageMac.macField(with(2, 64)));
        assertEquals(128, MessageMac.macField(with(2, 65)));
        assertEquals(128, MessageMac.macField(with(11, 90)));
        assertEquals(128, MessageMac.macField(with(11, 127)));
        assertEquals(128, MessageMac.macField(with(11, 90, 128)));
        assertEquals(64, MessageMac.macField(with(11, 128)), "128 alone does not make a secondary bitmap's message");
        ISOMsg m = with(11, 90, 128);
        m.unset(90);
        assertEquals(64, MessageMac.macField(m), "a field removed counts no more");
        m.set(70, "301");
        assertEquals(128, MessageMac.macField(m));
        m.unset(70);
        m.unset(128);
        assertEquals(64, MessageMac.macField(m));
    }
}
