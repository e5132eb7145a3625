package io.tapflow.protocols.postgresql;

import io.tapflow.protocols.StreamBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The message layer of the PostgreSQL v3 protocol shared by both directions: a type byte and a 4-byte big-endian
 * length that counts itself but not the type byte (the startup-phase messages have no type byte), C strings, and
 * the bounded SQL text every message keeps.
 */
final class PostgresMessages {

    /** Type byte + length. */
    static final int HEADER = 5;
    static final int PROTOCOL_3_0 = 196_608;
    static final int SSL_REQUEST = 80_877_103;
    static final int GSSENC_REQUEST = 80_877_104;
    static final int CANCEL_REQUEST = 80_877_102;
    /** SQL kept per message, in chars (the request log's request_resource limit). */
    static final int MAX_SQL_CHARS = 256;
    /** Body bytes a decoder looks at: statement and portal names plus the kept SQL. */
    static final int PREFIX = 256 + 4 * MAX_SQL_CHARS;

    private PostgresMessages() {
    }

    /** Index of the NUL ending the C string at {@code from}, or -1 when it is not within {@code limit}. */
    static int nul(byte[] a, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (a[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The C string at {@code from} (up to its NUL or {@code limit}), cut to {@link #MAX_SQL_CHARS} chars. */
    static String cstring(byte[] a, int from, int limit) {
        int z = nul(a, from, limit);
        return text(a, from, (z < 0 ? limit : z) - from);
    }

    static String text(byte[] a, int from, int len) {
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

    /**
     * How many bytes after a {@code header}-byte header can be looked at: {@code min(body, want)} once they
     * arrived, fewer when the rest was not captured, -1 while they may still arrive.
     */
    static int captured(StreamBuffer in, int header, long body, int want) {
        int need = (int) Math.min(body, want);
        int have = in.contiguous() - header;
        if (have >= need) {
            return need;
        }
        return in.contiguous() < in.available() ? Math.max(0, have) : -1;
    }

    /** True when some bytes of the {@code total}-byte message at the read position were not captured. */
    static boolean holeWithin(StreamBuffer in, long total) {
        int c = in.contiguous();
        return c < total && c < in.available();
    }

    /** True when the bytes at {@code s} start a TLS handshake record (what follows an accepted SSLRequest). */
    static boolean tlsRecord(byte[] a, int s, int available) {
        return available >= 3 && a[s] == 0x16 && a[s + 1] == 0x03 && (a[s + 2] & 0xFF) <= 0x04;
    }
}
