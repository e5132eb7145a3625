package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamBufferTimestampTest {

    @Test
    void timestampIsThatOfTheOrigin() {
        StreamBuffer in = new StreamBuffer();
        assertThat(in.timestampNs(0)).isEqualTo(in.origin(0).timestampNs());
        in.append(new Segment(new byte[] {1, 2}, 0, 2, 2, 10, Segment.NO_TCP_SEQ, 0));
        in.append(new Segment(new byte[] {3}, 0, 1, 5, 20, Segment.NO_TCP_SEQ, 0)); // 4 bytes not captured
        for (long p = 0; p < 8; p++) {
            assertThat(in.timestampNs(p)).as("position %d", p).isEqualTo(in.origin(p).timestampNs());
        }
        assertThat(in.timestampNs(1)).isEqualTo(10);
        assertThat(in.timestampNs(6)).isEqualTo(20);
    }

    @Test
    void endTimestampIsThatOfTheLastByteBeforeTheEndOrOfTheLastFed() {
        StreamBuffer in = new StreamBuffer();
        in.append(new Segment(new byte[] {1, 2}, 0, 2, 2, 10, Segment.NO_TCP_SEQ, 0));
        in.append(new Segment(new byte[] {3, 4}, 0, 2, 2, 20, Segment.NO_TCP_SEQ, 0));
        assertThat(in.endTimestampNs(2)).isEqualTo(10);
        assertThat(in.endTimestampNs(3)).isEqualTo(20);
        assertThat(in.endTimestampNs(100)).isEqualTo(20); // not all arrived: the last byte fed
        assertThat(in.endTimestampNs(0)).isEqualTo(10); // nothing before: the read position's
        in.skip(3);
        assertThat(in.endTimestampNs(2)).isEqualTo(20);
    }
}
