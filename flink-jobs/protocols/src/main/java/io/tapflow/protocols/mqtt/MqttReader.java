package io.tapflow.protocols.mqtt;

import java.nio.charset.StandardCharsets;

/**
 * A bounded cursor over the captured bytes of one MQTT packet. Reading past the limit never throws: it clears
 * {@link #ok} and returns zeros or null, so callers read a whole structure and check once.
 */
final class MqttReader {

    private final byte[] buf;
    private int pos;
    private int limit;
    boolean ok = true;

    MqttReader(byte[] buf, int pos, int limit) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return Math.max(0, limit - pos);
    }

    /** Narrows the limit (a property section) and returns the old one for {@link #restoreLimit}. */
    int pushLimit(long length) {
        int old = limit;
        if (length < 0 || length > limit - pos) {
            ok = false;
            return old;
        }
        limit = pos + (int) length;
        return old;
    }

    void restoreLimit(int oldLimit) {
        limit = oldLimit;
    }

    private boolean has(long n) {
        if (ok && n >= 0 && limit - pos >= n) {
            return true;
        }
        ok = false;
        return false;
    }

    int u8() {
        return has(1) ? buf[pos++] & 0xFF : 0;
    }

    int u16() {
        if (!has(2)) {
            return 0;
        }
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    /** Variable byte integer (remaining length, property lengths), at most 4 bytes. */
    int varint() {
        int v = 0;
        for (int shift = 0; shift <= 21; shift += 7) {
            int b = u8();
            if (!ok) {
                return 0;
            }
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        ok = false;
        return 0;
    }

    void skip(long n) {
        if (has(n)) {
            pos += (int) n;
        }
    }

    /** UTF-8 encoded string: u16 length + bytes. */
    String string() {
        int len = u16();
        if (!has(len)) {
            return null;
        }
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** Binary data or a string not kept: u16 length + bytes. */
    void skipString() {
        skip(u16());
    }
}
