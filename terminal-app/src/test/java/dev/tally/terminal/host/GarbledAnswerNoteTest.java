package dev.tally.terminal.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.spec.format.Iso87;
import dev.tally.spec.format.WireMsg;
import dev.tally.spec.message.MessageBuilder;
import dev.tally.spec.message.MessageType;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/** The note of an answer that unpacked but could not be matched to its request says what is wrong with it. */
class GarbledAnswerNoteTest {

    @Test
    void anAnswerThatUnpackedIsNotSaidNotToUnpack() {
        ISOMsg answer = MessageBuilder.responseTo(MessageBuilder.request(MessageType.ECHO).stan(987_654)
                .transmissionDateTime("0101000000").terminalId("TALLY001").build()).responseCode("00").build();
        byte[] body = Iso87.pack(answer);
        WireMsg received = WireMsg.copyOf(answer);
        received.setPackager(Iso87.packager());
        received.remember(body);
        assertEquals(GarbledAnswer.PREFIX + body.length + " bytes after the TPDU, MTI 0810: it unpacks, but its terminal"
                + " id, STAN or MTI cannot be read; " + GarbledAnswer.ONE_LINK,
                GarbledAnswer.unmatchable(received, GarbledAnswer.ONE_LINK));
    }
}
