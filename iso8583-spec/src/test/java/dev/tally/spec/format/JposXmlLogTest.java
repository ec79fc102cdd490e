package dev.tally.spec.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JposXmlLogTest {

    // the shape jPOS's LogEvent/ISOMsg.dump writes (channel send/receive events)
    private static final String LOG = """
            <log realm="channel/127.0.0.1:8583" at="2026-11-22T10:41:07.123" lifespan="3ms">
              <send>
                <isomsg direction="outgoing">
                  <!-- org.jpos.iso.packager.GenericPackager -->
                  <field id="0" value="0200"/>
                  <field id="2" value="476173______0119"/>
                  <field id="3" value="000000"/>
                  <field id="4" value="000000001234"/>
                  <field id="11" value="000042"/>
                  <field id="41" value="TALLY001"/>
                  <field id="52" value="0102030405060708" type="binary"/>
                  <field id="62" value="INV-42"/>
                </isomsg>
              </send>
            </log>
            <log realm="channel/127.0.0.1:8583" at="2026-11-22T10:41:07.140">
              <receive>
                <isomsg direction="incoming">
                  <field id="0" value="0210"/>
                  <field id="11" value="000042"/>
                  <field id="39" value="00"/>
                </isomsg>
              </receive>
            </log>
            """;

    @Test
    void readsEveryMessageWithTimeAndDirection() {
        List<JposXmlLog.LoggedMessage> msgs = JposXmlLog.read(LOG);
        assertEquals(2, msgs.size());
        assertEquals("2026-11-22T10:41:07.123", msgs.get(0).at());
        assertEquals("outgoing", msgs.get(0).direction());
        assertEquals("0200", msgs.get(0).message().getString(0));
        assertEquals("000000001234", msgs.get(0).message().getString(4));
        assertEquals(8, msgs.get(0).message().getBytes(52).length);
        assertEquals("incoming", msgs.get(1).direction());
        assertEquals("00", msgs.get(1).message().getString(39));
        assertTrue(JposXmlLog.looksLikeXml(LOG));
        // and the decoder describes it, masked
        String dump = MessageDecoder.describe(msgs.get(0).message()).render();
        assertTrue(dump.contains("INV-42"));
    }

    @Test
    void brokenXmlIsNamedByLine() {
        MessageFormatException e = assertThrows(MessageFormatException.class,
                () -> JposXmlLog.read("<log>\n<isomsg><field id=\"0\" value=\"0200\"></log>"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(MessageFormatException.class, () -> JposXmlLog.read("<log realm=\"x\"></log>"));
    }
}
