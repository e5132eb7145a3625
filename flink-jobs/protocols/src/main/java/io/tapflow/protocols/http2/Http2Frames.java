package io.tapflow.protocols.http2;

/** Frame types, flags and error codes of HTTP/2 (RFC 9113 §6, §7). */
final class Http2Frames {

    static final int HEADER_LENGTH = 9;

    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int PRIORITY = 0x2;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PUSH_PROMISE = 0x5;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;

    static final int FLAG_END_STREAM = 0x1;
    static final int FLAG_ACK = 0x1;
    static final int FLAG_END_HEADERS = 0x4;
    static final int FLAG_PADDED = 0x8;
    static final int FLAG_PRIORITY = 0x20;

    static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;

    /** The client connection preface (RFC 9113 §3.4). */
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Http2Frames() {
    }

    static int length(byte[] a, int i) {
        return (a[i] & 0xFF) << 16 | (a[i + 1] & 0xFF) << 8 | (a[i + 2] & 0xFF);
    }

    /** 31-bit stream id (the reserved bit masked off). */
    static int streamId(byte[] a, int i) {
        return (a[i] & 0x7F) << 24 | (a[i + 1] & 0xFF) << 16 | (a[i + 2] & 0xFF) << 8 | (a[i + 3] & 0xFF);
    }

    /**
     * Whether a 9-byte frame header is plausible for a known frame type: reserved bit clear, connection-level
     * types on stream 0 and stream-level types elsewhere, fixed-size frames of their size. Used by detection and
     * to re-acquire frame sync after a hole; {@code maxLength} bounds the declared length.
     */
    static boolean plausible(byte[] a, int i, int maxLength) {
        int len = length(a, i);
        int type = a[i + 3] & 0xFF;
        boolean reserved = (a[i + 5] & 0x80) != 0;
        int sid = streamId(a, i + 5);
        if (reserved || len > maxLength || type > CONTINUATION) {
            return false;
        }
        return switch (type) {
            case SETTINGS -> sid == 0 && len % 6 == 0 && ((a[i + 4] & FLAG_ACK) == 0 || len == 0);
            case PING -> sid == 0 && len == 8;
            case GOAWAY -> sid == 0 && len >= 8;
            case WINDOW_UPDATE -> len == 4;
            case RST_STREAM -> sid != 0 && len == 4;
            case PRIORITY -> sid != 0 && len == 5;
            default -> sid != 0;
        };
    }

    /** An HTTP/2 error code (RST_STREAM, GOAWAY) by its RFC 9113 name. */
    static String errorName(long code) {
        return switch ((int) code) {
            case 0x0 -> "NO_ERROR";
            case 0x1 -> "PROTOCOL_ERROR";
            case 0x2 -> "INTERNAL_ERROR";
            case 0x3 -> "FLOW_CONTROL_ERROR";
            case 0x4 -> "SETTINGS_TIMEOUT";
            case 0x5 -> "STREAM_CLOSED";
            case 0x6 -> "FRAME_SIZE_ERROR";
            case 0x7 -> "REFUSED_STREAM";
            case 0x8 -> "CANCEL";
            case 0x9 -> "COMPRESSION_ERROR";
            case 0xa -> "CONNECT_ERROR";
            case 0xb -> "ENHANCE_YOUR_CALM";
            case 0xc -> "INADEQUATE_SECURITY";
            case 0xd -> "HTTP_1_1_REQUIRED";
            default -> "0x" + Long.toHexString(code);
        };
    }
}
