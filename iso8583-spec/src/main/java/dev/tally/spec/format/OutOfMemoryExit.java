package dev.tally.spec.format;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a process does when the JVM runs out of memory: it says so on standard error, in a line made ready at start
 * (there may be no memory left to build one then), and halts with {@link #EXIT_CODE}.
 *
 * <p>Without it an {@link OutOfMemoryError} stopped only the thread it was thrown in. When that thread was the JDK's
 * own (the poller that wakes virtual threads blocked on a socket), {@code tally replay} of a large log waited for
 * ever for answers no thread would read; when it was a sender, the error sat in its {@code Future} while the rest
 * went on. Halting is what {@code kill -9} does, which the terminal's journal (recovery at the next start) and the
 * simulator's ledger (one transaction per request) are built and tested to survive.
 */
public final class OutOfMemoryExit {

    /** sysexits.h EX_SOFTWARE: the process could not go on; distinct from every answer a command gives. */
    public static final int EXIT_CODE = 70;

    private static volatile byte[] message;
    private static volatile FileOutputStream stderr;

    private OutOfMemoryExit() {
    }

    /**
     * Makes every uncaught {@link OutOfMemoryError} (in any thread, or as the cause of an uncaught exception) end the
     * process: standard error gets "PROGRAM: ran out of memory ... HINT" and the exit code is {@link #EXIT_CODE}.
     * Other uncaught exceptions are printed as the JVM prints them. Call once, first thing in {@code main}.
     */
    public static synchronized void install(String program, String hint) {
        long maxMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        message = (program + ": ran out of memory (the JVM's heap may grow to " + maxMb + " MB) and stopped at once. "
                + hint + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
        stderr = new FileOutputStream(FileDescriptor.err);
        // Once the heap is full even the first run of a method can fail: resolving a class it names may call the class
        // loader, in Java. So every path the handler takes runs once here, with memory to spare.
        if (!causedByOutOfMemory(new IllegalStateException(new OutOfMemoryError("a trial")))) {
            throw new IllegalStateException("the out-of-memory check is broken");
        }
        try {
            stderr.write(new byte[0]);
        } catch (java.io.IOException e) {
            // standard error closed: halt() will find it closed too, and halt all the same
        }
        Runtime.getRuntime();
        try {
            // Runtime.halt initializes java.lang.Shutdown on its first call, which allocates
            Class.forName("java.lang.Shutdown", true, null);
        } catch (ClassNotFoundException e) {
            // another JDK's layout: halt still halts, if with less certainty on a full heap
        }
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (causedByOutOfMemory(e)) {
                halt();
            }
            // what ThreadGroup.uncaughtException prints when no handler is set (calling it would come back here)
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            e.printStackTrace(System.err);
        });
    }

    /** True when {@code e} is, or was caused by, an {@link OutOfMemoryError}. */
    public static boolean causedByOutOfMemory(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /** Writes the line {@link #install} made ready and halts; never returns. Without install, halts only. */
    public static void halt() {
        try {
            byte[] m = message;
            FileOutputStream out = stderr;
            if (m != null && out != null) {
                out.write(m);
            }
        } catch (Throwable ignored) {
            // nothing left to say it with: the exit code still says it
        } finally {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
