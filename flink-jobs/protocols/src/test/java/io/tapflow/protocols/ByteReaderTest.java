package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteReaderTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void readsBigEndianSignedAndUnsigned() {
        byte[] b = bytes(0xFF, 0xFF, 0xFE, 0x80, 0x00, 0x00, 0x01, 0x12);
        ByteReader r = new ByteReader(b, 0, b.length);
        assertThat(r.u8()).isEqualTo(0xFF);
        assertThat(r.i8()).isEqualTo(-1);
        r = new ByteReader(b, 0, b.length);
        assertThat(r.u16()).isEqualTo(0xFFFF);
        r = new ByteReader(b, 0, b.length);
        assertThat(r.i16()).isEqualTo(-1);
        assertThat(r.i32()).isEqualTo(0xFE80_0000);
        assertThat(r.remaining()).isEqualTo(2);
        assertThat(r.position()).isEqualTo(6);
        assertThat(r.ok()).isTrue();
        assertThat(ByteReader.u16(b, 2)).isEqualTo(0xFE80);
        assertThat(ByteReader.i16(b, 2)).isEqualTo((short) 0xFE80);
        assertThat(ByteReader.i32(b, 4)).isEqualTo(0x0000_0112);
        assertThat(ByteReader.u32(b, 0)).isEqualTo(0xFFFF_FE80L);
        assertThat(ByteReader.i32(b, 0)).isEqualTo(0xFFFF_FE80);
    }

    @Test
    void readingPastTheLimitFailsOnceAndForAll() {
        byte[] b = bytes(1, 2, 3, 4, 5);
        ByteReader r = new ByteReader(b, 1, 4); // 2, 3, 4
        assertThat(r.i32()).isZero();
        assertThat(r.ok()).isFalse();
        assertThat(r.position()).isEqualTo(1);
        // later reads fail too, even those that would fit
        assertThat(r.u8()).isZero();
        assertThat(r.utf8(1)).isNull();
        assertThat(r.bytes(1)).isNull();
    }

    @Test
    void skipsAndCopiesWithinTheLimit() {
        byte[] b = "xhello!".getBytes(StandardCharsets.UTF_8);
        ByteReader r = new ByteReader(b, 0, b.length);
        r.skip(1);
        assertThat(r.utf8(5)).isEqualTo("hello");
        assertThat(r.bytes(1)).containsExactly('!');
        assertThat(r.ok()).isTrue();
        r.skip(1);
        assertThat(r.ok()).isFalse();
        assertThat(new ByteReader(b, 0, b.length).utf8(-1)).isNull();
    }

    @Test
    void pushLimitBoundsANestedSection() {
        byte[] b = bytes(1, 2, 3, 4);
        ByteReader r = new ByteReader(b, 0, b.length);
        int outer = r.pushLimit(2);
        assertThat(r.remaining()).isEqualTo(2);
        assertThat(r.u16()).isEqualTo(0x0102);
        assertThat(r.remaining()).isZero();
        r.restoreLimit(outer);
        assertThat(r.u16()).isEqualTo(0x0304);
        assertThat(r.ok()).isTrue();

        ByteReader over = new ByteReader(b, 0, b.length);
        assertThat(over.pushLimit(5)).isEqualTo(4);
        assertThat(over.ok()).isFalse();
    }
}
