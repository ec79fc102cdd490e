package dev.tally.terminal.cli;

import java.math.BigDecimal;
import picocli.CommandLine;

/**
 * How a number option's bad value is named. picocli's own converters say "'abc' is not an int" or, for a
 * {@link BigDecimal}, pass on the JDK's {@code NumberFormatException} text ("Character a is neither a decimal digit
 * number, ..."): words for a programmer, not a cashier or an operator.
 */
final class PlainNumbers {

    private PlainNumbers() {
    }

    /** Registers the converters on {@code cmd} and every subcommand it has now. */
    static void register(CommandLine cmd) {
        cmd.registerConverter(BigDecimal.class, PlainNumbers::decimal);
        cmd.registerConverter(double.class, s -> decimal(s).doubleValue());
        cmd.registerConverter(Double.class, s -> decimal(s).doubleValue());
        cmd.registerConverter(int.class, s -> Math.toIntExact(whole(s, Integer.MIN_VALUE, Integer.MAX_VALUE)));
        cmd.registerConverter(Integer.class, s -> Math.toIntExact(whole(s, Integer.MIN_VALUE, Integer.MAX_VALUE)));
        cmd.registerConverter(long.class, s -> whole(s, Long.MIN_VALUE, Long.MAX_VALUE));
        cmd.registerConverter(Long.class, s -> whole(s, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /**
     * A number option's value that its command reads itself, in its {@code call()} (so that a {@code --json} given
     * after it is known when the value is refused), parsed as the registered converters parse: one wording per kind of
     * value, whether picocli or the command reads it ("Invalid value for option '--port': 'abc' is not a whole number
     * ..."). The range is the caller's to check, with its own message.
     */
    static BigDecimal decimal(String text, String option) {
        try {
            return decimal(text);
        } catch (CommandLine.TypeConversionException e) {
            throw refused(option, e);
        }
    }

    /** {@link #decimal(String, String)} for a whole number that fits an int. */
    static int whole(String text, String option) {
        try {
            return Math.toIntExact(whole(text, Integer.MIN_VALUE, Integer.MAX_VALUE));
        } catch (CommandLine.TypeConversionException e) {
            throw refused(option, e);
        }
    }

    /** As picocli words a converter's refusal (CommandLine.Interpreter: "Invalid value for option '%s': %s"). */
    private static IllegalArgumentException refused(String option, CommandLine.TypeConversionException e) {
        return new IllegalArgumentException("Invalid value for option '" + option + "': " + e.getMessage(), e);
    }

    static BigDecimal decimal(String s) {
        String t = s.strip();
        if (!t.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)")) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a number (write it with digits and"
                    + " at most one '.', e.g. 60 or 2.5)");
        }
        return new BigDecimal(t);
    }

    static long whole(String s, long min, long max) {
        String t = s.strip();
        if (!t.matches("[+-]?\\d+")) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a whole number (digits only, e.g. 3)");
        }
        try {
            long v = Long.parseLong(t);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException tooLong) {
            // said below
        }
        throw new CommandLine.TypeConversionException("'" + s + "' is too large");
    }
}
