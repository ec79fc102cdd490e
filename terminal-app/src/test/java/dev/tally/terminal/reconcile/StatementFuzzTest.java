package dev.tally.terminal.reconcile;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * The acquirer statement CSV: any text is read, or refused with a {@link StatementFormatException} that
 * names the line; nothing else escapes. Regression inputs: src/test/resources/dev/tally/terminal/reconcile/StatementFuzzTestInputs/.
 */
class StatementFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void aStatementIsReadOrRefusedWithTheLine(byte[] csv) {
        try {
            Statement.parse("fuzz.csv", new String(csv, StandardCharsets.UTF_8));
        } catch (StatementFormatException refused) {
            assertFalse(refused.getMessage() == null || refused.getMessage().isBlank(), "a refusal says why");
        }
    }
}
