package dev.tally.terminal.cli;

import dev.tally.terminal.journal.JournalBackup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tally backup --to DEST}: a consistent copy of the journal, with its data key, taken while {@code tally serve}
 * runs (or not). A plain copy of the journal file misses what its write-ahead log still holds ({@link JournalBackup}).
 * Reads the journal as {@code tally journal} does: no lock taken, nothing migrated, recovered or reversed, no host.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up the journal, while tally serve runs or not: a consistent copy (what the write-ahead log"
            + " holds included) to DEST and its data key to DEST.key, both 0600, checked. Never replaces a file."},
        footer = {"", "Exit codes: 0 written and checked, 64 bad input (DEST or DEST.key exists, no journal at the path),"
            + " 1 the journal (or a file that is no tally journal) or its key cannot be read, or the copy failed its"
            + " check (nothing is left at DEST)"})
final class BackupCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Option(names = "--to", paramLabel = "DEST", required = true,
            description = "the backup's file, which must not exist; its data key goes to DEST.key")
    Path to;

    @Override
    public Integer call() {
        if (!Files.exists(g.journal)) {
            throw new IllegalArgumentException("no journal at " + g.journal + " (give --journal FILE)");
        }
        if (Files.isDirectory(g.journal)) {
            throw new IllegalArgumentException("the journal " + g.journal.toAbsolutePath() + " is a directory: give the"
                    + " journal's file (e.g. " + g.journal.toAbsolutePath().resolve("journal.db") + ")");
        }
        JournalBackup.Result r = JournalBackup.write(g.journal, to, g.clock);
        if (g.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("status", "OK");
            o.put("journal", r.journal().toString());
            o.put("backup", r.dest().toString());
            o.put("key", r.keyDest().toString());
            o.put("keyCheckValue", r.keyCheckValue());
            o.put("attempts", r.attempts());
            o.put("latestAttempt", r.latestAttempt() == null ? null : r.latestAttempt().toString());
            o.put("bytes", r.bytes());
            o.put("integrity", "ok");
            g.output.json(o);
        } else {
            g.output.line("backed up " + r.journal() + " to " + r.dest() + " (" + r.bytes() + " bytes, integrity ok)"
                    + " and its data key to " + r.keyDest() + " (check value " + r.keyCheckValue() + "), both 0600");
            g.output.line(r.attempts() + " attempt(s), the latest at "
                    + (r.latestAttempt() == null ? "- (none)" : g.output.time(r.latestAttempt())));
            g.output.line("a restored backup lacks everything after this moment: reconcile with the acquirer's"
                    + " statement before taking payments with it (docs/cashier-api.md)");
        }
        return ExitCodes.OK;
    }
}
