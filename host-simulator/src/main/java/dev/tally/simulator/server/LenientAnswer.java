package dev.tally.simulator.server;

import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.MessageCatalogue;
import dev.tally.spec.message.MessageValidator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jpos.iso.ISOMsg;

/**
 * The answer to a request too broken for {@code MessageBuilder.responseTo(...).build()} (which refuses
 * to build an answer that lacks a mandatory field): a format error (30) or a system malfunction (96); and the host's
 * A0 / A1, which carries no 37 though the catalogue makes it mandatory in a 0210 and a balance 0110 (SPEC.md §3).
 * It echoes the fields of SPEC.md §3 that the request carries in a valid form and that the answer to its type
 * carries (the catalogue's response columns; any of {@link #ECHOED} when the type is not known), and nothing else;
 * card data is never echoed. Field 41 and 11, by which the terminal matches the answer (SPEC.md §1), are echoed
 * even when the problem is theirs, as long as they are readable (a STAN of 000000). This is the one place the
 * simulator writes a message without the builder, because the spec module builds only messages that pass the
 * catalogue.
 */
final class LenientAnswer {

    private static final List<Field> ECHOED = List.of(Field.PROCESSING_CODE, Field.AMOUNT, Field.TRANSMISSION_DATE_TIME,
            Field.STAN, Field.LOCAL_TIME, Field.LOCAL_DATE, Field.TERMINAL_ID, Field.MERCHANT_ID, Field.CURRENCY,
            Field.BATCH_DATA, Field.ORDER_REFERENCE, Field.NETWORK_MANAGEMENT_CODE, Field.ORIGINAL_DATA_ELEMENTS);

    private LenientAnswer() {
    }

    /**
     * @param problems the request's problems (fields named there are not echoed); may be empty
     * @return the answer, or null when the request has no usable MTI to answer
     */
    static ISOMsg of(ISOMsg request, String responseCode, List<MessageValidator.Problem> problems) {
        if (!answerable(request)) {
            return null;
        }
        String mti = request.getString(0);
        Set<Integer> broken = problems.stream().map(MessageValidator.Problem::field).collect(Collectors.toSet());
        Optional<Set<Integer>> answerFields = MessageCatalogue.classify(mti, request.getString(3), request.getString(70))
                .map(e -> {
                    Set<Integer> carried = new HashSet<>(e.responseMandatory());
                    carried.addAll(e.responseConditional());
                    return carried;
                });
        ISOMsg answer = new ISOMsg();
        answer.setPackager(Iso87.packager());
        answer.set(0, mti.substring(0, 2) + (char) (mti.charAt(2) + 1) + "0");
        for (Field f : ECHOED) {
            int n = f.number();
            String value = request.hasField(n) ? request.getString(n) : null;
            if (value != null && answerFields.map(c -> c.contains(n)).orElse(true)
                    && (!broken.contains(n) || matchKeyReadable(f, value))) {
                answer.set(n, value);
            }
        }
        answer.set(Field.RESPONSE_CODE.number(), responseCode);
        try {
            Iso87.pack(answer);
        } catch (RuntimeException e) {
            // an echoed field still does not pack: answer with the bare minimum rather than not at all
            ISOMsg bare = new ISOMsg();
            bare.setPackager(Iso87.packager());
            bare.set(0, answer.getString(0));
            bare.set(Field.RESPONSE_CODE.number(), responseCode);
            return bare;
        }
        return answer;
    }

    /** Whether the request has an MTI an answer can be made to: 4 digits, a request's (a response is never answered). */
    static boolean answerable(ISOMsg request) {
        String mti = request.getString(0);
        return mti != null && mti.matches("\\d{4}") && (mti.charAt(2) - '0') % 2 == 0;
    }

    /** A terminal id or STAN that breaks a rule but can go back on the wire as it came, for the answer to be matched. */
    private static boolean matchKeyReadable(Field f, String value) {
        if (f == Field.STAN) {
            return value.length() == 6 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        }
        return f == Field.TERMINAL_ID && value.length() == 8 && value.chars().allMatch(c -> c > ' ' && c < 0x7F);
    }
}
