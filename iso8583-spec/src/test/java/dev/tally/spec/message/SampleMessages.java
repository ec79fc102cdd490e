package dev.tally.spec.message;

import dev.tally.spec.card.TestCard;
import dev.tally.spec.card.TestCards;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.crypto.KeyCheckValue;
import dev.tally.spec.crypto.KeyWrap;
import dev.tally.spec.crypto.PinBlock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import org.jpos.iso.ISOMsg;

/** One valid request and response of every catalogue type, built the way the terminal and host build them. */
final class SampleMessages {

    static final TestCard CARD = TestCards.bundled().find("visa-1").orElseThrow();
    static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 22, 10, 41, 7, 0, ZoneOffset.UTC);
    static final byte[] PIN_KEY = HexFormat.of().parseHex("0123456789ABCDEFFEDCBA9876543210");
    static final byte[] MAC_KEY = HexFormat.of().parseHex("838652DF68A246046DAB6104583B201A");

    private SampleMessages() {
    }

    static Map<MessageType, ISOMsg> requests() {
        Map<MessageType, ISOMsg> m = new EnumMap<>(MessageType.class);
        for (MessageType t : MessageType.values()) {
            m.put(t, request(t));
        }
        return m;
    }

    static ISOMsg request(MessageType t) {
        MessageBuilder b = MessageBuilder.request(t).transmissionDateTime(NOW).stan(123).terminalId("TALLY001");
        LocalDateTime local = NOW.toLocalDateTime();
        switch (t) {
            case SIGN_ON, ECHO -> { }
            case SALE, BALANCE_INQUIRY -> {
                b.pan(CARD.pan()).expiry(CARD.expiry()).localDateTime(local).posEntryMode("011").posConditionCode("00")
                        .merchantId("HOSPITAL0000001").currency("840")
                        .pinBlock(PinBlock.encrypt(PinBlock.format0(CARD.pin(), CARD.pan()), PIN_KEY));
                if (t == MessageType.SALE) {
                    b.amount(1234).orderReference("INV-2026-0001");
                }
            }
            case STATUS_INQUIRY -> b.merchantId("HOSPITAL0000001").orderReference("INV-2026-0001")
                    .originalData(new OriginalData("0200", 122, "1122104000"));
            case REVERSAL, REVERSAL_REPEAT -> b.pan(CARD.pan()).amount(1234).localDateTime(local).posEntryMode("011")
                    .posConditionCode("00").merchantId("HOSPITAL0000001").currency("840")
                    .orderReference("INV-2026-0001").reversalReason(ReversalReason.NO_RESPONSE)
                    .originalData(new OriginalData("0200", 122, "1122104000"));
            case SETTLEMENT, SETTLEMENT_TRAILER -> b.merchantId("HOSPITAL0000001").batchNumber(1)
                    .settlementTotals(new SettlementTotals(3, 4567, 0, 0));
            case BATCH_UPLOAD -> b.pan(CARD.pan()).amount(1234).localDateTime(local).posEntryMode("011")
                    .posConditionCode("00").merchantId("HOSPITAL0000001").currency("840").rrn("632610000001")
                    .authCode("A1B2C3").orderReference("INV-2026-0001").uploadOriginal("0200", 122, "1122104000");
        }
        return b.build();
    }

    static ISOMsg response(MessageType t) {
        ISOMsg req = request(t);
        MessageBuilder b = MessageBuilder.responseTo(req).responseCode("00");
        switch (t) {
            case SIGN_ON -> {
                byte[] pin = KeyWrap.encryptUnderKek(PIN_KEY, MAC_KEY);
                b.keyBlocks(new KeyBlocks(HexFormat.of().withUpperCase().formatHex(pin), KeyCheckValue.hex(MAC_KEY),
                        HexFormat.of().withUpperCase().formatHex(pin), KeyCheckValue.hex(MAC_KEY)));
            }
            case SALE -> b.rrn("632610000001").authCode("A1B2C3");
            case BALANCE_INQUIRY -> b.rrn("632610000002").balance(new Balance(1_000_000, "840"));
            case STATUS_INQUIRY -> b.rrn("632610000001").authCode("A1B2C3").statusAnswer(new StatusAnswer(
                    StatusAnswer.OriginalState.APPROVED, "00", 1234, StatusAnswer.CreditState.PENDING,
                    LocalDate.of(2026, 11, 23)));
            default -> { }
        }
        return b.build();
    }
}
