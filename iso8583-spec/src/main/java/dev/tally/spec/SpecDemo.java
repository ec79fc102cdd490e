package dev.tally.spec;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.format.Framing;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.MessageDecoder;
import dev.tally.spec.format.MessageFormatException;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageValidationException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import org.jpos.iso.ISOMsg;

/**
 * The spec at work, for {@code scripts/demo}: build a sale with a test card, pack and frame it, decode
 * the bytes back into a masked field-by-field dump, and show the validator and decoder naming faults.
 */
public final class SpecDemo {

    private SpecDemo() {
    }

    public static void main(String[] args) {
        Clock clock = Clock.systemDefaultZone();
        TestCard card = TestCards.bundled().defaultCard();
        ZonedDateTime now = ZonedDateTime.now(clock);
        ISOMsg sale = MessageBuilder.request(MessageType.SALE)
                .pan(card.pan()).expiry(card.expiry()).amount(1234).transmissionDateTime(now).stan(1)
                .localDateTime(LocalDateTime.now(clock)).posEntryMode("012").posConditionCode("00")
                .terminalId("TALLY001").merchantId("HOSPITAL0000001").currency("840").orderReference("INV-2026-0001")
                .build();
        byte[] wire = Framing.frame(Iso87.pack(sale), Framing.DEFAULT_TPDU);
        System.out.println("== a sale of 12.34 for order INV-2026-0001, card " + card.maskedPan());
        System.out.println(wire.length + " bytes on the wire (2-byte length + 5-byte TPDU + body); decoded:");
        System.out.println(MessageDecoder.decode(wire).render());

        System.out.println("== the validator names what is missing");
        try {
            MessageBuilder.request(MessageType.SALE).pan(card.pan()).stan(2).terminalId("TALLY001").build();
        } catch (MessageValidationException e) {
            e.problems().forEach(p -> System.out.println("  " + p));
        }

        System.out.println();
        System.out.println("== the decoder names the byte and the field of bad input");
        byte[] body = Iso87.pack(sale);
        byte[] truncated = java.util.Arrays.copyOf(body, body.length - 20);
        try {
            MessageDecoder.decode(truncated);
        } catch (MessageFormatException e) {
            System.out.println("  body cut short by 20 bytes: " + e.getMessage());
        }

        System.out.println();
        System.out.println("== response codes the cashier may see");
        for (ResponseCode rc : ResponseCodes.all()) {
            System.out.printf("  %s  %-12s %s%n", rc.code(), rc.action(), rc.operatorText());
        }
    }
}
