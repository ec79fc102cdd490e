package dev.tally.spec.message;

import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.crypto.MessageMac;
import dev.tally.spec.format.Iso87;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.MonthDay;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jpos.iso.IF_CHAR;
import org.jpos.iso.IFB_BINARY;
import org.jpos.iso.IFB_LLLNUM;
import org.jpos.iso.IFB_LLNUM;
import org.jpos.iso.IFB_NUMERIC;
import org.jpos.iso.ISOBinaryField;
import org.jpos.iso.ISOComponent;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOFieldPackager;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;
import org.jpos.tlv.TLVList;

/**
 * Checks a message against the catalogue (mandatory fields for its type and direction) and the
 * dialect (type and length of every field present), plus the content rules SPEC.md states for
 * Tally's structured fields. Every problem names the field.
 */
public final class MessageValidator {

    /** One problem: field number (0 = MTI), its name, what is wrong. */
    public record Problem(int field, String fieldName, String what) {
        @Override
        public String toString() {
            return field == 0 ? "MTI: " + what : "field " + field + " (" + fieldName + "): " + what;
        }
    }

    // compiled once: String.matches compiles its pattern on every call, and check() runs on every message
    private static final Pattern FOUR_DIGITS = Pattern.compile("\\d{4}");
    private static final Pattern THREE_DIGITS = Pattern.compile("\\d{3}");
    private static final Pattern SIX_DIGITS = Pattern.compile("\\d{6}");
    private static final Pattern TWENTY_DIGITS = Pattern.compile("\\d{20}");
    private static final Pattern RESPONSE_CODE = Pattern.compile("[0-9A-Z]{2}");
    private static final String REVERSAL_REASONS = java.util.Arrays.stream(ReversalReason.values())
            .map(ReversalReason::code).collect(java.util.stream.Collectors.joining(", "));

    private MessageValidator() {
    }

    /** Every problem with the message; empty when it is valid. */
    public static List<Problem> check(ISOMsg m) {
        List<Problem> problems = new ArrayList<>();
        String mti = m.getString(0);
        if (mti == null || !FOUR_DIGITS.matcher(mti).matches()) {
            problems.add(new Problem(0, "MTI", "missing or not 4 digits"));
            return problems;
        }
        Optional<MessageCatalogue.Entry> entry = MessageCatalogue.classify(mti, m.getString(3), m.getString(70));
        if (entry.isEmpty()) {
            problems.add(new Problem(0, "MTI", "message " + mti + " with processing code " + m.getString(3)
                    + (m.hasField(70) ? " and network code " + m.getString(70) : "")
                    + " is not in the Tally catalogue"));
            return problems;
        }
        boolean response = MessageCatalogue.isResponseMti(mti);
        for (int f : entry.get().mandatory(response)) {
            if (f == Field.MAC.number() && m.hasField(MessageMac.macField(m))) {
                continue; // the MAC field is 128 when the message has a secondary bitmap
            }
            if (!m.hasField(f)) {
                problems.add(new Problem(f, name(f), "missing (mandatory in " + mti + " "
                        + entry.get().type() + ")"));
            }
        }
        // the fields present, in order (a copy of jPOS's sorted map), each read through its component: one map
        // lookup per message instead of three per field
        for (Map.Entry<?, ?> field : ((Map<?, ?>) m.getChildren()).entrySet()) {
            if (field.getKey() instanceof Integer f && f >= 2 && field.getValue() instanceof ISOComponent c) {
                formatProblem(m, f, c).ifPresent(problems::add);
            }
        }
        return problems;
    }

    /** Throws {@link MessageValidationException} when the message has any problem. */
    public static void require(ISOMsg m) {
        List<Problem> problems = check(m);
        if (!problems.isEmpty()) {
            throw new MessageValidationException(problems);
        }
    }

    /** Field {@code f}'s problem with the dialect or the content rules; {@code c} is its component in {@code m}. */
    private static Optional<Problem> formatProblem(ISOMsg m, int f, ISOComponent c) {
        ISOFieldPackager fp = Iso87.fieldPackager(f);
        if (fp == null) {
            return Optional.of(new Problem(f, "UNDEFINED", "not defined in the iso87 dialect"));
        }
        int max = fp.getLength();
        Object value = valueOf(c);
        if (c instanceof ISOBinaryField) {
            byte[] b = value instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1) : (byte[]) value;
            if (fp instanceof IFB_BINARY && b.length != max) {
                return problem(f, "must be " + max + " bytes, has " + b.length);
            }
            if (b.length > max) {
                return problem(f, "at most " + max + " bytes, has " + b.length);
            }
            return f == Field.ICC_DATA.number() ? iccDataProblem(b) : Optional.empty();
        }
        // what ISOMsg.getString gives: the text, a binary value in hex, or null for anything else
        String v = value instanceof String s ? s : value instanceof byte[] b ? ISOUtil.hexString(b) : null;
        if (v == null) {
            return problem(f, "holds binary data where the dialect expects characters");
        }
        if (v.length() > max) {
            return problem(f, "at most " + max + " characters, has " + v.length());
        }
        if (f == Field.TRACK2.number()) {
            // numeric but for its separator (SPEC.md §2); the problem never quotes the track
            String why = Track2.problem(v);
            return why == null ? Optional.empty() : problem(f, why);
        }
        boolean numeric = fp instanceof IFB_NUMERIC || fp instanceof IFB_LLNUM || fp instanceof IFB_LLLNUM;
        if (numeric && !allDigits(v)) {
            return problem(f, "must be digits only");
        }
        if (fp instanceof IF_CHAR && v.length() != max) {
            return problem(f, "must be exactly " + max + " characters, has " + v.length());
        }
        if (fp instanceof IFB_NUMERIC && v.length() != max) {
            return problem(f, "must be exactly " + max + " digits, has " + v.length());
        }
        return contentProblem(m, f, v);
    }

    /** A component's value as {@link ISOMsg#getValue(int)} gives it; null when it has none or cannot give it. */
    private static Object valueOf(ISOComponent c) {
        try {
            return c.getValue();
        } catch (ISOException e) {
            return null;
        }
    }

    /**
     * Whether every character is one of the digits 0-9 that ISO 8583's numeric fields hold. Not
     * {@link Character#isDigit}: that also takes other scripts' digits (Arabic-Indic, fullwidth), which the BCD
     * packer would turn into wrong nibbles instead of refusing.
     */
    private static boolean allDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Field 55 is EMV BER-TLV (SPEC.md §2), read with jPOS's {@link TLVList} as the decoder and the message log read
     * it. jPOS's message names a tag and lengths, never a value.
     */
    private static Optional<Problem> iccDataProblem(byte[] b) {
        try {
            new TLVList().unpack(b);
            return Optional.empty();
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceFirst("^BAD TLV FORMAT:? *", "");
            return problem(Field.ICC_DATA.number(), "not BER-TLV: " + why);
        }
    }

    /** Rules of SPEC.md for the content of specific fields. */
    private static Optional<Problem> contentProblem(ISOMsg m, int f, String v) {
        try {
            switch (f) {
                case 2 -> {
                    if (v.length() < 12) {
                        return problem(f, "a PAN has 12 to 19 digits, this has " + v.length());
                    }
                }
                case 7 -> {
                    MonthDay.of(Integer.parseInt(v.substring(0, 2)), Integer.parseInt(v.substring(2, 4)));
                    LocalTime.of(Integer.parseInt(v.substring(4, 6)), Integer.parseInt(v.substring(6, 8)),
                            Integer.parseInt(v.substring(8, 10)));
                }
                case 12 -> LocalTime.of(Integer.parseInt(v.substring(0, 2)), Integer.parseInt(v.substring(2, 4)),
                        Integer.parseInt(v.substring(4, 6)));
                case 13 -> MonthDay.of(Integer.parseInt(v.substring(0, 2)), Integer.parseInt(v.substring(2, 4)));
                case 14 -> {
                    int month = Integer.parseInt(v.substring(2, 4));
                    if (month < 1 || month > 12) {
                        return problem(f, "expiry must be YYMM with a month 01..12");
                    }
                }
                case 11 -> {
                    if (Integer.parseInt(v) == 0) {
                        return problem(f, "STAN 000000 is not allowed");
                    }
                }
                case 39 -> {
                    if (!RESPONSE_CODE.matcher(v).matches()) {
                        return problem(f, "must be two digits or capital letters");
                    }
                    // in a reversal request 39 is its reason (SPEC.md §7): a code outside that list says nothing a host
                    // can act on, so the reversal is malformed rather than a reversal for an unknown reason
                    String mti = m.getString(0);
                    if ((mti.equals("0400") || mti.equals("0401")) && ReversalReason.ofCode(v).isEmpty()) {
                        return problem(f, "a reversal's reason must be one of " + REVERSAL_REASONS + " (SPEC.md §7), got "
                                + v);
                    }
                }
                case 49 -> {
                    if (!THREE_DIGITS.matcher(v).matches()) {
                        return problem(f, "must be an ISO 4217 numeric currency code (3 digits)");
                    }
                }
                case 48 -> {
                    if (m.getString(0).equals("0110")) {
                        StatusAnswer.decode(v);
                    }
                }
                case 54 -> Balance.decode(v);
                case 60 -> {
                    String mti = m.getString(0);
                    // the terminal's batch number: in a 0200 the batch the sale is in, in a 0500/0510 the one settled
                    // (SPEC.md §2); a sale's goes to the ledger, where a bad one would leave the sale in no batch
                    if (mti.equals("0200") || mti.startsWith("05")) {
                        if (!SIX_DIGITS.matcher(v).matches()) {
                            return problem(f, "batch number must be 6 digits (000001-999999)");
                        }
                        if (v.equals("000000")) {
                            return problem(f, "batch number 000000 is not a batch (000001-999999)");
                        }
                    }
                    if (mti.startsWith("03")) {
                        if (!TWENTY_DIGITS.matcher(v).matches()) {
                            return problem(f, "original data of an upload must be MTI(4)+STAN(6)+MMDDhhmmss(10)");
                        }
                        // a batch upload carries an approved sale of the batch (SPEC.md §4.7): an upload naming another
                        // message would reach the ledger's sale under the same STAN and field 7, as field 90 would
                        if (!v.startsWith("0200")) {
                            return problem(f, "original MTI of an upload must be 0200 (the sale uploaded), got "
                                    + v.substring(0, 4));
                        }
                    }
                }
                case 61 -> KeyBlocks.decode(v);
                case 62 -> {
                    // a sale opens an order: never under a card number; every other message is about an order that
                    // exists (its reversal, upload, status), which must go even if it was taken before that rule
                    String why = "0200".equals(m.getString(0)) ? OrderReference.problem(v) : OrderReference.formatProblem(v);
                    if (why != null) {
                        return problem(f, why);
                    }
                }
                case 63 -> SettlementTotals.decode(v);
                case 90 -> {
                    OriginalData original = OriginalData.decode(v);
                    // a status inquiry or a reversal (and its answer) names the sale it is about (SPEC.md §4.5, §4.6):
                    // a key naming another message would reach the ledger's sale under the same STAN and field 7
                    String mti = m.getString(0);
                    if ((mti.startsWith("01") || mti.startsWith("04")) && !original.mti().equals("0200")) {
                        return problem(f, "original MTI must be 0200 (the sale it is about), got " + original.mti());
                    }
                }
                default -> {
                    // no content rule beyond the dialect's type and length
                }
            }
        } catch (DateTimeException | NumberFormatException e) {
            return problem(f, "not a valid date/time or number (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            return problem(f, e.getMessage());
        }
        return Optional.empty();
    }

    private static Optional<Problem> problem(int f, String what) {
        return Optional.of(new Problem(f, name(f), what));
    }

    private static String name(int f) {
        Field named = Field.byNumber(f);
        return named != null ? named.title() : Iso87.fieldName(f);
    }
}
