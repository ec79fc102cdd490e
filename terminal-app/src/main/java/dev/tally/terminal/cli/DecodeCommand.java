package dev.tally.terminal.cli;

import dev.tally.spec.format.DecodedMessage;
import dev.tally.spec.format.DumpReader;
import dev.tally.spec.format.MessageFormatException;
import dev.tally.spec.format.Utf8File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tally decode}: what went over the wire, field by field, masked (docs/support.md). Reads hex
 * (with or without length header and TPDU; spaces and line breaks allowed; several dumps separated by a
 * blank line), jPOS hexdump lines, message-log lines or a jPOS XML log — through iso8583-spec
 * {@link DumpReader}. Works offline: no journal, no host.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decode ISO 8583 messages: MTI, bitmap, every field by number and name, field 55 by tag; card data masked.",
            "Input: hex arguments, --file FILE, or '-' for standard input. Hex with or without the 2-byte length and TPDU,"
            + " jPOS hexdump lines, Tally message-log lines (JSON) or a jPOS XML log (<log>/<isomsg>)."},
        footer = {"", "Exit codes: 0 decoded, 64 not a message (the error names the byte offset and the field)"})
public final class DecodeCommand implements Callable<Integer> {

    @ParentCommand
    TallyCli g;

    @Parameters(arity = "0..*", paramLabel = "HEX", description = "hex of one message (several arguments are joined); '-' reads standard input")
    List<String> hex = new ArrayList<>();

    @Option(names = "--file", paramLabel = "FILE", description = "read the dumps from FILE")
    Path file;

    @Option(names = "--json", description = "print one JSON object (as the global --json)")
    boolean json;

    /** Where {@code -} reads from. */
    private static volatile InputStream stdin = System.in;

    /** Replaces what {@code -} reads (tests); returns the previous stream. */
    public static InputStream setStdin(InputStream in) {
        InputStream previous = stdin;
        stdin = in;
        return previous;
    }

    @Override
    public Integer call() throws IOException {
        g.json |= json;
        String text = input();
        List<DecodedMessage> messages;
        try {
            // a file or standard input may be a message log copied while it was written: its last line, cut short,
            // is left out with a warning; hex arguments are taken whole
            messages = file != null ? DumpReader.decodeAll(text, file.toString(), g::warn)
                    : fromStdin() ? DumpReader.decodeAll(text, "standard input", g::warn) : DumpReader.decodeAll(text);
        } catch (MessageFormatException e) {
            return g.fail(ExitCodes.BAD_INPUT, "cannot decode: " + e.getMessage());
        }
        if (g.json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("status", "OK");
            o.put("count", messages.size());
            o.put("messages", messages.stream().map(DecodedMessage::toMap).toList());
            g.output.json(o);
        } else {
            for (int i = 0; i < messages.size(); i++) {
                if (messages.size() > 1) {
                    g.output.line((i == 0 ? "" : "\n") + "message " + (i + 1) + " of " + messages.size());
                }
                g.output.line(messages.get(i).render().stripTrailing());
            }
        }
        return ExitCodes.OK;
    }

    private boolean fromStdin() {
        return file == null && hex.size() == 1 && hex.getFirst().equals("-");
    }

    private String input() throws IOException {
        if (file != null && !hex.isEmpty()) {
            throw new IllegalArgumentException("give hex arguments or --file, not both");
        }
        if (file != null) {
            Utf8File.requireReadableFile(file);
            Utf8File.refuseDatabase(file, "decode reads message dumps as text; a terminal's journal is shown by"
                    + " 'tally --journal " + file + " journal' and reported on by 'tally --journal " + file + " report'");
            Utf8File.refuseGzip(file); // not "give their hex": said with the file to gunzip
            return text(Files.readAllBytes(file), file.toString(), "xxd -p " + file);
        }
        if (hex.isEmpty()) {
            throw new IllegalArgumentException("nothing to decode: give hex, --file FILE, or '-' for standard input");
        }
        if (fromStdin()) {
            return text(stdin.readAllBytes(), "standard input", "xxd -p FILE | tally decode -");
        }
        return String.join(" ", hex);
    }

    /**
     * The text of a file or of standard input ({@code source}): bytes that are not UTF-8 are refused, naming the first
     * (they were read as U+FFFD and misnamed later), but for a message log's last line cut inside a character (copied
     * while written), left out as any line cut short; such bytes in hex or a jPOS log stay refused, as do any elsewhere.
     * {@code toHex}: how to give raw bytes as hex instead.
     */
    private static String text(byte[] bytes, String source, String toHex) throws IOException {
        String hint = "decode reads text: hex, hexdumps, message-log lines or jPOS XML logs; for raw binary bytes give"
                + " their hex instead (e.g. " + toHex + ")";
        try {
            return Utf8File.decode(bytes, source, hint);
        } catch (IllegalArgumentException notUtf8) {
            String log = Utf8File.decodeLog(bytes, source, hint);
            if (DumpReader.looksLikeMessageLog(log)) {
                return log;
            }
            throw notUtf8;
        }
    }
}
