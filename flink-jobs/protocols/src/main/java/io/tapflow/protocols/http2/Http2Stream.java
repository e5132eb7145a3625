package io.tapflow.protocols.http2;

import io.tapflow.protocols.StreamBuffer;
import io.tapflow.protocols.TraceHeaders;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one direction of one HTTP/2 stream has carried so far: the fields of its header blocks that a message
 * needs, and its size. Receives the decoded header fields of every block of the stream (headers, trailers).
 */
final class Http2Stream implements Serializable, HpackDecoder.Listener {

    final int id;
    final StreamBuffer.Origin start;
    /** Frame bytes of this stream in this direction, 9-byte frame headers included. */
    long length;
    boolean truncated;
    long endTimestampNs;
    /** A PUSH_PROMISE created it: nobody sent its request, so no message is emitted. */
    boolean pushed;
    /** Some header block was not captured or its HPACK state was lost. */
    boolean headersIncomplete;
    /** RST_STREAM error code, or -1. */
    long resetCode = -1;

    String method;
    String path;
    String authority;
    String host;
    Integer status;
    String contentType;
    String userAgent;
    String grpcStatus;
    String grpcMessage;
    Map<String, String> extra;

    private final TraceHeaders.Collector trace;
    private final List<String> extraHeaders;

    Http2Stream(int id, StreamBuffer.Origin start, String requestIdHeader, List<String> extraHeaders) {
        this.id = id;
        this.start = start;
        this.trace = new TraceHeaders.Collector(requestIdHeader);
        this.extraHeaders = extraHeaders;
    }

    @Override
    public void header(String name, String value) {
        // HTTP/2 field names are lower case on the wire (RFC 9113 §8.2.1); no case folding needed
        switch (name) {
            case ":method" -> method = value;
            case ":path" -> path = value;
            case ":authority" -> authority = value;
            case ":status" -> status = parseStatus(value);
            case "host" -> host = value;
            case "content-type" -> contentType = value;
            case "user-agent" -> userAgent = value;
            case "grpc-status" -> grpcStatus = value;
            case "grpc-message" -> grpcMessage = value;
            default -> {
                if (!trace.offer(name, value) && !extraHeaders.isEmpty() && extraHeaders.contains(name)) {
                    if (extra == null) {
                        extra = new LinkedHashMap<>();
                    }
                    extra.putIfAbsent(name, value);
                }
            }
        }
    }

    /** Whether the content type says gRPC ({@code application/grpc}, {@code application/grpc+proto}…). */
    boolean grpc() {
        return contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16);
    }

    TraceHeaders.Collector trace() {
        return trace;
    }

    /** :status is exactly three digits (RFC 9110 §15); anything else is no status. */
    private static Integer parseStatus(String v) {
        return v.length() == 3 ? GrpcStatus.parse(v) : null;
    }
}
