package dev.tally.spec.codes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ResponseCodesTest {

    @Test
    void theCasesCashiersMeetHaveAPlainTextAndAnAction() {
        assertEquals(TerminalAction.APPROVE, ResponseCodes.of("00").action());
        assertEquals(TerminalAction.DECLINE, ResponseCodes.of("51").action());
        assertTrue(ResponseCodes.of("51").operatorText().startsWith("Insufficient funds"));
        assertEquals(TerminalAction.RETRY_LATER, ResponseCodes.of("91").action()); // issuer down
        assertEquals(TerminalAction.RETRY_LATER, ResponseCodes.of("96").action()); // maintenance
        assertEquals(TerminalAction.DECLINE, ResponseCodes.of("03").action());     // invalid merchant
        assertEquals(TerminalAction.UPLOAD_BATCH, ResponseCodes.of("95").action());
        assertEquals(TerminalAction.RESIGN_ON, ResponseCodes.of("A0").action());
        assertEquals(TerminalAction.REVERSE, ResponseCodes.of("94").action());
    }

    @Test
    void everyActionIsUsedAndEveryCodeIsTwoCharacters() {
        Set<TerminalAction> used = ResponseCodes.all().stream().map(ResponseCode::action).collect(Collectors.toSet());
        assertEquals(Set.of(TerminalAction.values()), used);
        ResponseCodes.all().forEach(rc -> assertTrue(rc.code().matches("[0-9A-Z]{2}"), rc.code()));
    }

    @Test
    void anUnknownCodeIsNeverAnApproval() {
        ResponseCode unknown = ResponseCodes.of("Q7");
        assertFalse(unknown.approved());
        assertEquals(TerminalAction.DECLINE, unknown.action());
        assertTrue(unknown.operatorText().contains("Q7"));
    }

    @Test
    void reversalReasons() {
        assertEquals(ReversalReason.NO_RESPONSE, ReversalReason.ofCode("98").orElseThrow());
        assertEquals(ReversalReason.MAC_FAILURE, ReversalReason.ofCode("a0").orElseThrow());
        assertEquals(ReversalReason.TERMINAL_FAILURE, ReversalReason.ofCode("96").orElseThrow());
        assertEquals(ReversalReason.OTHER, ReversalReason.ofCode("06").orElseThrow());
        assertTrue(ReversalReason.ofCode("00").isEmpty());
    }
}
