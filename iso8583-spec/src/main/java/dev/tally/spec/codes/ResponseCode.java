package dev.tally.spec.codes;

/**
 * One response code: what it means, what the cashier is told, and what the terminal does.
 *
 * @param code         the two characters of field 39
 * @param meaning      the ISO 8583 meaning
 * @param operatorText plain words for the person at the till
 * @param action       what the terminal does
 */
public record ResponseCode(String code, String meaning, String operatorText, TerminalAction action) {

    public boolean approved() {
        return action == TerminalAction.APPROVE;
    }
}
