package dev.tally.spec.bench;

import dev.tally.spec.format.Iso87;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import dev.tally.spec.message.MessageView;
import java.io.InputStream;
import java.time.YearMonth;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.GenericPackager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pack + unpack of the same sale: bare jPOS (GenericPackager from jPOS's own iso87binary.xml, fields
 * set by number) beside Tally's layer (the project's packager copy; {@link Iso87#pack} and the strict
 * {@link Iso87#unpack} that names offsets and checks BCD digits, then a typed read). Run by
 * {@code scripts/bench}; never by the tests.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    private GenericPackager barePackager;
    private ISOMsg bareSale;
    private ISOMsg tallySale;
    private byte[] bareBytes;
    private byte[] tallyBytes;

    @Setup
    public void setUp() throws Exception {
        try (InputStream in = GenericPackager.class.getResourceAsStream("/packager/iso87binary.xml")) {
            barePackager = new GenericPackager(in);
        }
        bareSale = new ISOMsg("0200");
        bareSale.setPackager(barePackager);
        bareSale.set(2, "4761739001010119");
        bareSale.set(3, "000000");
        bareSale.set(4, "000000001234");
        bareSale.set(7, "1122104107");
        bareSale.set(11, "000123");
        bareSale.set(12, "104107");
        bareSale.set(13, "1122");
        bareSale.set(14, "3012");
        bareSale.set(22, "011");
        bareSale.set(25, "00");
        bareSale.set(41, "TALLY001");
        bareSale.set(42, "HOSPITAL0000001");
        bareSale.set(49, "840");
        bareSale.set(52, new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        bareSale.set(62, "INV-2026-0001");
        bareSale.set(64, new byte[]{8, 7, 6, 5, 4, 3, 2, 1});
        bareBytes = bareSale.pack();

        tallySale = MessageBuilder.request(MessageType.SALE).pan("4761739001010119").amount(1234)
                .transmissionDateTime("1122104107").stan(123).localTime("104107").localDate("1122")
                .expiry(YearMonth.of(2030, 12)).posEntryMode("011").posConditionCode("00").terminalId("TALLY001")
                .merchantId("HOSPITAL0000001").currency("840").orderReference("INV-2026-0001")
                .pinBlock(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}).build();
        tallySale.set(64, new byte[]{8, 7, 6, 5, 4, 3, 2, 1});
        tallyBytes = Iso87.pack(tallySale);
        if (!java.util.Arrays.equals(bareBytes, tallyBytes)) {
            throw new IllegalStateException("the two sides must pack the same message to the same bytes");
        }
    }

    @Benchmark
    public long bareJposPackUnpack() throws ISOException {
        byte[] b = bareSale.pack();
        ISOMsg m = new ISOMsg();
        m.setPackager(barePackager);
        m.unpack(b);
        return b.length + Long.parseLong(m.getString(4));
    }

    @Benchmark
    public long tallyPackUnpack() {
        byte[] b = Iso87.pack(tallySale);
        MessageView v = MessageView.of(Iso87.unpack(b));
        return b.length + v.amount();
    }
}
