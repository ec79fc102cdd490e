package dev.tally.simulator.scenario;

/**
 * What a rule can match on, taken from a request. {@code amount} is null when the message carries none;
 * the PAN is held only while matching and never printed ({@link #toString()} masks it).
 */
public record ScenarioRequest(String mti, String processingCode, String terminalId, String pan, Long amount, int stan) {

    @Override
    public String toString() {
        return "ScenarioRequest[" + mti + " " + processingCode + " " + terminalId + " "
                + dev.tally.spec.format.Masking.pan(pan) + " amount=" + amount + " stan=" + stan + "]";
    }
}
