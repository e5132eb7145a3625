package io.tapflow.llm.recognition;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written HTTP/1.1 exchanges for formats no golden capture holds yet (OpenAI chat with a role-only first chunk
 * and include_usage, TGI, Ollama chat, JSON error bodies): bytes as a server would write them, one syscall per
 * piece at a given time, decoded by the real HTTP/1 parser. To be replaced by captures recorded from real servers.
 */
public final class HttpFixture {

    public static final long T0_NS = 1_700_000_000_000_000_000L;

    private final List<DirectedSegment> segments = new ArrayList<>();
    private final long[] seq = {1000, 5000};

    public static HttpFixture post(String path, String json, long atUs, String... headers) {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: llm:8000\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        HttpFixture f = new HttpFixture();
        f.write(FlowDirection.CLIENT_TO_SERVER, head + "\r\n" + json, atUs);
        return f;
    }

    /** A streamed response head (chunked) with {@code contentType}. */
    public HttpFixture streamHead(String contentType, long atUs) {
        return write(FlowDirection.SERVER_TO_CLIENT, "HTTP/1.1 200 OK\r\nContent-Type: " + contentType
                + "\r\nTransfer-Encoding: chunked\r\n\r\n", atUs);
    }

    /** One chunk of a streamed body. */
    public HttpFixture chunk(String data, long atUs) {
        int n = data.getBytes(StandardCharsets.UTF_8).length;
        return write(FlowDirection.SERVER_TO_CLIENT, Integer.toHexString(n) + "\r\n" + data + "\r\n", atUs);
    }

    public HttpFixture lastChunk(long atUs) {
        return write(FlowDirection.SERVER_TO_CLIENT, "0\r\n\r\n", atUs);
    }

    /** A whole JSON response with Content-Length. */
    public HttpFixture json(int status, String reason, String json, long atUs) {
        return write(FlowDirection.SERVER_TO_CLIENT, "HTTP/1.1 " + status + " " + reason
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json, atUs);
    }

    HttpFixture write(FlowDirection direction, String text, long atUs) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int d = direction.ordinal();
        segments.add(new DirectedSegment(direction,
                new Segment(bytes, 0, bytes.length, bytes.length, T0_NS + atUs * 1_000, seq[d], 0)));
        seq[d] += bytes.length;
        return this;
    }

    List<DirectedSegment> segments() {
        return segments;
    }

    public LlmExchange exchange(LlmExchange.End end) {
        List<LlmExchange> all = CapturedExchanges.exchanges(segments, end);
        if (all.size() != 1) {
            throw new IllegalStateException("fixture decoded to " + all.size() + " exchanges");
        }
        return all.get(0);
    }

    public LlmExchange exchange() {
        return exchange(LlmExchange.End.RESPONSE_ENDED);
    }
}
