package dev.tally.spec.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What a cashier system is told of an order id it cannot use. */
class OrderReferenceTest {

    /**
     * "ÄÖ-1" was refused with "may hold only letters, digits and ...": Ä is a letter, so the words did not say what
     * was wrong. Only the ASCII letters go in field 62.
     */
    @Test
    void anAccentedLetterIsRefusedInWordsThatSayOnlyTheLettersAToZGo() {
        String expected = "order reference may hold only the letters A-Z and a-z (no accents), digits and . _ - / :"
                + " (no spaces)";
        assertEquals(expected, OrderReference.formatProblem("ÄÖ-1"));
        assertEquals(expected, OrderReference.formatProblem("INV 1"));
        assertNull(OrderReference.formatProblem("INV-2026/11:a_b.c"));
    }
}
