package dev.tally.simulator.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** How log lines name a request: MTI, terminal, STAN, and nothing of the card. */
class RequestNameTest {

    @Test
    void aRequestIsNamedByItsMtiTerminalAndStanOnly() {
        ISOMsg sale = new ISOMsg("0200");
        sale.set(2, "4761739001010010");
        sale.set(11, "000042");
        sale.set(41, "TALLY001");
        assertEquals("0200 TALLY001 STAN 000042", new RequestName(sale).toString());
    }

    @Test
    void missingFieldsShowAsQuestionMarks() {
        assertEquals("0800 ? STAN ?", new RequestName(new ISOMsg("0800")).toString());
    }
}
