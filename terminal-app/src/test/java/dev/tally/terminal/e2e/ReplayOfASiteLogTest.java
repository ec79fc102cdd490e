package dev.tally.terminal.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.simulator.Simulator;
import dev.tally.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site's jPOS XML log (another terminal software: its 0210 carries no merchant id or currency, the lab host's does)
 * replayed against a lab host: the fields only one side holds are shown as "(absent)", never as the word "null",
 * which reads as a value the host sent; and nothing of the recorded card, track 2 or PIN block is printed.
 */
class ReplayOfASiteLogTest {

    static final String SITE_LOG = """
            <log realm="channel/10.0.0.5:8583" at="2026-11-22T10:41:07.123">
              <send>
                <isomsg direction="outgoing">
                  <field id="0" value="0200"/>
                  <field id="2" value="4761739001010119"/>
                  <field id="3" value="000000"/>
                  <field id="4" value="000000001234"/>
                  <field id="7" value="1122104107"/>
                  <field id="11" value="000123"/>
                  <field id="12" value="104107"/>
                  <field id="13" value="1122"/>
                  <field id="14" value="3012"/>
                  <field id="22" value="051"/>
                  <field id="25" value="00"/>
                  <field id="35" value="4761739001010119=30121010000012300000"/>
                  <field id="41" value="SITEX001"/>
                  <field id="42" value="HOSPITAL0000001"/>
                  <field id="49" value="840"/>
                  <field id="52" value="0412AC89EF0011FF" type="binary"/>
                  <field id="62" value="INV-X-1"/>
                  <field id="64" value="1122334455667788" type="binary"/>
                </isomsg>
              </send>
            </log>
            <log realm="channel/10.0.0.5:8583" at="2026-11-22T10:41:07.456">
              <receive>
                <isomsg direction="incoming">
                  <field id="0" value="0210"/>
                  <field id="3" value="000000"/>
                  <field id="4" value="000000001234"/>
                  <field id="7" value="1122104107"/>
                  <field id="11" value="000123"/>
                  <field id="37" value="632610000001"/>
                  <field id="38" value="123456"/>
                  <field id="39" value="00"/>
                  <field id="41" value="SITEX001"/>
                  <field id="62" value="INV-X-1"/>
                  <field id="64" value="AABBCCDDEEFF0011" type="binary"/>
                </isomsg>
              </receive>
            </log>
            """;

    @Test
    void aFieldOnlyTheLabHostSendsIsShownAsAbsentOnTheRecordedSide(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("site-x.xml"), SITE_LOG);
        try (Simulator lab = Simulator.start(SimulatorConfig.defaults(dir.resolve("lab-ledger.db")))) {
            Lab.Run r = Lab.raw("replay", log.toString(), "--host", "127.0.0.1", "--port", String.valueOf(lab.isoPort()),
                    "--speed", "max", "--timeout", "5");
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.out().matches("(?s).*MERCHANT_ID \\(42\\) +recorded \\(absent\\) +replay HOSPITAL0000001\\n.*"),
                    r.out());
            assertTrue(r.out().matches("(?s).*CURRENCY \\(49\\) +recorded \\(absent\\) +replay 840\\n.*"), r.out());
            assertFalse(r.out().contains("null"), r.out());
            for (String secret : new String[] {"4761739001010119", "0412AC89EF0011FF", "30121010000012300000"}) {
                assertFalse(r.out().contains(secret) || r.err().contains(secret), secret + ": " + r);
            }

            Lab.Run json = Lab.raw("--json", "replay", log.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(lab.isoPort()), "--speed", "max", "--timeout", "5");
            assertTrue(json.json().at("/messages/0/differences/0/recorded").isNull(), "JSON keeps null: " + json.out());
        }
    }
}
