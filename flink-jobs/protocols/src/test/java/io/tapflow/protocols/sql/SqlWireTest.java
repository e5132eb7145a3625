package io.tapflow.protocols.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.Segment;
import io.tapflow.protocols.StreamBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SqlWireTest {

    @Test
    void textIsCutToTheKeptCharsWithoutSplittingASurrogatePair() {
        byte[] ascii = "x".repeat(300).getBytes(StandardCharsets.UTF_8);
        assertThat(SqlWire.text(ascii, 0, ascii.length)).hasSize(SqlWire.MAX_SQL_CHARS);
        String emoji = "y".repeat(SqlWire.MAX_SQL_CHARS - 1) + "\uD83D\uDE00";
        byte[] b = emoji.getBytes(StandardCharsets.UTF_8);
        assertThat(SqlWire.text(b, 0, b.length)).isEqualTo("y".repeat(SqlWire.MAX_SQL_CHARS - 1));
        assertThat(SqlWire.text(b, 0, -3)).isEmpty();
    }

    @Test
    void cStringsEndAtTheirNulOrTheLimit() {
        byte[] b = "ab\0cd".getBytes(StandardCharsets.US_ASCII);
        assertThat(SqlWire.nul(b, 0, b.length)).isEqualTo(2);
        assertThat(SqlWire.nul(b, 3, b.length)).isEqualTo(-1);
        assertThat(SqlWire.cstring(b, 0, b.length)).isEqualTo("ab");
        assertThat(SqlWire.cstring(b, 3, b.length)).isEqualTo("cd");
    }

    @Test
    void capturedWaitsUnlessAHoleSaysTheBytesWillNotCome() {
        StreamBuffer in = new StreamBuffer();
        byte[] b = new byte[10];
        in.append(new Segment(b, 0, 10, 10, 1, Segment.NO_TCP_SEQ, 0));
        assertThat(SqlWire.captured(in, 4, 100, 20)).isEqualTo(-1); // may still arrive
        assertThat(SqlWire.captured(in, 4, 100, 6)).isEqualTo(6);
        assertThat(SqlWire.holeWithin(in, 104)).isFalse();
        in.append(new Segment(b, 0, 2, 50, 2, Segment.NO_TCP_SEQ, 0)); // 48 bytes not captured
        assertThat(SqlWire.captured(in, 4, 100, 20)).isEqualTo(8);
        assertThat(SqlWire.holeWithin(in, 104)).isTrue();
        assertThat(SqlWire.holeWithin(in, 12)).isFalse();
    }

    @Test
    void tlsHandshakeRecord() {
        assertThat(SqlWire.tlsRecord(new byte[] {0x16, 0x03, 0x01}, 0, 3)).isTrue();
        assertThat(SqlWire.tlsRecord(new byte[] {0x16, 0x03, 0x05}, 0, 3)).isFalse();
        assertThat(SqlWire.tlsRecord(new byte[] {0x16, 0x03}, 0, 2)).isFalse();
    }
}
