package dev.tally.spec.message;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The message catalogue, read once from {@code messages.txt}: for each {@link MessageType} its request
 * and response MTI, processing code, network management code, and mandatory / conditional fields.
 * The builder, the validator, the decoder and SPEC.md all follow this one declaration.
 */
public final class MessageCatalogue {

    /** One catalogue line. Field sets are field numbers, sorted. */
    public record Entry(MessageType type, String requestMti, String processingCode, String networkCode,
                        Set<Integer> requestMandatory, Set<Integer> requestConditional,
                        String responseMti, Set<Integer> responseMandatory, Set<Integer> responseConditional,
                        String description) {

        public Set<Integer> mandatory(boolean response) {
            return response ? responseMandatory : requestMandatory;
        }

        public Set<Integer> conditional(boolean response) {
            return response ? responseConditional : requestConditional;
        }

        /** Whether a message of this type carries a MAC in field 64 (mandatory in the request). */
        public boolean macked() {
            return requestMandatory.contains(Field.MAC.number());
        }
    }

    private static final Map<MessageType, Entry> ENTRIES = load();

    private MessageCatalogue() {
    }

    public static Entry entry(MessageType type) {
        return ENTRIES.get(type);
    }

    public static List<Entry> all() {
        return List.copyOf(ENTRIES.values());
    }

    /**
     * Which message type a message is, from its MTI, processing code and network code; a response
     * (MTI whose third digit is odd, e.g. 0210) is classified by the request it answers.
     */
    public static Optional<Entry> classify(String mti, String processingCode, String networkCode) {
        if (mti == null) {
            return Optional.empty();
        }
        for (Entry e : ENTRIES.values()) {
            boolean mtiMatches = mti.equals(e.requestMti()) || mti.equals(e.responseMti());
            if (!mtiMatches) {
                continue;
            }
            if (e.networkCode() != null) {
                if (e.networkCode().equals(networkCode)) {
                    return Optional.of(e);
                }
                continue;
            }
            if (e.processingCode() == null || e.processingCode().equals(processingCode)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** True when the MTI is a response MTI (third digit odd: 0110, 0210, 0410, 0510, 0330, 0810). */
    public static boolean isResponseMti(String mti) {
        return mti != null && mti.length() == 4 && Character.isDigit(mti.charAt(2))
                && (mti.charAt(2) - '0') % 2 == 1;
    }

    private static Map<MessageType, Entry> load() {
        Map<MessageType, Entry> entries = new EnumMap<>(MessageType.class);
        try (InputStream in = MessageCatalogue.class.getResourceAsStream("/dev/tally/spec/messages.txt")) {
            if (in == null) {
                throw new IllegalStateException("message catalogue dev/tally/spec/messages.txt missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] c = trimmed.split("\\|", -1);
                if (c.length != 10) {
                    throw new IllegalStateException("messages.txt line " + lineNo + ": expected 10 columns, got " + c.length);
                }
                MessageType type = MessageType.valueOf(c[0].strip());
                entries.put(type, new Entry(type, c[1].strip(), dash(c[2]), dash(c[3]),
                        fields(c[4]), fields(c[5]), c[6].strip(), fields(c[7]), fields(c[8]), c[9].strip()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the message catalogue", e);
        }
        for (MessageType t : MessageType.values()) {
            if (!entries.containsKey(t)) {
                throw new IllegalStateException("messages.txt has no line for " + t);
            }
        }
        return Collections.unmodifiableMap(entries);
    }

    private static String dash(String s) {
        String v = s.strip();
        return v.equals("-") ? null : v;
    }

    private static Set<Integer> fields(String s) {
        String v = s.strip();
        if (v.equals("-") || v.isEmpty()) {
            return Set.of();
        }
        List<Integer> list = new ArrayList<>();
        Arrays.stream(v.split(",")).map(String::strip).map(Integer::parseInt).forEach(list::add);
        return Collections.unmodifiableSet(new TreeSet<>(list));
    }
}
