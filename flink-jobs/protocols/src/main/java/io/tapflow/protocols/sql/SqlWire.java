package io.tapflow.protocols.sql;

import io.tapflow.protocols.StreamBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the SQL protocols' decoders (MySQL, PostgreSQL) share beyond their framing: the bounded SQL text a message
 * keeps, NUL-terminated strings, how much of a packet to look at when its tail was not captured, and the TLS record
 * that follows an accepted SSL request.
 */
public final class SqlWire {

    /** SQL kept per message, in chars (the request log's request_resource limit). */
    public static final int MAX_SQL_CHARS = 256;

    private SqlWire() {
    }

    /** Index of the first NUL in {@code a[from, limit)}, or -1. */
    public static int nul(byte[] a, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (a[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * UTF-8 text of {@code a[from, from+len)}, cut to {@link #MAX_SQL_CHARS} chars (never between the two halves
     * of a surrogate pair); only the bytes that can make those chars are decoded.
     */
    public static String text(byte[] a, int from, int len) {
        int n = Math.max(0, Math.min(len, 4 * MAX_SQL_CHARS));
        String s = new String(a, from, n, StandardCharsets.UTF_8);
        if (s.length() > MAX_SQL_CHARS) {
            int cut = MAX_SQL_CHARS;
            if (Character.isHighSurrogate(s.charAt(cut - 1))) {
                cut--;
            }
            s = s.substring(0, cut);
        }
        return s;
    }

    /** The C string at {@code from} (up to its NUL or {@code limit}), cut as {@link #text}. */
    public static String cstring(byte[] a, int from, int limit) {
        int z = nul(a, from, limit);
        return text(a, from, (z < 0 ? limit : z) - from);
    }

    /**
     * How many bytes after a {@code header}-byte header at the read position can be looked at: {@code min(body,
     * want)} once they arrived, fewer when the rest was not captured, -1 while they may still arrive.
     */
    public static int captured(StreamBuffer in, int header, long body, int want) {
        int need = (int) Math.min(body, want);
        int have = in.contiguous() - header;
        if (have >= need) {
            return need;
        }
        return in.contiguous() < in.available() ? Math.max(0, have) : -1;
    }

    /** True when some bytes of the {@code total}-byte unit at the read position were not captured. */
    public static boolean holeWithin(StreamBuffer in, long total) {
        int c = in.contiguous();
        return c < total && c < in.available();
    }

    /** True when the bytes at {@code s} start a TLS handshake record (what follows an accepted SSL request). */
    public static boolean tlsRecord(byte[] a, int s, int available) {
        return available >= 3 && a[s] == 0x16 && a[s + 1] == 0x03 && (a[s + 2] & 0xFF) <= 0x04;
    }
}
