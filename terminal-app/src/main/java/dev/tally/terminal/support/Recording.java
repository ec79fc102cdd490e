package dev.tally.terminal.support;

import dev.tally.spec.codes.ReversalReason;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.JposXmlLog;
import dev.tally.spec.format.LineReader;
import dev.tally.spec.format.MessageFormatException;
import dev.tally.spec.format.MessageLog;
import dev.tally.spec.format.Utf8File;
import dev.tally.spec.format.WireMsg;
import dev.tally.spec.message.Field;
import dev.tally.spec.message.MessageCatalogue;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import dev.tally.spec.message.OriginalData;
import dev.tally.terminal.engine.ReversalLoop;
import dev.tally.terminal.journal.Attempt;
import dev.tally.terminal.journal.AttemptEvent;
import dev.tally.terminal.journal.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jpos.iso.ISOMsg;

/**
 * The requests of a recording, in their original order, each with what came back when it was recorded:
 * read from a Tally message log (terminal's or simulator's), a jPOS XML log, or a terminal journal.
 * Requests are masked as they were logged; {@link Replayer} puts a test card in.
 */
public record Recording(String source, Kind kind, List<Recorded> requests, List<String> warnings) {

    public enum Kind { MESSAGE_LOG, JPOS_XML, JOURNAL }

    /** A recording read without a word to say about its source. */
    public Recording(String source, Kind kind, List<Recorded> requests) {
        this(source, kind, requests, List.of());
    }

    /** What came back for a request when it was recorded. */
    public enum Outcome {
        ANSWERED, TIMEOUT, GARBAGE, DISCONNECTED, NOT_RECORDED;

        boolean unanswered() {
            return this == TIMEOUT || this == GARBAGE || this == DISCONNECTED;
        }
    }

    /**
     * One recorded request. {@code where} names it in the source ("line 12", "isomsg 3", "attempt 7");
     * {@code response} holds the masked fields of the recorded answer keyed by Tally name (null when there
     * was none); {@code codeOnly} when the source keeps only the response code (a journal).
     */
    public record Recorded(int index, String where, long ts, String messageId, ISOMsg request, Outcome outcome,
                           Map<String, String> response, boolean codeOnly, boolean pinEntered) {

        public MessageView view() {
            return MessageView.of(request);
        }

        public String label() {
            MessageView v = view();
            return v.mti() + " STAN " + String.format("%06d", v.stan())
                    + v.orderReference().map(o -> " order " + o).orElse("");
        }
    }

    /**
     * Reads a message log or a jPOS XML log, whichever the file holds. A message log's last line cut short (a copy
     * taken while it was written, a log whose writer stopped) is left out, said in {@link #warnings()}.
     */
    public static Recording read(Path file) throws IOException {
        String hint = "replay reads a Tally message log or a jPOS XML log in UTF-8;"
                + " convert a log written in another encoding first (e.g. iconv -f ISO-8859-1 -t UTF-8 " + file + ")";
        Utf8File.requireReadableFile(file);
        Utf8File.refuseDatabase(file, "replay reads a Tally message log or a jPOS XML log; to replay a terminal's"
                + " journal give it as --journal " + file);
        // a message log is read line by line, not held whole as well (lines end at \n, \r or \r\n, as String.lines);
        // its last line cut inside a character reads cut short, as one cut between two does (Utf8File.logReader)
        try (java.io.BufferedReader head = new java.io.BufferedReader(Utf8File.logReader(file))) {
            String first = head.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            if (dev.tally.spec.format.DumpReader.looksLikeMessageLog(first)) { // as decode tells a log from a dump
                try (LineReader all = new LineReader(Utf8File.logReader(file))) {
                    return fromMessageLog(file.toString(), all);
                }
            }
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.charset.CharacterCodingException c) {
                throw Utf8File.notUtf8(file, hint, c);
            }
            throw e.getCause();
        }
        String text = Utf8File.read(file, hint);
        if (JposXmlLog.looksLikeXml(text)) {
            return fromJposXml(file.toString(), text);
        }
        throw new IllegalArgumentException(file + " is neither a Tally message log (JSON lines) nor a jPOS XML log"
                + " (for a journal use --journal)");
    }

    // ------------------------------------------------------------------ Tally message log

    static Recording fromMessageLog(String source, String text) {
        return fromMessageLog(source, new LineReader(new java.io.StringReader(text)));
    }

    static Recording fromMessageLog(String source, LineReader lines) {
        List<String> warnings = new ArrayList<>();
        List<Recorded> out = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        int n = 0;
        // lines end at \n, \r or \r\n only (String.lines, BufferedReader.readLine): JSON may carry U+2028 or U+0085
        // unescaped inside a value (split("\\R") cut such a line in two), and no regular expression runs over the log
        while (lines.hasNext()) {
            String line = lines.next();
            n++;
            if (line.isBlank()) {
                continue;
            }
            MessageLog.Entry e;
            try {
                e = MessageLog.parse(line);
            } catch (IllegalArgumentException ex) {
                // the last line without a line break after it, cut short, is left out; any other is refused
                warnings.add(MessageLog.leaveOutOrRefuse(source, n, !lines.lastEnded() && !lines.hasNext(), ex));
                continue;
            }
            if (e.event() == MessageLog.Event.REQUEST) {
                ISOMsg m;
                try {
                    m = e.toMessage();
                    MessageView.of(m).stan();
                } catch (RuntimeException ex) {
                    throw new IllegalArgumentException(source + " line " + n + ": " + ex.getMessage(), ex);
                }
                if (MessageCatalogue.isResponseMti(m.getString(0))) {
                    throw new IllegalArgumentException(source + " line " + n + ": a REQUEST line carries the response MTI "
                            + m.getString(0));
                }
                pending.add(new Pending(out.size(), e.messageId(), e.terminalId(), e.stan(), responseMti(m)));
                out.add(new Recorded(out.size() + 1, "line " + n, e.ts(), e.messageId(), m, Outcome.NOT_RECORDED,
                        null, false, true));
                continue;
            }
            Outcome outcome = switch (e.event()) {
                case RESPONSE -> Outcome.ANSWERED;
                // the host's log: its answer, sent after a delay. The terminal's: an answer after it stopped waiting
                // (its request's TIMEOUT or other end is already logged), never the answer of a request still open
                case LATE_RESPONSE -> e.dir() == MessageLog.Direction.OUT ? Outcome.ANSWERED : null;
                case TIMEOUT -> Outcome.TIMEOUT;
                case GARBAGE -> Outcome.GARBAGE;
                case DISCONNECTED -> Outcome.DISCONNECTED;
                default -> null; // a duplicate answer says nothing new about its request
            };
            if (outcome == null) {
                continue;
            }
            for (int i = 0; i < pending.size(); i++) {
                Pending p = pending.get(i);
                if (Objects.equals(p.messageId, e.messageId()) && Objects.equals(p.stan, e.stan())
                        && Objects.equals(p.terminalId, e.terminalId())
                        && (e.mti() == null || e.mti().equals(p.responseMti))) {
                    Recorded r = out.get(p.index);
                    out.set(p.index, new Recorded(r.index(), r.where(), r.ts(), r.messageId(), r.request(), outcome,
                            outcome == Outcome.ANSWERED ? e.fields() : null, false, true));
                    pending.remove(i);
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no request to replay"
                    + (warnings.isEmpty() ? "" : " (" + String.join("; ", warnings) + ")"));
        }
        return new Recording(source, Kind.MESSAGE_LOG, out, List.copyOf(warnings));
    }

    private record Pending(int index, String messageId, String terminalId, String stan, String responseMti) {
    }

    private static String responseMti(ISOMsg request) {
        return MessageView.of(request).type().map(t -> t.spec().responseMti()).orElse(null);
    }

    // ------------------------------------------------------------------ jPOS XML log

    static Recording fromJposXml(String source, String text) {
        List<JposXmlLog.LoggedMessage> msgs;
        try {
            msgs = JposXmlLog.read(text);
        } catch (MessageFormatException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        List<Recorded> out = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        long first = Long.MIN_VALUE;
        for (int i = 0; i < msgs.size(); i++) {
            JposXmlLog.LoggedMessage lm = msgs.get(i);
            ISOMsg m = lm.message();
            String mti = m.getString(0);
            long ts = parseTime(lm.at(), i);
            if (!MessageCatalogue.isResponseMti(mti)) {
                pending.add(new Pending(out.size(), null, m.getString(41), m.getString(11), responseMti(m)));
                out.add(new Recorded(out.size() + 1, "isomsg " + (i + 1), ts, "xml-" + (i + 1), m, Outcome.TIMEOUT, null,
                        false, m.hasField(Field.PIN_BLOCK.number())));
                continue;
            }
            for (int k = 0; k < pending.size(); k++) {
                Pending p = pending.get(k);
                if (Objects.equals(p.stan, m.getString(11)) && Objects.equals(p.terminalId, m.getString(41))
                        && mti.equals(p.responseMti)) {
                    Recorded r = out.get(p.index);
                    out.set(p.index, new Recorded(r.index(), r.where(), r.ts(), r.messageId(), r.request(), Outcome.ANSWERED,
                            MessageLog.maskedFields(m), false, r.pinEntered()));
                    pending.remove(k);
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no request to replay");
        }
        return new Recording(source, Kind.JPOS_XML, out);
    }

    /** jPOS writes {@code at} as ISO local or offset time; anything else paces by position (1 s apart). */
    private static long parseTime(String at, int position) {
        if (at != null && !at.isBlank()) {
            try {
                return OffsetDateTime.parse(at).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return LocalDateTime.parse(at).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
                } catch (DateTimeParseException ignoredToo) {
                    // fall through: pace by position
                }
            }
        }
        return position * 1000L;
    }

    // ------------------------------------------------------------------ journal

    private static final Pattern SALE_ANSWER = Pattern.compile("^0210 answered (\\w{2})");
    private static final Pattern REVERSAL_SENT = ReversalLoop.REVERSAL_SENT;
    private static final Pattern REVERSAL_ANSWER = Pattern.compile("^(?:reversal try \\d+: )?0410 answered (\\w{2})");
    private static final DateTimeFormatter MMDDHHMMSS = DateTimeFormatter.ofPattern("MMddHHmmss");

    /**
     * A terminal journal: every sale attempt and every reversal transmission its audit trail records, with
     * the response code (the journal keeps no other response field) or "no answer".
     */
    public static Recording fromJournal(Path file, Clock clock) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no journal at " + file);
        }
        List<Recorded> out = new ArrayList<>();
        // read only, as tally report reads it: no lock to wait for, no data key (the replay takes the masked PAN)
        try (Journal j = Journal.openReadOnly(file, clock)) {
            // every attempt with its events as of one commit: serve may be writing meanwhile
            Map<Attempt, List<AttemptEvent>> wasSent = j.snapshot(() -> {
                Map<Attempt, List<AttemptEvent>> read = new LinkedHashMap<>();
                for (Attempt a : j.attempts(null)) {
                    if (a.transmissionTime() != null) { // else never sent
                        read.put(a, j.events(a.id()));
                    }
                }
                return read;
            });
            for (Map.Entry<Attempt, List<AttemptEvent>> attempt : wasSent.entrySet()) {
                Attempt a = attempt.getKey();
                // a refused request (LOCKED while the sale was out: SENT -> SENT) says nothing of this attempt's
                // messages; taken for the sale's end it made an approved sale a TIMEOUT
                List<AttemptEvent> events = attempt.getValue().stream().filter(e -> !e.isRefusal()).toList();
                long saleTs = a.sentAt() != null ? a.sentAt().toEpochMilli() : a.createdAt().toEpochMilli();
                String saleRc = null;
                boolean decided = false;
                for (AttemptEvent e : events) {
                    Matcher m = SALE_ANSWER.matcher(e.detail());
                    if (m.find()) {
                        saleRc = m.group(1);
                        decided = true;
                        break;
                    }
                    if (e.fromState() == dev.tally.terminal.journal.AttemptState.SENT) {
                        decided = true;
                        break;
                    }
                }
                out.add(journalRecord(out.size() + 1, "attempt " + a.id(), saleTs, a, sale(a), saleRc, decided));
                for (int i = 0; i < events.size(); i++) {
                    AttemptEvent e = events.get(i);
                    Matcher sent = REVERSAL_SENT.matcher(e.detail());
                    if (!sent.find() || !ReversalLoop.left(events, i)) {
                        continue; // not a transmission, or one whose write failed: nothing to replay
                    }
                    String rc = null;
                    boolean known = false;
                    for (int k = i + 1; k < events.size(); k++) {
                        String d = events.get(k).detail();
                        if (REVERSAL_SENT.matcher(d).find()) {
                            break;
                        }
                        Matcher ans = REVERSAL_ANSWER.matcher(d);
                        if (ans.find()) {
                            rc = ans.group(1);
                            known = true;
                            break;
                        }
                        if (d.startsWith("reversal try ")) {
                            known = true;
                            break;
                        }
                    }
                    ISOMsg rev = reversal(a, !sent.group(1).equals("0400"), Integer.parseInt(sent.group(2)), e.at());
                    out.add(journalRecord(out.size() + 1, "attempt " + a.id() + " reversal", e.at().toEpochMilli(), a, rev,
                            rc, known));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the journal " + file + " holds no sale that was sent");
        }
        out.sort(java.util.Comparator.comparingLong(Recorded::ts));
        List<Recorded> numbered = new ArrayList<>();
        for (Recorded r : out) {
            numbered.add(new Recorded(numbered.size() + 1, r.where(), r.ts(), r.messageId(), r.request(), r.outcome(),
                    r.response(), true, r.pinEntered()));
        }
        return new Recording(file.toString(), Kind.JOURNAL, numbered);
    }

    private static Recorded journalRecord(int index, String where, long ts, Attempt a, ISOMsg msg, String rc, boolean known) {
        Outcome o = !known ? Outcome.NOT_RECORDED : rc == null ? Outcome.TIMEOUT : Outcome.ANSWERED;
        Map<String, String> response = null;
        if (rc != null) {
            response = new LinkedHashMap<>();
            response.put(Field.RESPONSE_CODE.name(), rc);
        }
        return new Recorded(index, where, ts, "attempt-" + a.id(), msg, o, response, true, true);
    }

    private static ISOMsg base(String mti, Attempt a, int stan, String f7) {
        ISOMsg m = new WireMsg(); // the replay's WireMsg.copyOf clones it once
        m.setPackager(Iso87.packager());
        m.set(0, mti);
        m.set(Field.PAN.number(), a.maskedPan());
        m.set(Field.PROCESSING_CODE.number(), "000000");
        m.set(Field.AMOUNT.number(), String.format("%012d", a.amount()));
        m.set(Field.TRANSMISSION_DATE_TIME.number(), f7);
        m.set(Field.STAN.number(), String.format("%06d", stan));
        m.set(Field.LOCAL_TIME.number(), a.localTime());
        m.set(Field.LOCAL_DATE.number(), a.localDate());
        m.set(Field.POS_ENTRY_MODE.number(), "011");
        m.set(Field.POS_CONDITION_CODE.number(), "00");
        m.set(Field.TERMINAL_ID.number(), a.terminalId());
        m.set(Field.MERCHANT_ID.number(), a.merchantId());
        m.set(Field.CURRENCY.number(), a.currency());
        m.set(Field.ORDER_REFERENCE.number(), a.orderRef());
        return m;
    }

    private static ISOMsg sale(Attempt a) {
        return base(MessageType.SALE.spec().requestMti(), a, a.stan(), a.transmissionTime());
    }

    private static ISOMsg reversal(Attempt a, boolean repeat, int reversalStan, Instant at) {
        ISOMsg m = base((repeat ? MessageType.REVERSAL_REPEAT : MessageType.REVERSAL).spec().requestMti(), a, reversalStan,
                at.atZone(ZoneOffset.UTC).format(MMDDHHMMSS));
        m.set(Field.RESPONSE_CODE.number(), a.reversalReason() == null ? ReversalReason.OTHER.code() : a.reversalReason());
        m.set(Field.ORIGINAL_DATA_ELEMENTS.number(),
                new OriginalData(MessageType.SALE.spec().requestMti(), a.stan(), a.transmissionTime()).encode());
        return m;
    }
}
