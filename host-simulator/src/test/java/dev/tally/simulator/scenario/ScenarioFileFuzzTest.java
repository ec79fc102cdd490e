package dev.tally.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A scenario file is loaded or refused with a {@link ScenarioException} that says what is wrong;
 * nothing else escapes. Regression inputs: src/test/resources/dev/tally/simulator/scenario/ScenarioFileFuzzTestInputs/.
 */
class ScenarioFileFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void aScenarioFileLoadsOrIsRefusedWithAReason(byte[] file) {
        try {
            ScenarioFile.parse(new String(file, java.nio.charset.StandardCharsets.UTF_8), "fuzz.json");
        } catch (ScenarioException expected) {
            assertFalse(expected.getMessage() == null || expected.getMessage().isBlank(), "a refusal says why");
        }
    }
}
