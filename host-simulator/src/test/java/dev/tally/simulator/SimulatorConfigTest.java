package dev.tally.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

    /** One port cannot be both servers'; an embedding caller hears it before anything is made, as the CLI's user does. */
    @Test
    void theSamePortForBothIsRefused() {
        SimulatorConfig c = SimulatorConfig.defaults(Path.of("l.db")).withPort(18583);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.withAdminPort(18583));
        assertTrue(e.getMessage().contains("both 18583") && e.getMessage().contains("two different ports"), e.getMessage());
        assertEquals(18584, c.withAdminPort(18584).adminPort());
        assertEquals(0, c.withPort(0).withAdminPort(0).adminPort(), "0 and 0 is two free ports");
    }
}
