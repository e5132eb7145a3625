package io.tapflow.protocols.redis;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;
import java.util.Objects;

/**
 * Redis, RESP2 and RESP3 (see {@link RedisDecoder} for what a message carries and how pairing works, and
 * {@link RedisCommands} for request_type, request_resource and the error → status mapping).
 *
 * <p>Detection: a client's RESP array of bulk strings ({@code *<n>\r\n$}) is only Redis: {@link #HIGH}; a bare
 * {@code *<n>\r\n} at the end of the captured bytes {@link #MEDIUM}. Server replies are short typed lines
 * ({@code +OK\r\n}, {@code :1\r\n}, {@code $5\r\n}, {@code -ERR …}): {@link #MEDIUM}, {@link #HIGH} for an array
 * of bulk strings. Inline (telnet-style) commands are decoded but not detected: plain words are not Redis enough.
 */
public final class RedisParser implements ProtocolParser {

    private final ParserOptions options;

    public RedisParser(ParserOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public L7Protocol protocol() {
        return L7Protocol.REDIS;
    }

    @Override
    public int matches(byte[] payload, int offset, int length, FlowDirection direction) {
        if (length < 3 || offset < 0 || offset + length > payload.length) {
            return NO;
        }
        int end = offset + length;
        byte t = payload[offset];
        if (t == '*') {
            int i = digits(payload, offset + 1, end, false);
            if (i < 0) {
                return NO;
            }
            if (i + 2 > end) {
                return LOW;
            }
            if (payload[i] != '\r' || payload[i + 1] != '\n') {
                return NO;
            }
            if (i + 2 == end) {
                return MEDIUM;
            }
            if (payload[i + 2] == '$') {
                return HIGH;
            }
            return direction == FlowDirection.SERVER_TO_CLIENT && isType(payload[i + 2]) ? MEDIUM : NO;
        }
        if (direction == FlowDirection.CLIENT_TO_SERVER) {
            return NO;
        }
        return switch (t) {
            case '$', ':', '%', '~', '>' -> crlfAt(payload, digits(payload, offset + 1, end, t != '%'), end)
                    ? MEDIUM : NO;
            case '+' -> printableLine(payload, offset + 1, end) ? MEDIUM : NO;
            case '-' -> errorLine(payload, offset + 1, end) ? MEDIUM : NO;
            case '_' -> length >= 3 && payload[offset + 1] == '\r' && payload[offset + 2] == '\n' ? LOW : NO;
            default -> NO;
        };
    }

    @Override
    public StreamDecoder newDecoder(FlowDirection direction) {
        return new RedisDecoder(options, direction == FlowDirection.CLIENT_TO_SERVER);
    }

    /** Index after 1-19 digits (with a leading '-' when allowed) from {@code i}, or -1. */
    private static int digits(byte[] p, int i, int end, boolean signed) {
        if (signed && i < end && p[i] == '-') {
            i++;
        }
        int start = i;
        while (i < end && i - start < 19 && p[i] >= '0' && p[i] <= '9') {
            i++;
        }
        return i == start ? -1 : i;
    }

    private static boolean crlfAt(byte[] p, int i, int end) {
        return i >= 0 && i + 1 < end && p[i] == '\r' && p[i + 1] == '\n';
    }

    private static boolean isType(byte b) {
        return b == '$' || b == '*' || b == ':' || b == '+' || b == '-' || b == '%' || b == '~' || b == '_'
                || b == ',' || b == '#' || b == '(' || b == '=' || b == '!' || b == '>' || b == '|';
    }

    /** Printable ASCII up to a CR LF that lies within the captured bytes. */
    private static boolean printableLine(byte[] p, int i, int end) {
        int start = i;
        while (i < end && p[i] >= 0x20 && p[i] < 0x7f) {
            i++;
        }
        return i > start && i + 1 < end && p[i] == '\r' && p[i + 1] == '\n';
    }

    /** An upper-case error prefix (ERR, WRONGTYPE…) followed by a blank or CR LF. */
    private static boolean errorLine(byte[] p, int i, int end) {
        int start = i;
        while (i < end && p[i] >= 'A' && p[i] <= 'Z') {
            i++;
        }
        return i - start >= 2 && i < end && (p[i] == ' ' || p[i] == '\r');
    }
}
