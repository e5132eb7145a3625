package io.tapflow.protocols.http2;

import io.tapflow.protocols.ByteReader;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;

/**
 * HTTP/2 without TLS (h2c with prior knowledge) or with TLS decrypted by the collector, and gRPC on it: requests
 * and responses paired by stream id; messages whose content-type is {@code application/grpc*} are
 * {@link L7Protocol#GRPC} with grpc-status as their response code (classified as {@link GrpcStatus} says).
 *
 * <p>Detection: the client preface is unambiguous ({@link #HIGH}); a server's first SETTINGS frame is typical
 * ({@link #MEDIUM}); any other plausible frame header (a connection seen from its middle) is {@link #LOW}.
 * Not supported: the HTTP/1.1 {@code Upgrade: h2c} path (its first request is HTTP/1.1).
 */
public final class Http2Parser implements ProtocolParser {

    /** Frames larger than the default SETTINGS_MAX_FRAME_SIZE are unusual enough to doubt a frame header. */
    private static final int DETECT_MAX_FRAME = 16384;

    private final ParserOptions options;

    public Http2Parser(ParserOptions options) {
        this.options = options;
    }

    @Override
    public L7Protocol protocol() {
        return L7Protocol.HTTP2;
    }

    @Override
    public int matches(byte[] payload, int offset, int length, FlowDirection direction) {
        if (direction == FlowDirection.CLIENT_TO_SERVER && length >= 4 && prefacePrefix(payload, offset, length)) {
            return length >= 8 ? HIGH : MEDIUM;
        }
        if (length < Http2Frames.HEADER_LENGTH || !Http2Frames.plausible(payload, offset, DETECT_MAX_FRAME)) {
            return NO;
        }
        int type = payload[offset + 3] & 0xFF;
        if (type == Http2Frames.SETTINGS && direction == FlowDirection.SERVER_TO_CLIENT
                && (payload[offset + 4] & Http2Frames.FLAG_ACK) == 0 && settingsValid(payload, offset, length)) {
            return MEDIUM;
        }
        return type == Http2Frames.HEADERS ? LOW : NO;
    }

    @Override
    public StreamDecoder newDecoder(FlowDirection direction) {
        return new Http2FrameDecoder(direction, options);
    }

    private static boolean prefacePrefix(byte[] payload, int offset, int length) {
        byte[] p = Http2Frames.PREFACE;
        int n = Math.min(length, p.length);
        for (int i = 0; i < n; i++) {
            if (payload[offset + i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    /** The captured parameters of a SETTINGS frame have identifiers RFC 9113 and its extensions define (1..9). */
    private static boolean settingsValid(byte[] payload, int offset, int length) {
        int len = Http2Frames.length(payload, offset);
        int end = offset + Math.min(length, Http2Frames.HEADER_LENGTH + len);
        for (int i = offset + Http2Frames.HEADER_LENGTH; i + 6 <= end; i += 6) {
            int id = ByteReader.u16(payload, i);
            if (id < 1 || id > 9 || id == 7) {
                return false;
            }
        }
        return true;
    }
}
