package dev.tally.spec.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.spec.format.DecodedMessage;
import dev.tally.spec.format.DumpReader;
import dev.tally.spec.format.MessageDecoder;
import dev.tally.spec.format.MessageFormatException;
import dev.tally.spec.message.MessageValidator;
import dev.tally.spec.message.MessageView;
import java.nio.charset.StandardCharsets;

/**
 * Whatever bytes or text arrive, the decoder either decodes them or says what is wrong with a
 * {@link MessageFormatException}; nothing else escapes, and a decoded message can be validated, viewed
 * and rendered. Regression inputs: src/test/resources/dev/tally/spec/fuzz/DecoderFuzzTestInputs/.
 * Fuzz for real with scripts/fuzz.
 */
class DecoderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void bytesDecodeOrFailWithAFormatError(FuzzedDataProvider data) {
        boolean asText = data.consumeBoolean();
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            if (asText) {
                for (DecodedMessage d : DumpReader.decodeAll(new String(bytes, StandardCharsets.ISO_8859_1))) {
                    use(d);
                }
            } else {
                use(MessageDecoder.decode(bytes));
            }
        } catch (MessageFormatException expected) {
            assertFalse(expected.getMessage() == null || expected.getMessage().isEmpty(), "an error says what is wrong");
        }
    }

    private static void use(DecodedMessage d) {
        d.render();
        d.toMap();
        MessageValidator.check(d.message());
        MessageView v = MessageView.of(d.message());
        v.toString();
        v.type();
    }
}
