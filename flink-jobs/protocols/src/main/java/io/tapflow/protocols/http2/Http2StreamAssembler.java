package io.tapflow.protocols.http2;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.StreamBuffer;
import io.tapflow.protocols.TraceContext;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the frames of one direction into messages, one per stream: requests on the client-to-server direction,
 * responses on the other; {@code pairId} is the stream id.
 *
 * <p><b>When a message is emitted.</b> At the frame that ends the stream in this direction (END_STREAM on HEADERS,
 * DATA or trailers), so that {@code length} covers every frame of the stream (HEADERS, CONTINUATION, DATA,
 * trailers, each with its 9-byte frame header; connection-level frames belong to no message) and a gRPC response
 * has its trailers (grpc-status). A stream that never ends is emitted, flagged {@code http2.incomplete}, when it
 * is reset, when the connection closes, or when it is evicted because {@link #MAX_OPEN_STREAMS} streams are open.
 * A request's start is its first HEADERS frame, its end the frame that ended it.
 *
 * <p><b>RST_STREAM.</b> From the server it ends the response with {@code response_exception = "RST_STREAM <code>"}
 * and SERVER_ERROR (unless a final status was already received: then that status classifies it); a reset of a
 * stream whose response was already emitted, or NO_ERROR on an unknown stream, emits nothing. From the client it
 * emits the request if it had not ended (attribute {@code http2.reset}); a client that cancels after sending its
 * whole request (e.g. a gRPC deadline) leaves a request without response, which the flow stage reports as such.
 *
 * <p>Pushed streams (PUSH_PROMISE) emit nothing: their request never crossed the wire.
 */
final class Http2StreamAssembler implements Serializable {

    /** Open streams kept per direction; peers default SETTINGS_MAX_CONCURRENT_STREAMS to about 100. */
    static final int MAX_OPEN_STREAMS = 256;
    private static final int RECENT = 64;

    private final FlowDirection direction;
    private final ParserOptions options;
    private final Map<Integer, Http2Stream> streams = new HashMap<>();
    /** Ids of the last streams emitted: a late RST_STREAM for one of them must not emit a second message. */
    private final int[] recent = new int[RECENT];
    private int recentNext;

    Http2StreamAssembler(FlowDirection direction, ParserOptions options) {
        this.direction = direction;
        this.options = options;
    }

    /** The stream a header block belongs to, created at its first block (evicting the oldest if full). */
    Http2Stream open(int id, StreamBuffer.Origin start, MessageSink out) {
        Http2Stream s = streams.get(id);
        if (s == null) {
            if (streams.size() >= MAX_OPEN_STREAMS) {
                evictOldest(out);
            }
            s = new Http2Stream(id, start, options.requestIdHeader(), options.extraHeaders());
            streams.put(id, s);
        }
        return s;
    }

    /** True when no stream is open: the state is then only {@link #writeState}'s recent ids. */
    boolean idle() {
        return streams.isEmpty();
    }

    /** Writes the ids of the streams emitted last, for a state format; only when {@link #idle()}. */
    void writeState(DataOutput out) throws IOException {
        if (!idle()) {
            throw new IllegalStateException("HTTP/2 streams open: no state format");
        }
        out.writeByte(RECENT);
        out.writeByte(recentNext);
        for (int id : recent) {
            out.writeInt(id);
        }
    }

    void readState(DataInput in) throws IOException {
        int n = in.readUnsignedByte();
        int next = in.readUnsignedByte();
        if (n != RECENT || next >= RECENT) {
            throw new IOException("HTTP/2 recent stream ids: " + n + " kept, next " + next);
        }
        streams.clear();
        recentNext = next;
        for (int i = 0; i < n; i++) {
            recent[i] = in.readInt();
        }
    }

    Http2Stream get(int id) {
        return streams.get(id);
    }

    /** A header block of {@code s} is complete (decoded as {@code result}, or null when it was not captured). */
    void headersDone(Http2Stream s, HpackDecoder.Result result, boolean endStream, long endTimestampNs,
                     MessageSink out) {
        if (result != HpackDecoder.Result.DECODED) {
            s.headersIncomplete = true;
            s.truncated = true;
        }
        if (direction == FlowDirection.SERVER_TO_CLIENT && !endStream && s.status != null && s.status < 200) {
            // an interim 1xx response: the final one follows in another HEADERS frame
            s.status = null;
        }
        if (endStream) {
            finish(s, endTimestampNs, false, out);
        }
    }

    /** DATA of {@code frameBytes} (frame header included) on stream {@code id}; unknown streams are ignored. */
    void data(int id, long frameBytes, boolean uncaptured, boolean endStream, long endTimestampNs, MessageSink out) {
        Http2Stream s = streams.get(id);
        if (s == null) {
            return;
        }
        s.length += frameBytes;
        s.truncated |= uncaptured;
        if (endStream) {
            finish(s, endTimestampNs, false, out);
        }
    }

    void reset(int id, long errorCode, StreamBuffer.Origin origin, long endTimestampNs, MessageSink out) {
        Http2Stream s = streams.get(id);
        if (s == null) {
            if (direction == FlowDirection.CLIENT_TO_SERVER || errorCode == 0 || wasRecent(id)) {
                return;
            }
            // the server refused a stream before answering it: still the answer to that request
            s = new Http2Stream(id, origin, options.requestIdHeader(), options.extraHeaders());
        }
        s.length += Http2Frames.HEADER_LENGTH + 4;
        s.resetCode = errorCode;
        finish(s, endTimestampNs, false, out);
    }

    /** The connection ended: emits the streams still open, oldest first. */
    void closeAll(MessageSink out) {
        List<Http2Stream> open = new ArrayList<>(streams.values());
        open.sort((a, b) -> Integer.compare(a.id, b.id));
        for (Http2Stream s : open) {
            finish(s, s.endTimestampNs, true, out);
        }
    }

    private void evictOldest(MessageSink out) {
        Http2Stream oldest = null;
        for (Http2Stream s : streams.values()) {
            if (oldest == null || s.id < oldest.id) {
                oldest = s;
            }
        }
        if (oldest != null) {
            finish(oldest, oldest.endTimestampNs, true, out);
        }
    }

    private boolean wasRecent(int id) {
        for (int r : recent) {
            if (r == id) {
                return true;
            }
        }
        return false;
    }

    private void finish(Http2Stream s, long endTimestampNs, boolean incomplete, MessageSink out) {
        streams.remove(s.id);
        recent[recentNext] = s.id;
        recentNext = (recentNext + 1) % RECENT;
        if (s.pushed) {
            return;
        }
        s.endTimestampNs = endTimestampNs;
        out.message(direction == FlowDirection.CLIENT_TO_SERVER ? request(s, incomplete) : response(s, incomplete));
    }

    private L7Message.Builder common(Http2Stream s, MessageKind kind, boolean incomplete) {
        boolean grpc = s.grpc();
        L7Message.Builder b = L7Message.builder(grpc ? L7Protocol.GRPC : L7Protocol.HTTP2, kind)
                .version("2")
                .pairId(s.id)
                .length(s.length)
                .truncated(s.truncated)
                .start(s.start)
                .endTimestampNs(Math.max(s.endTimestampNs, s.start.timestampNs()))
                .xRequestId(s.trace().requestId())
                .attribute(grpc ? "grpc.content_type" : "http.content_type", s.contentType)
                .attribute("http2.headers", s.headersIncomplete ? "incomplete" : null)
                .attribute("http2.incomplete", incomplete ? "true" : null)
                .attribute("http2.reset", s.resetCode >= 0 ? Http2Frames.errorName(s.resetCode) : null);
        if (s.extra != null) {
            s.extra.forEach((k, v) -> b.attribute("http.header." + k, v));
        }
        return b;
    }

    private L7Message request(Http2Stream s, boolean incomplete) {
        TraceContext trace = s.trace().context();
        return common(s, MessageKind.REQUEST, incomplete)
                .requestType(s.method)
                .requestDomain(hostOnly(s.authority != null ? s.authority : s.host))
                .requestResource(s.path)
                .traceContext(trace)
                .attribute("http.user_agent", s.userAgent)
                .build();
    }

    private L7Message response(Http2Stream s, boolean incomplete) {
        L7Message.Builder b = common(s, MessageKind.RESPONSE, incomplete);
        Integer grpcCode = GrpcStatus.parse(s.grpcStatus);
        Integer code = null;
        ResponseStatus status = ResponseStatus.UNKNOWN;
        String exception = null;
        if (s.grpc() && grpcCode != null) {
            code = grpcCode;
            status = GrpcStatus.classify(grpcCode);
            exception = grpcCode == 0 ? null : GrpcStatus.decodeMessage(s.grpcMessage);
            b.attribute("http.status", s.status == null ? null : s.status.toString());
        } else if (s.status != null && !(s.grpc() && s.status == 200)) {
            // plain HTTP/2, or a gRPC call answered by HTTP alone (a proxy error): the HTTP status classifies it
            code = s.status;
            status = httpStatus(s.status);
        }
        if (s.resetCode >= 0) {
            if (exception == null) {
                exception = "RST_STREAM " + Http2Frames.errorName(s.resetCode);
            }
            if (code == null || status == ResponseStatus.OK) {
                status = ResponseStatus.SERVER_ERROR;
            }
        }
        return b.responseCode(code).responseStatus(status).responseException(exception).build();
    }

    static ResponseStatus httpStatus(int code) {
        if (code >= 100 && code < 400) {
            return ResponseStatus.OK;
        }
        if (code >= 400 && code < 500) {
            return ResponseStatus.CLIENT_ERROR;
        }
        return code >= 500 && code < 600 ? ResponseStatus.SERVER_ERROR : ResponseStatus.UNKNOWN;
    }

    /** The authority without its port ({@code [::1]:8080} → {@code ::1}). */
    static String hostOnly(String authority) {
        if (authority == null || authority.isEmpty()) {
            return null;
        }
        if (authority.charAt(0) == '[') {
            int close = authority.indexOf(']');
            return close > 0 ? authority.substring(1, close) : authority;
        }
        int colon = authority.lastIndexOf(':');
        return colon >= 0 && authority.indexOf(':') == colon ? authority.substring(0, colon) : authority;
    }
}
