package dev.tally.spec.bench;

import dev.tally.spec.format.DecodedMessage;
import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.MessageDecoder;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.Locale;
import org.jpos.iso.ISOMsg;

/**
 * {@code scripts/bench} section 5: how many messages per second the support decoder turns from hex into a
 * described, masked message ({@link MessageDecoder#decodeHex}, what {@code tally decode} runs per message).
 * 1,000 distinct sales (STAN and amount vary), decoded round-robin; a warm-up, then timed rounds; prints
 * {@code decode MSGS_PER_S} (the median round). Usage: {@code DecodeThroughput [SECONDS_PER_ROUND] [ROUNDS]}.
 */
public final class DecodeThroughput {

    private DecodeThroughput() {
    }

    public static void main(String[] args) {
        double roundSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String[] hex = new String[1000];
        for (int i = 0; i < hex.length; i++) {
            ISOMsg m = MessageBuilder.request(MessageType.SALE).pan("4761739001010119").amount(100 + i)
                    .transmissionDateTime("1122104107").stan(i + 1).localTime("104107").localDate("1122")
                    .expiry(YearMonth.of(2030, 12)).posEntryMode("011").posConditionCode("00").terminalId("TALLY001")
                    .merchantId("HOSPITAL0000001").currency("840").orderReference("INV-" + i)
                    .pinBlock(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}).build();
            m.set(64, new byte[]{8, 7, 6, 5, 4, 3, 2, 1});
            hex[i] = HexFormat.of().formatHex(Iso87.pack(m));
        }
        long sink = 0;
        long warmUntil = System.nanoTime() + (long) (roundSeconds * 1e9);
        for (int i = 0; System.nanoTime() < warmUntil; i++) {
            sink += describe(MessageDecoder.decodeHex(hex[i % hex.length]));
        }
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            long end = start + (long) (roundSeconds * 1e9);
            long n = 0;
            while (System.nanoTime() < end) {
                for (int k = 0; k < 100; k++, n++) {
                    sink += describe(MessageDecoder.decodeHex(hex[(int) (n % hex.length)]));
                }
            }
            rates[r] = n / ((System.nanoTime() - start) / 1e9);
        }
        java.util.Arrays.sort(rates);
        System.out.printf(Locale.ROOT, "decode %.0f%n", rates[rounds / 2]);
        if (sink == 42) {
            System.out.println();
        }
    }

    private static long describe(DecodedMessage d) {
        return d.render().length();
    }
}
