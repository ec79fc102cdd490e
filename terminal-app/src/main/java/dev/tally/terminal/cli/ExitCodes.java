package dev.tally.terminal.cli;

import dev.tally.spec.format.OutOfMemoryExit;
import dev.tally.terminal.engine.PaymentStatus;

/** The exit codes of {@code tally}, as documented in --help and the README. */
public final class ExitCodes {

    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    public static final int DECLINED = 2;
    public static final int REFUSED = 3;
    public static final int UNCERTAIN = 4;
    public static final int BAD_INPUT = 64;
    /** sysexits.h EX_UNAVAILABLE: the host could not be reached; nothing was sent or charged. */
    public static final int HOST_UNAVAILABLE = 69;
    /** sysexits.h EX_TEMPFAIL: another tally process (a running serve) holds the journal; nothing was done. */
    public static final int JOURNAL_BUSY = 75;
    /** The JVM ran out of memory: the process stopped at once, as after kill -9 ({@link OutOfMemoryExit}). */
    public static final int OUT_OF_MEMORY = OutOfMemoryExit.EXIT_CODE;

    public static final String HELP = """
            Exit codes:
              0   approved / ok
              2   declined by the host: nothing charged, the order may be paid again
              3   refused by the terminal (LOCKED, ALREADY_PAID): nothing sent
              4   no approval, the outcome was uncertain: REVERSED,
                  REVERSAL_PENDING or REVERSAL_FAILED (status: also
                  IN_PROGRESS, the answer still awaited, and REVERSED
                  for an order cancelled with reverse, which itself
                  exits 0)
              64  bad input (amount, order id, card, option): nothing written or sent
              69  host unreachable or sign-on refused: nothing sent, nothing charged
              75  the journal is in use by another tally (a running serve):
                  nothing done; try again later, or use that serve's API
              70  ran out of memory and stopped at once (as after a crash: the
                  next command reverses a sale that may have gone out);
                  give it more with TALLY_JAVA_OPTS=-Xmx2g
              1   internal error, or a damaged journal (one line says
                  what to do: keep it, restore it and its key from a backup)""";

    private ExitCodes() {
    }

    public static int of(PaymentStatus status) {
        return switch (status) {
            case APPROVED -> OK;
            case DECLINED -> DECLINED;
            case LOCKED, ALREADY_PAID, NOTHING_TO_REVERSE -> REFUSED;
            case IN_PROGRESS, REVERSED, REVERSAL_PENDING, REVERSAL_FAILED -> UNCERTAIN;
        };
    }
}
