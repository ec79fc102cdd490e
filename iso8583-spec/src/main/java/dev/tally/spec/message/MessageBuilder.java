package dev.tally.spec.message;

import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.WireMsg;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;

/**
 * Builds a request or a response of the catalogue by named fields. {@link #build()} checks the result
 * against the catalogue and the dialect ({@link MessageValidator}) and names any missing or malformed
 * field. The MAC (field 64) is added afterwards by {@code dev.tally.spec.crypto.MessageMac}; build()
 * leaves a zero placeholder in it for MACed messages so the bitmap is final. The MAC field is 64, or
 * 128 when the message has a secondary bitmap (SPEC.md §5); the catalogue writes both as "64".
 */
public final class MessageBuilder {

    private static final DateTimeFormatter MMDDHHMMSS = DateTimeFormatter.ofPattern("MMddHHmmss");
    private static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HHmmss");
    private static final DateTimeFormatter MMDD = DateTimeFormatter.ofPattern("MMdd");
    private static final DateTimeFormatter YYMM = DateTimeFormatter.ofPattern("yyMM");

    private final MessageType type;
    private final boolean response;
    private final ISOMsg msg = new WireMsg(); // packed once when MACed (MessageMac)

    private MessageBuilder(MessageType type, boolean response) {
        this.type = type;
        this.response = response;
        msg.setPackager(Iso87.packager());
    }

    /** A request of the given type, MTI and processing / network code already set. */
    public static MessageBuilder request(MessageType type) {
        MessageBuilder b = new MessageBuilder(type, false);
        MessageCatalogue.Entry e = type.spec();
        b.set(0, e.requestMti());
        if (e.processingCode() != null) {
            b.set(Field.PROCESSING_CODE, e.processingCode());
        }
        if (e.networkCode() != null) {
            b.set(Field.NETWORK_MANAGEMENT_CODE, e.networkCode());
        }
        return b;
    }

    /**
     * The response to a request: response MTI, and every field the request carries that the catalogue
     * lists for the response (processing code, amount, STAN, times, terminal, order reference, field 90)
     * echoed. The request is not modified.
     */
    public static MessageBuilder responseTo(ISOMsg request) {
        String mti = request.getString(0);
        MessageCatalogue.Entry e = MessageCatalogue.classify(mti, request.getString(3), request.getString(70))
                .orElseThrow(() -> new MessageValidationException(List.of(new MessageValidator.Problem(0, "MTI",
                        "message " + mti + " with processing code " + request.getString(3)
                                + " is not in the Tally catalogue"))));
        MessageBuilder b = new MessageBuilder(e.type(), true);
        b.set(0, e.responseMti());
        for (int f : e.responseMandatory()) {
            if (f != Field.MAC.number() && f != Field.RESPONSE_CODE.number() && request.hasField(f)) {
                b.msg.set(f, request.getString(f));
            }
        }
        for (int f : e.responseConditional()) {
            if (f != Field.MAC.number() && request.hasField(f) && isEchoed(f)) {
                b.msg.set(f, request.getString(f));
            }
        }
        return b;
    }

    /** Conditional response fields that are echoes of the request (the rest are the host's own). */
    private static boolean isEchoed(int f) {
        return f == 12 || f == 13 || f == 42 || f == 49 || f == 90;
    }

    public MessageType type() {
        return type;
    }

    public MessageBuilder pan(String pan) {
        return set(Field.PAN, pan);
    }

    public MessageBuilder expiry(YearMonth expiry) {
        return set(Field.EXPIRY, expiry.format(YYMM));
    }

    /** Amount in minor units (12 digits). */
    public MessageBuilder amount(long minorUnits) {
        if (minorUnits < 0 || minorUnits > 999_999_999_999L) {
            throw new IllegalArgumentException("amount must be 0..999999999999 minor units, got " + minorUnits);
        }
        return set(Field.AMOUNT, String.format("%012d", minorUnits));
    }

    /** Field 7 in UTC, as ISO 8583 wants the transmission time in GMT. */
    public MessageBuilder transmissionDateTime(ZonedDateTime when) {
        return set(Field.TRANSMISSION_DATE_TIME, when.withZoneSameInstant(ZoneOffset.UTC).format(MMDDHHMMSS));
    }

    /** Field 7 as already formatted MMDDhhmmss (a repeat must carry the original's). */
    public MessageBuilder transmissionDateTime(String mmddhhmmss) {
        return set(Field.TRANSMISSION_DATE_TIME, mmddhhmmss);
    }

    public MessageBuilder stan(int stan) {
        if (stan < 1 || stan > 999_999) {
            throw new IllegalArgumentException("STAN must be 1..999999, got " + stan);
        }
        return set(Field.STAN, ISOUtil.zeropad(stan, 6));
    }

    /** Fields 12 and 13, the terminal's local time and date. */
    public MessageBuilder localDateTime(LocalDateTime local) {
        set(Field.LOCAL_TIME, local.format(HHMMSS));
        return set(Field.LOCAL_DATE, local.format(MMDD));
    }

    public MessageBuilder localTime(String hhmmss) {
        return set(Field.LOCAL_TIME, hhmmss);
    }

    public MessageBuilder localDate(String mmdd) {
        return set(Field.LOCAL_DATE, mmdd);
    }

    /** Field 22, e.g. "012" manual key entry without PIN, "021" magnetic stripe with PIN, "051" chip. */
    public MessageBuilder posEntryMode(String mode) {
        return set(Field.POS_ENTRY_MODE, mode);
    }

    public MessageBuilder nii(String nii) {
        return set(Field.NII, nii);
    }

    public MessageBuilder posConditionCode(String code) {
        return set(Field.POS_CONDITION_CODE, code);
    }

    public MessageBuilder rrn(String rrn) {
        return set(Field.RRN, rrn);
    }

    public MessageBuilder authCode(String code) {
        return set(Field.AUTH_CODE, code);
    }

    public MessageBuilder responseCode(String code) {
        return set(Field.RESPONSE_CODE, code);
    }

    /** Field 39 of a 0400/0401: why the terminal reverses. */
    public MessageBuilder reversalReason(ReversalReason reason) {
        return set(Field.RESPONSE_CODE, reason.code());
    }

    public MessageBuilder terminalId(String tid) {
        return set(Field.TERMINAL_ID, tid);
    }

    public MessageBuilder merchantId(String mid) {
        return set(Field.MERCHANT_ID, mid);
    }

    public MessageBuilder statusAnswer(StatusAnswer answer) {
        return set(Field.ADDITIONAL_DATA, answer.encode());
    }

    /** ISO 4217 numeric currency code, e.g. "840". */
    public MessageBuilder currency(String numericCode) {
        return set(Field.CURRENCY, numericCode);
    }

    public MessageBuilder pinBlock(byte[] encryptedPinBlock) {
        if (encryptedPinBlock == null || encryptedPinBlock.length != 8) {
            throw new IllegalArgumentException("an encrypted PIN block is 8 bytes");
        }
        msg.set(Field.PIN_BLOCK.number(), encryptedPinBlock.clone());
        return this;
    }

    public MessageBuilder balance(Balance balance) {
        return set(Field.ADDITIONAL_AMOUNTS, balance.encode());
    }

    public MessageBuilder iccData(byte[] berTlv) {
        msg.set(Field.ICC_DATA.number(), berTlv.clone());
        return this;
    }

    /** Field 60 of a 0500/0510: the batch number (6 digits). */
    public MessageBuilder batchNumber(int batch) {
        if (batch < 1 || batch > 999_999) {
            throw new IllegalArgumentException("batch number must be 1..999999, got " + batch);
        }
        return set(Field.BATCH_DATA, String.format("%06d", batch));
    }

    /** Field 60 of a 0320: the uploaded sale's original MTI + STAN + transmission date/time (20 digits). */
    public MessageBuilder uploadOriginal(String mti, int stan, String transmissionDateTime) {
        return set(Field.BATCH_DATA, mti + String.format("%06d", stan) + transmissionDateTime);
    }

    public MessageBuilder keyBlocks(KeyBlocks blocks) {
        return set(Field.KEY_BLOCKS, blocks.encode());
    }

    public MessageBuilder orderReference(String ref) {
        // well formed is enough here: a reversal or upload of an order taken before the card-number rule must still
        // go; a new sale is refused one by the validator (field 62 of a 0200) and by every input before it
        return set(Field.ORDER_REFERENCE, OrderReference.requireWellFormed(ref));
    }

    public MessageBuilder settlementTotals(SettlementTotals totals) {
        return set(Field.SETTLEMENT_TOTALS, totals.encode());
    }

    public MessageBuilder originalData(OriginalData original) {
        return set(Field.ORIGINAL_DATA_ELEMENTS, original.encode());
    }

    /**
     * The message, checked against the catalogue. MACed types get an 8-byte zero placeholder in
     * field 64 (replaced by MessageMac.apply). Throws {@link MessageValidationException} naming every
     * missing or malformed field.
     */
    public ISOMsg build() {
        MessageCatalogue.Entry e = type.spec();
        if (e.mandatory(response).contains(Field.MAC.number()) && !MessageMac.hasMac(msg)) {
            msg.set(MessageMac.macField(msg), new byte[8]);
        }
        List<MessageValidator.Problem> problems = MessageValidator.check(msg);
        if (!problems.isEmpty()) {
            throw new MessageValidationException(problems);
        }
        return (ISOMsg) msg.clone();
    }

    /** Same as {@link #build()} for a response that carries no MAC (the host has no session keys). */
    public ISOMsg buildWithoutMac() {
        ISOMsg built = build();
        built.unset(MessageMac.PRIMARY_MAC_FIELD);
        built.unset(MessageMac.SECONDARY_MAC_FIELD);
        return built;
    }

    private MessageBuilder set(Field f, String value) {
        return set(f.number(), value);
    }

    private MessageBuilder set(int f, String value) {
        if (value == null) {
            throw new IllegalArgumentException("field " + f + " (" + Iso87.fieldName(f) + ") cannot be set to nothing");
        }
        try {
            msg.set(f, value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("field " + f + " (" + Iso87.fieldName(f) + "): " + e.getMessage(), e);
        }
        return this;
    }

    static {
        // make sure the packager loads early with a clear error if the dialect resource is broken
        Iso87.packager();
    }

}
