package io.tapflow.protocols.postgresql;

import io.tapflow.protocols.ByteReader;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;

/**
 * PostgreSQL frontend/backend protocol 3.0: requests ({@link PostgresFrontendDecoder}) and the responses that end
 * at ReadyForQuery ({@link PostgresBackendDecoder}), paired in order
 * ({@link io.tapflow.protocols.L7Message#IN_ORDER}). A connection that switches to TLS or GSS encryption is
 * reported by the answer to its request and not decoded further.
 */
public final class PostgresParser implements ProtocolParser {

    private final ParserOptions options;

    public PostgresParser(ParserOptions options) {
        this.options = options;
    }

    @Override
    public L7Protocol protocol() {
        return L7Protocol.POSTGRESQL;
    }

    @Override
    public int matches(byte[] b, int off, int len, FlowDirection direction) {
        if (direction == FlowDirection.CLIENT_TO_SERVER) {
            if (len >= 8 && b[off] == 0) {
                int length = ByteReader.i32(b, off);
                int code = ByteReader.i32(b, off + 4);
                if (code == PostgresMessages.PROTOCOL_3_0 && length >= 8 && length <= 10_000 && length >= len) {
                    return HIGH;
                }
                if ((code == PostgresMessages.SSL_REQUEST || code == PostgresMessages.GSSENC_REQUEST) && length == 8) {
                    return HIGH;
                }
                if (code == PostgresMessages.CANCEL_REQUEST && length == 16) {
                    return HIGH;
                }
                return NO;
            }
            if (len >= 6 && (b[off] == 'Q' || b[off] == 'P')) {
                int length = ByteReader.i32(b, off + 1);
                if (length < 5 || length > (1 << 30)) {
                    return NO;
                }
                boolean exact = length + 1 == len && b[off + len - 1] == 0;
                return exact ? MEDIUM + 10 : length + 1 < len ? LOW + 10 : LOW;
            }
            return NO;
        }
        if (len == 1 && (b[off] == 'N' || b[off] == 'S' || b[off] == 'G')) {
            return LOW; // the answer to an SSLRequest / GSSENCRequest
        }
        if (len < HEADER_AND_CODE) {
            return NO;
        }
        int length = ByteReader.i32(b, off + 1);
        int type = b[off];
        if (type == 'R' && length >= 8 && length <= 2048) {
            int code = ByteReader.i32(b, off + 5);
            return code >= 0 && code <= 12 ? HIGH - 10 : NO;
        }
        if (type == 'E' && length >= 8 && length <= (1 << 20) && b[off + 5] == 'S') {
            return MEDIUM;
        }
        if ((type == 'T' || type == '1' || type == 'C') && length >= 4 && length <= (1 << 24)) {
            return LOW;
        }
        return NO;
    }

    private static final int HEADER_AND_CODE = 9;

    @Override
    public StreamDecoder newDecoder(FlowDirection direction) {
        return direction == FlowDirection.CLIENT_TO_SERVER ? new PostgresFrontendDecoder(options)
                : new PostgresBackendDecoder(options);
    }
}
