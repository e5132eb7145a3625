package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamBufferTest {

    private static Segment seg(String captured, long byteCount, long ts, long seq) {
        byte[] b = captured.getBytes(StandardCharsets.ISO_8859_1);
        return new Segment(b, 0, b.length, byteCount, ts, seq, ts * 10);
    }

    @Test
    void contiguousBytesRunAcrossSegmentsUntilAHole() {
        StreamBuffer in = new StreamBuffer();
        in.append(seg("GET / HT", 8, 1, 100));
        in.append(seg("TP/1.1\r\n", 8, 2, 108));
        assertThat(in.contiguous()).isEqualTo(16);
        assertThat(in.latin1(0, 16)).isEqualTo("GET / HTTP/1.1\r\n");
        assertThat(in.indexOf((byte) '\n', 0, 16)).isEqualTo(15);

        in.append(seg("body", 10, 3, 116)); // 6 bytes not captured
        in.append(seg("next", 4, 4, 126));
        assertThat(in.contiguous()).isEqualTo(20);
        assertThat(in.available()).isEqualTo(30);
        in.skip(16);
        assertThat(in.utf8(0, 4)).isEqualTo("body");
        in.skip(4);
        assertThat(in.atHole()).isTrue();
        assertThat(in.contiguous()).isZero();
        in.skip(6);
        assertThat(in.atHole()).isFalse();
        assertThat(in.latin1(0, in.contiguous())).isEqualTo("next");
        assertThat(in.position()).isEqualTo(26);
    }

    @Test
    void skipBeyondWhatArrivedDropsTheBytesThatArriveLater() {
        StreamBuffer in = new StreamBuffer();
        in.append(seg("head", 4, 1, 0));
        in.skip(10);
        assertThat(in.available()).isZero();
        in.append(seg("abcdef", 6, 2, 4)); // positions 4..9 belong to the skipped body
        assertThat(in.available()).isZero();
        in.append(seg("XY", 2, 3, 10));
        assertThat(in.latin1(0, in.contiguous())).isEqualTo("XY");
        assertThat(in.position()).isEqualTo(10);
    }

    @Test
    void originsGiveTimeSequenceAndThreadOfEachPosition() {
        StreamBuffer in = new StreamBuffer();
        in.mark(0);
        in.append(seg("abc", 3, 5, 4_294_967_294L)); // sequence numbers wrap at 2^32
        in.append(seg("def", 3, 6, 1));
        in.skip(5);
        assertThat(in.origin(0)).isEqualTo(new StreamBuffer.Origin(5, 4_294_967_294L, 50));
        assertThat(in.origin(2)).isEqualTo(new StreamBuffer.Origin(5, 0, 50));
        assertThat(in.origin(4)).isEqualTo(new StreamBuffer.Origin(6, 2, 60));
        assertThat(in.origin()).isEqualTo(new StreamBuffer.Origin(6, 3, 60));
    }

    @Test
    void discardToNextSegmentResynchronisesAtABoundary() {
        StreamBuffer in = new StreamBuffer();
        in.append(seg("garbage", 7, 1, 0));
        in.append(seg("GOOD", 4, 2, 7));
        in.skip(2);
        assertThat(in.atSegmentStart()).isFalse();
        in.discardToNextSegment();
        assertThat(in.atSegmentStart()).isTrue();
        assertThat(in.latin1(0, in.contiguous())).isEqualTo("GOOD");
        in.discardToNextSegment();
        assertThat(in.available()).isZero();
    }

    @Test
    void consumedBytesAreCompactedAway() {
        StreamBuffer in = new StreamBuffer();
        byte[] chunk = new byte[1000];
        for (int i = 0; i < 10_000; i++) {
            in.append(new Segment(chunk, 0, chunk.length, chunk.length, i, Segment.NO_TCP_SEQ, 0));
            in.skip(999);
        }
        assertThat(in.buffered()).isEqualTo(10_000);
        assertThat(in.array().length).isLessThan(64 * 1024);
    }
}
