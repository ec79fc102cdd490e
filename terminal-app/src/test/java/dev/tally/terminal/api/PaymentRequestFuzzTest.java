package dev.tally.terminal.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.spec.message.OrderReference;

/**
 * The cashier API's payment body: any bytes either become a request whose order id and amount obey the
 * rules, or a 4xx {@link ApiProblem} with a message — never another exception (which would be a 500),
 * never a card number let through. Regression inputs: src/test/resources/dev/tally/terminal/api/PaymentRequestFuzzTestInputs/.
 */
class PaymentRequestFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void aBodyIsAPaymentOrA4xx(byte[] body) {
        try {
            PaymentRequest r = PaymentRequest.parse(body, "840");
            assertTrue(OrderReference.problem(r.orderId()) == null, "order id passed the rules");
            assertTrue(r.amount() > 0 && r.amount() <= 99_999_999_999L, "amount in range");
            assertFalse(r.card() != null && r.card().chars().filter(Character::isDigit).count() >= 12,
                    "a card number got through (12 or more digits, however separated)");
        } catch (ApiProblem refused) {
            assertTrue(refused.status >= 400 && refused.status < 500, "a refusal is a 4xx");
            assertFalse(refused.getMessage() == null || refused.getMessage().isBlank(), "a refusal says why");
        }
    }
}
