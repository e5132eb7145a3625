package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.L7Protocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeclaredBodyTest {

    private static Segment seg(String captured, long byteCount, long ts) {
        byte[] b = captured.getBytes(StandardCharsets.ISO_8859_1);
        return new Segment(b, 0, b.length, byteCount, ts, Segment.NO_TCP_SEQ, 0);
    }

    @Test
    void bodySplitOverCallsEndsAtTheCallCarryingItsLastByte() {
        StreamBuffer in = new StreamBuffer();
        DeclaredBody body = new DeclaredBody();
        in.append(seg("abc", 3, 1));
        body.begin(7);
        assertThat(body.consume(in)).isFalse();
        assertThat(body.remaining()).isEqualTo(4);
        assertThat(body.active()).isTrue();
        assertThat(body.endTimestampNs()).isZero();
        in.append(seg("defgXY", 6, 2));
        assertThat(body.consume(in)).isTrue();
        assertThat(body.active()).isFalse();
        assertThat(body.uncaptured()).isFalse();
        assertThat(body.endTimestampNs()).isEqualTo(2);
        // what follows the body is left for the next unit
        assertThat(in.latin1(0, in.contiguous())).isEqualTo("XY");
    }

    @Test
    void uncapturedBytesAreSkippedAndNoted() {
        StreamBuffer in = new StreamBuffer();
        DeclaredBody body = new DeclaredBody();
        in.append(seg("ab", 10, 1)); // 8 bytes moved but not captured
        in.append(seg("cd", 2, 3));
        body.begin(11);
        assertThat(body.consume(in)).isTrue();
        assertThat(body.uncaptured()).isTrue();
        assertThat(body.endTimestampNs()).isEqualTo(3);
        assertThat(in.latin1(0, in.contiguous())).isEqualTo("d");
    }

    @Test
    void beginAndClearForgetThePreviousBody() {
        StreamBuffer in = new StreamBuffer();
        DeclaredBody body = new DeclaredBody();
        in.append(seg("a", 5, 1));
        body.begin(5);
        assertThat(body.consume(in)).isTrue();
        assertThat(body.uncaptured()).isTrue();
        body.begin(2);
        assertThat(body.uncaptured()).isFalse();
        assertThat(body.endTimestampNs()).isZero();
        body.clear();
        assertThat(body.active()).isFalse();
        assertThat(body.remaining()).isZero();
    }

    @Test
    void consumingTakesNoMoreThanArrived() {
        StreamBuffer in = new StreamBuffer();
        DeclaredBody body = new DeclaredBody();
        in.append(seg("abcd", 4, 1));
        body.begin(100);
        assertThat(body.consume(in)).isFalse();
        assertThat(in.available()).isZero();
        assertThat(in.position()).isEqualTo(4);
        assertThat(body.uncaptured()).isFalse();
    }

    @Test
    void theMessageIsEmittedOnceAtTheEndOfItsBody() {
        StreamBuffer in = new StreamBuffer();
        DeclaredBody body = new DeclaredBody();
        List<L7Message> messages = new ArrayList<>();
        MessageSink out = messages::add;
        in.append(seg("ab", 4, 1)); // 2 bytes not captured
        body.begin(6, L7Message.builder(L7Protocol.KAFKA, MessageKind.REQUEST));
        assertThat(body.consume(in, out)).isFalse();
        assertThat(messages).isEmpty();
        in.append(seg("cd", 2, 7));
        assertThat(body.consume(in, out)).isTrue();
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).truncated()).isTrue();
        assertThat(messages.get(0).endTimestampNs()).isEqualTo(7);
        // a body without a message (its header was not captured) is skipped silently
        in.append(seg("ef", 2, 8));
        body.begin(2, null);
        assertThat(body.consume(in, out)).isTrue();
        assertThat(messages).hasSize(1);
    }
}
