package io.tapflow.protocols.mysql;

import io.tapflow.protocols.StreamBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The MySQL packet layer shared by both directions: a 3-byte little-endian payload length and a 1-byte sequence id
 * before every payload; a payload of exactly {@link #MAX_PAYLOAD} bytes continues in the next packet. Also the
 * protocol's integer encodings and the bounded SQL text every message keeps.
 */
final class MySqlPackets {

    static final int HEADER = 4;
    /** A packet this long is followed by another one carrying the rest of the same payload. */
    static final int MAX_PAYLOAD = 0xFF_FFFF;
    /** SQL kept per message, in chars (the request log's request_resource limit). */
    static final int MAX_SQL_CHARS = 256;
    /** Payload bytes a decoder looks at: enough for the command byte, a statement id and the kept SQL. */
    static final int PREFIX = 16 + 4 * MAX_SQL_CHARS;

    static final int CLIENT_CONNECT_WITH_DB = 0x0000_0008;
    static final int CLIENT_PROTOCOL_41 = 0x0000_0200;
    static final int CLIENT_SSL = 0x0000_0800;
    static final int CLIENT_SECURE_CONNECTION = 0x0000_8000;
    static final int CLIENT_PLUGIN_AUTH = 0x0008_0000;
    static final int CLIENT_PLUGIN_AUTH_LENENC_DATA = 0x0020_0000;
    static final int CLIENT_QUERY_ATTRIBUTES = 0x0800_0000;
    static final int SERVER_MORE_RESULTS_EXISTS = 0x0008;

    private MySqlPackets() {
    }

    static int payloadLength(byte[] a, int s) {
        return (a[s] & 0xFF) | (a[s + 1] & 0xFF) << 8 | (a[s + 2] & 0xFF) << 16;
    }

    static int sequence(byte[] a, int s) {
        return a[s + 3] & 0xFF;
    }

    static int u16(byte[] a, int i) {
        return (a[i] & 0xFF) | (a[i + 1] & 0xFF) << 8;
    }

    static long u32(byte[] a, int i) {
        return (u16(a, i) | (long) u16(a, i + 2) << 16) & 0xFFFF_FFFFL;
    }

    /** Bytes of the length-encoded integer whose first byte is {@code first}; -1 for NULL (0xfb) and 0xff. */
    static int lenencWidth(int first) {
        if (first < 0xFB) {
            return 1;
        }
        return switch (first) {
            case 0xFC -> 3;
            case 0xFD -> 4;
            case 0xFE -> 9;
            default -> -1;
        };
    }

    /** The length-encoded integer at {@code i}; the caller checked that {@link #lenencWidth} bytes are there. */
    static long lenenc(byte[] a, int i) {
        int first = a[i] & 0xFF;
        return switch (lenencWidth(first)) {
            case 1 -> first;
            case 3 -> u16(a, i + 1);
            case 4 -> u16(a, i + 1) | (long) (a[i + 3] & 0xFF) << 16;
            case 9 -> u32(a, i + 1) | u32(a, i + 5) << 32;
            default -> -1;
        };
    }

    /** Index of the first NUL in {@code a[from, limit)}, or -1. */
    static int nul(byte[] a, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (a[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** UTF-8 text of {@code a[from, from+len)}, cut to {@link #MAX_SQL_CHARS} chars. */
    static String text(byte[] a, int from, int len) {
        int n = Math.min(len, 4 * MAX_SQL_CHARS);
        String s = new String(a, from, Math.max(0, n), StandardCharsets.UTF_8);
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
     * How many payload bytes of the packet at the read position can be looked at: {@code min(len, want)} once they
     * arrived, fewer when the rest was not captured, -1 while they may still arrive.
     */
    static int captured(StreamBuffer in, int len, int want) {
        int need = Math.min(len, want);
        int have = in.contiguous() - HEADER;
        if (have >= need) {
            return need;
        }
        return in.contiguous() < in.available() ? have : -1;
    }

    /** True when some bytes of the packet at the read position (payload {@code len}) were not captured. */
    static boolean holeWithin(StreamBuffer in, int len) {
        int c = in.contiguous();
        return c < HEADER + len && c < in.available();
    }

    /** True when the bytes at {@code s} start a TLS handshake record (what follows an SSL request). */
    static boolean tlsRecord(byte[] a, int s, int available) {
        return available >= 3 && a[s] == 0x16 && a[s + 1] == 0x03 && (a[s + 2] & 0xFF) <= 0x04;
    }
}
