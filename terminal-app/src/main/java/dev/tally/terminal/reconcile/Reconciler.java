package dev.tally.terminal.reconcile;

import dev.tally.spec.format.Utf8File;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.Journal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where the statement comes from and which dates are reported: {@code --date D}, else the dates of a
 * statement file's lines, else (from the acquirer) the terminal's today. Used by {@code tally reconcile}
 * and the cashier API.
 */
public final class Reconciler {

    private final Journal journal;
    private final String terminalId;
    private final String merchantId;
    private final Clock clock;

    public Reconciler(Journal journal, String terminalId, String merchantId, Clock clock) {
        this.journal = journal;
        this.terminalId = terminalId;
        this.merchantId = merchantId;
        this.clock = clock;
    }

    public ReconciliationReport fromFile(Path file, LocalDate date) {
        String text;
        try {
            // through Utf8File, as every text the tools read: a gzip'd or non-UTF-8 statement is named as such
            text = Utf8File.read(file, "a statement is the acquirer's CSV (the simulator's GET /statement), as UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the statement " + file + ": " + Utf8File.reason(file, e));
        }
        Statement st = Statement.parse(file.toString(), text, merchantId);
        Set<LocalDate> dates = new TreeSet<>();
        if (date != null) {
            // every line stays for matching (a sale made on the date may be on the next business day's statement);
            // the report covers the date
            dates.add(date);
        } else {
            st.lines().forEach(l -> dates.add(l.businessDate()));
            if (dates.isEmpty()) {
                dates.add(LocalDate.now(clock));
            }
        }
        return Reconciliation.reconcile(terminalId, merchantId, journal.attempts(null), st, dates, clock.getZone());
    }

    public ReconciliationReport fromHost(String adminUrl, LocalDate date) {
        LocalDate d = date != null ? date : LocalDate.now(clock);
        // a wrong terminal or merchant id is refused before the acquirer is asked for that merchant's statement
        List<Attempt> attempts = journal.attempts(null);
        Reconciliation.requireTerminalsAttempts(terminalId, attempts);
        Reconciliation.requireMerchantsAttempts(terminalId, merchantId, attempts, Set.of(d), clock.getZone());
        // the acquirer's business day is not the till's calendar day: a sale after its cut-over is on the next
        // day's statement, one before its (late) cut-over on the day before. The neighbours are fetched to match
        // against, the report covers d.
        AcquirerStatements acquirer = new AcquirerStatements(adminUrl);
        Statement st = acquirer.fetch(merchantId, d);
        List<StatementLine> lines = new ArrayList<>(st.lines());
        lines.addAll(acquirer.fetch(merchantId, d.minusDays(1)).lines());
        lines.addAll(acquirer.fetch(merchantId, d.plusDays(1)).lines());
        return Reconciliation.reconcile(terminalId, merchantId, attempts, new Statement(st.source(), lines), Set.of(d),
                clock.getZone());
    }

    /**
     * The --date / ?date= value, checked: null when not given; a business date YYYY-MM-DD from {@link #FIRST_DATE} to
     * {@link #LAST_DATE} (the acquirer's statement is asked for the day before and after it, which must be dates too).
     */
    public static LocalDate date(String text) {
        if (text == null) {
            return null;
        }
        LocalDate d;
        try {
            d = text.strip().matches("[0-9]{4}-[0-9]{2}-[0-9]{2}") ? LocalDate.parse(text.strip()) : null;
        } catch (java.time.format.DateTimeParseException e) {
            d = null;
        }
        if (d == null) {
            throw new IllegalArgumentException("date '" + text + "' is not a date YYYY-MM-DD (e.g. 2026-11-22)");
        }
        if (d.isBefore(FIRST_DATE) || d.isAfter(LAST_DATE)) {
            throw new IllegalArgumentException("date " + d + " is not a business date: give one from " + FIRST_DATE
                    + " to " + LAST_DATE);
        }
        return d;
    }

    /** The range of business dates reconciled. */
    static final LocalDate FIRST_DATE = LocalDate.of(1970, 1, 2);
    static final LocalDate LAST_DATE = LocalDate.of(9999, 12, 30);
}
