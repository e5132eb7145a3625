package io.tapflow.flink.sink.clickhouse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON line written straight into a reusable byte array, with the escaping Jackson's default generator applies
 * (same bytes for every valid string: {@code JsonLineTest} compares them). A Jackson generator per row — its
 * buffer recyclers, its checks of the nesting context, and an output stream copied out at the end — was most of
 * the cost of a ClickHouse row, and the rows were the largest single item of the flow reassembler's thread.
 */
final class JsonLine {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final int CHUNK = 1024;
    /** A buffer grown beyond this for one huge row is not kept for the next. */
    private static final int MAX_KEPT = 1 << 16;
    /** For ASCII: 0 written as is, -1 as a backslash-u escape, else the character after the backslash. */
    private static final int[] ESCAPES = new int[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = -1;
        }
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\f'] = 'f';
        ESCAPES['\n'] = 'n';
        ESCAPES['\r'] = 'r';
    }

    private byte[] buf = new byte[1024];
    private int len;

    void reset() {
        len = 0;
        if (buf.length > MAX_KEPT) {
            buf = new byte[1024];
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    void raw(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    void writeNull() {
        raw(NULL);
    }

    void number(long v) {
        if (v == Long.MIN_VALUE) {
            ascii(Long.toString(v));
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        int at = len + digits;
        len = at;
        do {
            buf[--at] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
    }

    /** Like Jackson: NaN and the infinities as strings ("NaN"), JSON has no literal for them. */
    void number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            string(Double.toString(v));
        } else {
            ascii(Double.toString(v));
        }
    }

    void number(float v) {
        if (Float.isNaN(v) || Float.isInfinite(v)) {
            string(Float.toString(v));
        } else {
            ascii(Float.toString(v));
        }
    }

    /** A JSON string: quoted, escaped, UTF-8 but for surrogates, which are escaped. */
    void string(CharSequence s) {
        int n = s.length();
        raw((byte) '"');
        byte[] b = buf;
        int at = len;
        int room = 0;
        for (int i = 0; i < n; i++) {
            if (room == 0) {
                // room for a chunk's worst case (every char a 6-byte escape), not the whole string's at once: a
                // dead letter's hex original is megabytes
                len = at;
                room = Math.min(n - i, CHUNK);
                ensure(6 * room + 1);
                b = buf;
            }
            room--;
            char c = s.charAt(i);
            if (c < 0x80) {
                int escape = ESCAPES[c];
                if (escape == 0) {
                    b[at++] = (byte) c;
                } else if (escape > 0) {
                    b[at++] = '\\';
                    b[at++] = (byte) escape;
                } else {
                    b[at++] = '\\';
                    b[at++] = 'u';
                    b[at++] = '0';
                    b[at++] = '0';
                    b[at++] = HEX[c >> 4];
                    b[at++] = HEX[c & 0xF];
                }
            } else if (c < 0x800) {
                b[at++] = (byte) (0xC0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                // as Jackson does: each half of a pair (or a lone half) escaped, not combined into 4-byte UTF-8
                b[at++] = '\\';
                b[at++] = 'u';
                b[at++] = HEX[c >> 12];
                b[at++] = HEX[(c >> 8) & 0xF];
                b[at++] = HEX[(c >> 4) & 0xF];
                b[at++] = HEX[c & 0xF];
            } else {
                b[at++] = (byte) (0xE0 | (c >> 12));
                b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        len = at;
        raw((byte) '"');
    }

    /** Characters known to be plain ASCII (numbers as Java prints them). */
    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
