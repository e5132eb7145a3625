package io.tapflow.protocols;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounded big-endian cursor over a range of captured bytes, the common ground of the binary protocols' readers
 * (Kafka, MQTT). Reading past the limit — the end of the unit or of what was captured — never throws: it clears
 * {@link #ok()} and returns zero or null, and every later read fails too, so a caller reads a whole structure and
 * checks once. Protocol encodings (varints, length-prefixed strings) live in the protocol's subclass.
 *
 * <p>The static readers are for decoders that index the buffer directly and checked the bounds themselves.
 */
public class ByteReader {

    private final byte[] buf;
    private int pos;
    private int limit;
    private boolean ok = true;

    /** Reads {@code buf[pos, limit)}. */
    public ByteReader(byte[] buf, int pos, int limit) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    /** False once a read went past the limit. */
    public final boolean ok() {
        return ok;
    }

    /** Marks the structure being read as unreadable (a value out of range). */
    protected final void fail() {
        ok = false;
    }

    /** Index in the array of the next byte. */
    public final int position() {
        return pos;
    }

    /** Bytes left before the limit. */
    public final int remaining() {
        return Math.max(0, limit - pos);
    }

    /**
     * Narrows the limit to the next {@code length} bytes (a nested section) and returns the old one for
     * {@link #restoreLimit}; fails when the section overruns the current limit.
     */
    public final int pushLimit(long length) {
        int old = limit;
        if (length < 0 || length > limit - pos) {
            ok = false;
            return old;
        }
        limit = pos + (int) length;
        return old;
    }

    /** Restores the limit {@link #pushLimit} returned. */
    public final void restoreLimit(int oldLimit) {
        limit = oldLimit;
    }

    /** True when {@code n} more bytes can be read; otherwise fails. */
    protected final boolean has(long n) {
        if (ok && n >= 0 && limit - pos >= n) {
            return true;
        }
        ok = false;
        return false;
    }

    public final int u8() {
        return has(1) ? buf[pos++] & 0xFF : 0;
    }

    public final int i8() {
        return has(1) ? buf[pos++] : 0;
    }

    public final int u16() {
        if (!has(2)) {
            return 0;
        }
        int v = u16(buf, pos);
        pos += 2;
        return v;
    }

    public final int i16() {
        return (short) u16();
    }

    public final int i32() {
        if (!has(4)) {
            return 0;
        }
        int v = i32(buf, pos);
        pos += 4;
        return v;
    }

    public final void skip(long n) {
        if (has(n)) {
            pos += (int) n;
        }
    }

    /** A copy of the next {@code n} bytes, or null. */
    public final byte[] bytes(int n) {
        if (!has(n)) {
            return null;
        }
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    /** The next {@code len} bytes as UTF-8 text, or null. */
    public final String utf8(long len) {
        if (!has(len)) {
            return null;
        }
        String s = new String(buf, pos, (int) len, StandardCharsets.UTF_8);
        pos += (int) len;
        return s;
    }

    /** Unsigned big-endian 16-bit value at {@code a[i]}. */
    public static int u16(byte[] a, int i) {
        return (a[i] & 0xFF) << 8 | (a[i + 1] & 0xFF);
    }

    /** Signed big-endian 16-bit value at {@code a[i]}. */
    public static int i16(byte[] a, int i) {
        return (short) u16(a, i);
    }

    /** Big-endian 32-bit value at {@code a[i]} (signed, as Java reads it). */
    public static int i32(byte[] a, int i) {
        return (a[i] & 0xFF) << 24 | (a[i + 1] & 0xFF) << 16 | (a[i + 2] & 0xFF) << 8 | (a[i + 3] & 0xFF);
    }

    /** Unsigned big-endian 32-bit value at {@code a[i]}. */
    public static long u32(byte[] a, int i) {
        return i32(a, i) & 0xFFFF_FFFFL;
    }
}
