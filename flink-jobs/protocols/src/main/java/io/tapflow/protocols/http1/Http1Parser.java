package io.tapflow.protocols.http1;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;

/**
 * HTTP/1.0 and HTTP/1.1 (RFC 9112): requests client to server, responses server to client, paired in order
 * ({@link io.tapflow.protocols.L7Message#IN_ORDER}).
 *
 * <p>Messages carry: method → request_type, request-target as sent → request_resource, Host without port →
 * request_domain, status → response_code and response_status (1xx–3xx OK, 4xx CLIENT_ERROR, 5xx SERVER_ERROR), the
 * reason phrase of 4xx/5xx → response_exception, the wire length of head and body, trace context and request id
 * from the headers ({@link io.tapflow.protocols.TraceHeaders}), and attributes {@code http.content_type},
 * {@code http.upgrade} (101 responses) and {@code http.request.header.<name>} / {@code http.response.header.<name>}
 * for {@link ParserOptions#extraHeaders()}. The first {@link ParserOptions#maxBodyBytes()} bytes of the de-chunked
 * body are kept, and {@code text/event-stream}, {@code application/x-ndjson} and streamed (chunked or
 * close-delimited) {@code application/json} response bodies are split into events (see {@link Http1Body}).
 *
 * <p>A response decoder does not see the request, so bodyless HEAD responses are recognised by a documented
 * heuristic rather than by pairing: see {@link Http1Decoder}.
 */
public final class Http1Parser implements ProtocolParser {

    private final ParserOptions options;
    private final Http1HeaderTable table;

    public Http1Parser(ParserOptions options) {
        this.options = options;
        this.table = new Http1HeaderTable(options);
    }

    @Override
    public L7Protocol protocol() {
        return L7Protocol.HTTP1;
    }

    /**
     * HIGH for a status line {@code HTTP/1.x NNN} or for a common method, a request-target and {@code HTTP/1.x}
     * on the first line; MEDIUM for a common method and a target whose version was not captured (long URL); LOW
     * for either in the unexpected direction (a caller's direction may be wrong, the bytes are still HTTP).
     */
    @Override
    public int matches(byte[] payload, int offset, int length, FlowDirection direction) {
        if (offset < 0 || length <= 0 || offset + length > payload.length) {
            return NO;
        }
        int response = statusLine(payload, offset, length);
        if (response > NO) {
            return direction == FlowDirection.SERVER_TO_CLIENT ? response : LOW;
        }
        int request = requestLine(payload, offset, length);
        if (request > NO) {
            return direction == FlowDirection.CLIENT_TO_SERVER ? request : LOW;
        }
        return NO;
    }

    private static int statusLine(byte[] a, int off, int len) {
        if (len < 12 || a[off] != 'H' || a[off + 1] != 'T' || a[off + 2] != 'T' || a[off + 3] != 'P'
                || a[off + 4] != '/' || a[off + 5] != '1' || a[off + 6] != '.'
                || (a[off + 7] != '0' && a[off + 7] != '1') || a[off + 8] != ' ') {
            return NO;
        }
        for (int i = off + 9; i < off + 12; i++) {
            if (a[i] < '0' || a[i] > '9') {
                return NO;
            }
        }
        return a[off + 9] >= '1' && a[off + 9] <= '5' ? HIGH : NO;
    }

    private static int requestLine(byte[] a, int off, int len) {
        int end = off + len;
        int sp = Http1HeadParser.indexOf(a, off, Math.min(end, off + 8), (byte) ' ');
        if (sp < 0 || Http1HeadParser.knownMethod(a, off, sp - off) == null || sp + 1 >= end) {
            return NO;
        }
        byte t = a[sp + 1];
        if (t != '/' && t != '*' && !(t >= 'a' && t <= 'z') && !(t >= 'A' && t <= 'Z') && !(t >= '0' && t <= '9')) {
            return NO;
        }
        for (int i = sp + 1; i < end; i++) {
            byte b = a[i];
            if (b == '\r' || b == '\n') {
                // the line ended: it must end with " HTTP/1.x"
                int v = i - 9;
                return v > sp && a[v] == ' ' && a[v + 1] == 'H' && a[v + 2] == 'T' && a[v + 3] == 'T'
                        && a[v + 4] == 'P' && a[v + 5] == '/' && a[v + 6] == '1' && a[v + 7] == '.'
                        && (a[v + 8] == '0' || a[v + 8] == '1') ? HIGH : NO;
            }
            if (b >= 0 && b < 0x20 && b != '\t') {
                return NO;
            }
        }
        return MEDIUM;
    }

    @Override
    public StreamDecoder newDecoder(FlowDirection direction) {
        return new Http1Decoder(options, table, direction == FlowDirection.CLIENT_TO_SERVER);
    }
}
