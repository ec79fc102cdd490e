package dev.tally.spec.message;

import dev.tally.spec.codes.ResponseCode;
import dev.tally.spec.codes.ResponseCodes;
import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.format.Masking;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.jpos.iso.ISOMsg;

/**
 * A read-only, typed view of a message: callers read fields by name, never by number. The view reads
 * the message it is given (no copy: it sits on the hot path of every request), so do not change that
 * message while the view is in use; {@link #message()} hands out a copy. {@link #toString()} is masked.
 */
public final class MessageView {

    private static final DateTimeFormatter YYMM = DateTimeFormatter.ofPattern("yyMM");

    private final ISOMsg msg;

    private MessageView(ISOMsg msg) {
        this.msg = msg;
    }

    public static MessageView of(ISOMsg msg) {
        return new MessageView(msg);
    }

    /** A copy of the underlying message (to hand to a channel, which may change it). */
    public ISOMsg message() {
        return (ISOMsg) msg.clone();
    }

    public String mti() {
        return msg.getString(0);
    }

    public boolean isResponse() {
        return MessageCatalogue.isResponseMti(mti());
    }

    public Optional<MessageType> type() {
        return MessageCatalogue.classify(mti(), msg.getString(3), msg.getString(70)).map(MessageCatalogue.Entry::type);
    }

    public boolean has(Field f) {
        return msg.hasField(f.number());
    }

    public String pan() {
        return msg.getString(Field.PAN.number());
    }

    public String maskedPan() {
        return Masking.pan(pan());
    }

    public Optional<YearMonth> expiry() {
        String v = msg.getString(Field.EXPIRY.number());
        return v == null ? Optional.empty() : Optional.of(YearMonth.parse(v, YYMM));
    }

    public String processingCode() {
        return msg.getString(Field.PROCESSING_CODE.number());
    }

    /** Amount in minor units; 0 when absent. */
    public long amount() {
        String v = msg.getString(Field.AMOUNT.number());
        return v == null ? 0 : Long.parseLong(v);
    }

    /** MMDDhhmmss, UTC. */
    public String transmissionDateTime() {
        return msg.getString(Field.TRANSMISSION_DATE_TIME.number());
    }

    /** STAN; 0 when absent. */
    public int stan() {
        String v = msg.getString(Field.STAN.number());
        return v == null ? 0 : Integer.parseInt(v);
    }

    public String localTime() {
        return msg.getString(Field.LOCAL_TIME.number());
    }

    public String localDate() {
        return msg.getString(Field.LOCAL_DATE.number());
    }

    public String posEntryMode() {
        return msg.getString(Field.POS_ENTRY_MODE.number());
    }

    public String posConditionCode() {
        return msg.getString(Field.POS_CONDITION_CODE.number());
    }

    public String rrn() {
        return msg.getString(Field.RRN.number());
    }

    public String authCode() {
        return msg.getString(Field.AUTH_CODE.number());
    }

    public String responseCode() {
        return msg.getString(Field.RESPONSE_CODE.number());
    }

    /** The catalogue entry of field 39 (an unknown code reads as a decline). */
    public ResponseCode response() {
        return ResponseCodes.of(responseCode());
    }

    /** Field 39 of a 0400/0401 read as the reversal reason. */
    public Optional<ReversalReason> reversalReason() {
        return ReversalReason.ofCode(responseCode());
    }

    public String terminalId() {
        return msg.getString(Field.TERMINAL_ID.number());
    }

    public String merchantId() {
        return msg.getString(Field.MERCHANT_ID.number());
    }

    public String currency() {
        return msg.getString(Field.CURRENCY.number());
    }

    public Optional<byte[]> pinBlock() {
        return Optional.ofNullable(msg.getBytes(Field.PIN_BLOCK.number())).map(byte[]::clone);
    }

    public Optional<byte[]> mac() {
        return Optional.ofNullable(msg.getBytes(MessageMac.macField(msg))).map(byte[]::clone);
    }

    public Optional<byte[]> iccData() {
        return Optional.ofNullable(msg.getBytes(Field.ICC_DATA.number())).map(byte[]::clone);
    }

    public Optional<String> orderReference() {
        return Optional.ofNullable(msg.getString(Field.ORDER_REFERENCE.number()));
    }

    public Optional<OriginalData> originalData() {
        String v = msg.getString(Field.ORIGINAL_DATA_ELEMENTS.number());
        return v == null ? Optional.empty() : Optional.of(OriginalData.decode(v));
    }

    public Optional<SettlementTotals> settlementTotals() {
        String v = msg.getString(Field.SETTLEMENT_TOTALS.number());
        return v == null ? Optional.empty() : Optional.of(SettlementTotals.decode(v));
    }

    public Optional<KeyBlocks> keyBlocks() {
        String v = msg.getString(Field.KEY_BLOCKS.number());
        return v == null ? Optional.empty() : Optional.of(KeyBlocks.decode(v));
    }

    public Optional<StatusAnswer> statusAnswer() {
        String v = msg.getString(Field.ADDITIONAL_DATA.number());
        return v == null ? Optional.empty() : Optional.of(StatusAnswer.decode(v));
    }

    public Optional<Balance> balance() {
        String v = msg.getString(Field.ADDITIONAL_AMOUNTS.number());
        return v == null ? Optional.empty() : Optional.of(Balance.decode(v));
    }

    /** Field 60 of a 0200 or 0500/0510 (six digits, as the validator requires there); 0 when absent. */
    public int batchNumber() {
        String v = msg.getString(Field.BATCH_DATA.number());
        return v == null || v.length() != 6 ? 0 : Integer.parseInt(v);
    }

    /** Field 60 of a 0320: original MTI + STAN + transmission time (20 digits). */
    public Optional<String> uploadOriginal() {
        String v = msg.getString(Field.BATCH_DATA.number());
        return v == null || v.length() != 20 ? Optional.empty() : Optional.of(v);
    }

    public String networkManagementCode() {
        return msg.getString(Field.NETWORK_MANAGEMENT_CODE.number());
    }

    @Override
    public String toString() {
        return "MessageView[" + mti() + " " + type().map(Enum::name).orElse("?") + " stan=" + stan()
                + (pan() != null ? " pan=" + maskedPan() : "") + (responseCode() != null ? " rc=" + responseCode() : "")
                + orderReference().map(r -> " order=" + r).orElse("") + "]";
    }
}
