package dev.tally.terminal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TallyCliTest {

    @Test
    void theCommandsThatExchangeWithAHostGetTheWarmup() {
        assertTrue(TallyCli.talksToHost(new String[]{"sale", "--order", "INV-1", "--amount", "12.34"}));
        assertTrue(TallyCli.talksToHost(new String[]{"--port", "9000", "--journal", "till.db", "sale", "--order", "A"}));
        assertTrue(TallyCli.talksToHost(new String[]{"replay", "log.jsonl", "--speed", "max"}));
        assertTrue(TallyCli.talksToHost(new String[]{"--timeout", "5", "status", "--order", "A"}));
        assertTrue(TallyCli.talksToHost(new String[]{"serve", "--api-port", "0"}));
    }

    /** A journal another tally holds (a running serve) is not an internal error: 75, try again later. */
    @Test
    void aBusyJournalExits75AndAnUnreadableOne1() {
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        TallyCli cli = new TallyCli(quiet, quiet, java.time.Clock.systemUTC());
        assertEquals(75, cli.failFor(new dev.tally.terminal.journal.JournalBusyException("the journal is in use")));
        assertEquals(1, cli.failFor(new dev.tally.terminal.journal.JournalException("not a tally journal")));
    }

    @Test
    void theCommandsThatStayLocalDoNot() {
        assertFalse(TallyCli.talksToHost(new String[]{"journal"}));
        assertFalse(TallyCli.talksToHost(new String[]{"decode", "--hex", "0800"}));
        assertFalse(TallyCli.talksToHost(new String[]{"--journal", "till.db", "report", "--order", "A"}));
        assertFalse(TallyCli.talksToHost(new String[]{"load", "--no-journal"}));
        assertFalse(TallyCli.talksToHost(new String[]{"--help"}));
        assertFalse(TallyCli.talksToHost(new String[]{}));
        // the first command word decides: an order id that reads "sale" does not
        assertFalse(TallyCli.talksToHost(new String[]{"journal", "--order", "sale"}));
    }

    /** Every name the warm-up list holds is a command of the CLI: a renamed command would silently lose its warm-up. */
    @Test
    void everyHostCommandIsASubcommand() {
        Set<String> names = new CommandLine(new TallyCli(System.out, System.err, java.time.Clock.systemUTC()))
                .getSubcommands().keySet();
        assertTrue(names.containsAll(TallyCli.HOST_COMMANDS), "not subcommands: " + TallyCli.HOST_COMMANDS.stream()
                .filter(n -> !names.contains(n)).collect(Collectors.toList()));
        for (String n : Set.of("sale", "inquiry", "status", "pending", "reverse", "echo", "settle", "serve", "replay")) {
            assertTrue(TallyCli.talksToHost(new String[]{n}), n);
        }
    }
}
