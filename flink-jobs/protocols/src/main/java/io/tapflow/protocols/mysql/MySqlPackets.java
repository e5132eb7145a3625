package io.tapflow.protocols.mysql;

import io.tapflow.protocols.sql.SqlWire;

/**
 * The MySQL packet layer shared by both directions: a 3-byte little-endian payload length and a 1-byte sequence id
 * before every payload; a payload of exactly {@link #MAX_PAYLOAD} bytes continues in the next packet. Also the
 * protocol's little-endian and length-encoded integers (the bounded SQL text is {@link SqlWire}'s).
 */
final class MySqlPackets {

    static final int HEADER = 4;
    /** A packet this long is followed by another one carrying the rest of the same payload. */
    static final int MAX_PAYLOAD = 0xFF_FFFF;
    /** Payload bytes a decoder looks at: enough for the command byte, a statement id and the kept SQL. */
    static final int PREFIX = 16 + 4 * SqlWire.MAX_SQL_CHARS;

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
}
