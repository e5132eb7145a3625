package io.tapflow.protocols.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.protocols.StreamEvent;
import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.protocols.testing.Decoding.Emitted;
import io.tapflow.protocols.testing.Decoding.Output;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.schema.ResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the goldens do not show by themselves: uncaptured bodies and chunks, the HEAD heuristic's edges, events
 * whose bytes straddle calls, upgrades, status classes and detection.
 */
class Http1ParserTest {

    private final Http1Parser parser = new Http1Parser(Goldens.OPTIONS);

    /** Collects what a decoder emits. */
    private static final class Sink implements MessageSink {
        final List<L7Message> messages = new ArrayList<>();
        final List<DecodeError> errors = new ArrayList<>();

        @Override
        public void message(L7Message m) {
            messages.add(m);
        }

        @Override
        public void error(DecodeError e) {
            errors.add(e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One call that moved {@code moved} bytes of which {@code data} (a prefix) was captured. */
    private static Segment call(byte[] data, long moved, long ts) {
        return new Segment(data, 0, data.length, moved, ts, Segment.NO_TCP_SEQ, 0);
    }

    private static Segment call(String data, long ts) {
        return Segment.of(ascii(data), ts);
    }

    private static Capture capture(String name) {
        return Goldens.of("http1").filter(g -> g.name().equals(name)).findFirst().orElseThrow().capture();
    }

    private static List<L7Message> messages(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Emitted).map(o -> ((Emitted) o).message()).toList();
    }

    /**
     * Without bodies kept (the flow job's settings) a message whose head and body are all in one segment is
     * consumed in one step (chunked ones included); fed in random pieces it goes through the body states. Both must
     * give the same messages. The goldens keep bodies, so they take the states: this covers the one-step path.
     */
    @Test
    void withoutBodiesEveryCaptureDecodesTheSameWholeAndSplit() {
        ProtocolParser noBodies = new Http1Parser(Goldens.OPTIONS.withBodies(0, 0));
        List<Capture> captures = Goldens.of("http1").map(g -> g.capture()).toList();
        int compared = 0;
        int chunked = 0;
        for (Capture capture : captures) {
            for (Capture.Connection c : capture.connections()) {
                List<Output> whole = Decoding.run(noBodies, c.segments());
                if (Decoding.hasErrors(whole)) {
                    continue; // errors resync at segment boundaries, which splitting moves
                }
                for (long seed = 0; seed < 5; seed++) {
                    List<Output> split = Decoding.run(noBodies, Decoding.split(c.segments(), new Random(seed)));
                    assertThat(messages(split)).as("%s seed %d", c.describe(), seed).isEqualTo(messages(whole));
                }
                compared++;
                chunked += (int) c.segments().stream().filter(s -> new String(s.segment().bytes(),
                        StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")).count();
            }
        }
        assertThat(compared).as("connections compared").isGreaterThan(5);
        assertThat(chunked).as("segments with a chunked head among them").isGreaterThan(0);
    }

    @Test
    void oneMegabyteBodyCapturedAs1024BytePrefixesIsOneMessageAndTheNextStillDecodes() {
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        int size = 1 << 20;
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size + "\r\n\r\n";
        d.feed(call(ascii(head), head.length(), 1), sink);
        byte[] filler = new byte[1024];
        java.util.Arrays.fill(filler, (byte) 'x');
        int sent = 0;
        long ts = 2;
        while (sent < size) {
            int moved = Math.min(64 * 1024, size - sent);
            d.feed(call(filler, moved, ts++), sink);
            sent += moved;
        }
        long lastBodyTs = ts - 1;
        String next = "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n";
        d.feed(call(next, ts), sink);
        assertThat(sink.errors).isEmpty();
        assertThat(sink.messages).hasSize(2);
        L7Message big = sink.messages.get(0);
        assertThat(big.length()).isEqualTo(head.length() + size);
        assertThat(big.truncated()).isTrue();
        assertThat(big.endTimestampNs()).isEqualTo(lastBodyTs);
        assertThat(big.body()).hasSize(256).containsOnly((byte) 'x');
        L7Message notFound = sink.messages.get(1);
        assertThat(notFound.responseCode()).isEqualTo(404);
        assertThat(notFound.responseStatus()).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(notFound.responseException()).isEqualTo("Not Found");
        assertThat(notFound.truncated()).isFalse();
    }

    @Test
    void realLargeAndChunkedResponsesCapturedAs1024BytePrefixesKeepTheirLengths() {
        for (String name : List.of("02-get-large", "04-post-error", "07-sse")) {
            for (Capture.Connection c : capture(name).connections()) {
                List<L7Message> whole = messages(Decoding.run(parser, c.segments()));
                List<Output> limited = Decoding.run(parser, Decoding.captureLimit(c.segments(), 1024));
                assertThat(messages(limited)).as(name).extracting(L7Message::length)
                        .containsExactlyElementsOf(whole.stream().map(L7Message::length).toList());
            }
        }
    }

    @Test
    void chunkSizeLineLostInAHoleStillYieldsTheResponseMarkedTruncated() {
        // one 4.5 KB call carries all the gzip chunks; cut to 1024 bytes, a later size line is not captured
        for (Capture.Connection c : capture("05-chunked-gzip").connections()) {
            List<L7Message> out = messages(Decoding.run(parser, Decoding.captureLimit(c.segments(), 1024)));
            assertThat(out).extracting(L7Message::responseCode).containsExactly(null, 200);
            assertThat(out.get(1).truncated()).isTrue();
            assertThat(out.get(1).length()).isEqualTo(L7Message.UNKNOWN_LENGTH);
        }
    }

    @Test
    void chunkWhoseDataWasNotCapturedIsSkippedBySize() {
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        d.feed(call("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1), sink);
        // "2000\r\n" + 8192 bytes + "\r\n", of which only the size line and 10 bytes were captured
        d.feed(call(ascii("2000\r\n0123456789"), 6 + 8192 + 2, 2), sink);
        // the next chunk's size line split across two calls, then trailers
        d.feed(call("a", 3), sink);
        d.feed(call("\r\nabcdefghij\r\n0\r\nX-Checksum: 1\r\n", 4), sink);
        d.feed(call("\r\n", 5), sink);
        assertThat(sink.errors).isEmpty();
        assertThat(sink.messages).hasSize(1);
        L7Message m = sink.messages.get(0);
        assertThat(m.truncated()).isTrue();
        assertThat(m.endTimestampNs()).isEqualTo(5);
        assertThat(m.body()).asString(StandardCharsets.ISO_8859_1).isEqualTo("0123456789");
    }

    @Test
    void headResponsesAreBodylessWhenAStatusLineFollowsAndAtTheEnd() {
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
        d.feed(call(head + "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", 1), sink);
        assertThat(sink.messages).hasSize(1);
        d.close(sink);
        assertThat(sink.messages).extracting(L7Message::length).containsExactly((long) head.length(),
                (long) head.length());
        assertThat(sink.messages).extracting(L7Message::truncated).containsExactly(false, false);
    }

    @Test
    void bodyThatStartsLikeAStatusLinePrefixWaitsThenCountsAsBody() {
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        d.feed(call("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTT", 1), sink);
        assertThat(sink.messages).isEmpty();
        d.feed(call("Pxxxxxx", 2), sink);
        assertThat(sink.messages).hasSize(1);
        assertThat(sink.messages.get(0).body()).asString(StandardCharsets.ISO_8859_1).isEqualTo("HTTPxxxxxx");
    }

    @Test
    void noContentAndNotModifiedHaveNoBodyEvenWithAContentLength() {
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        d.feed(call("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", 1), sink);
        assertThat(sink.messages).extracting(L7Message::responseCode).containsExactly(304, 204, 502);
        assertThat(sink.messages).extracting(L7Message::responseStatus)
                .containsExactly(ResponseStatus.OK, ResponseStatus.OK, ResponseStatus.SERVER_ERROR);
        assertThat(sink.messages.get(0).responseException()).isNull();
        assertThat(sink.messages.get(2).responseException()).isEqualTo("Bad Gateway");
    }

    @Test
    void sseEventsSplitAcrossChunksAndCallsAreTimedByTheirLastByte() {
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        d.feed(call("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "8\r\ndata: a\n\r\n", 10), sink);
        d.feed(call("1\r\n\n\r\n", 20), sink); // the blank line that ends event 1
        d.feed(call("12\r\nevent: x\r\nda", 30), sink); // CRLF line ends, a field split inside a chunk
        d.feed(call("ta: 1\n\r\n", 40), sink);
        d.feed(call("8\r\ndata:2\n\n\r\n0\r\n\r\n", 50), sink);
        assertThat(sink.errors).isEmpty();
        List<StreamEvent> events = sink.messages.get(0).events();
        assertThat(events).containsExactly(new StreamEvent(0, 20, null, "a"), new StreamEvent(9, 50, "x", "1\n2"));
        assertThat(sink.messages.get(0).endTimestampNs()).isEqualTo(50);
    }

    @Test
    void eventsOverUncapturedBytesHaveNoDataAndEventsStopAtTheLimit() {
        ProtocolParser p = new Http1Parser(Goldens.OPTIONS.withBodies(0, 2));
        StreamDecoder d = p.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        String head = "HTTP/1.0 200 OK\r\nContent-Type: application/x-ndjson\r\n\r\n";
        d.feed(call(head, 1), sink);
        d.feed(call(ascii("{\"a\":1"), 2000, 2), sink); // a 2000-byte line, 6 bytes captured
        d.feed(call("}\n{\"b\":2}\n{\"c\":3}\n", 3), sink);
        d.close(sink);
        L7Message m = sink.messages.get(0);
        assertThat(m.events()).containsExactly(new StreamEvent(0, 3, null, null), new StreamEvent(2002, 3, null,
                "{\"b\":2}"));
        assertThat(m.eventsTruncated()).isTrue();
        assertThat(m.length()).isEqualTo(head.length() + 2000 + "}\n{\"b\":2}\n{\"c\":3}\n".length());
        assertThat(m.truncated()).isTrue();
    }

    @Test
    void afterSwitchingProtocolsBothDirectionsStopDecoding() {
        StreamDecoder req = parser.newDecoder(FlowDirection.CLIENT_TO_SERVER);
        StreamDecoder resp = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        req.feed(call("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n", 1),
                sink);
        req.feed(call("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 3), sink);
        req.feed(call("GET /not-http1-anymore HTTP/1.1\r\n\r\n", 4), sink);
        resp.feed(call("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", 2), sink);
        resp.feed(call("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5), sink);
        assertThat(sink.errors).isEmpty();
        assertThat(sink.messages).hasSize(2);
        assertThat(sink.messages.get(1).attributes()).containsEntry("http.upgrade", "h2c");
    }

    @Test
    void interimResponsesAreNotMessages() {
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        Sink sink = new Sink();
        d.feed(call("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 1), sink);
        assertThat(sink.messages).extracting(L7Message::responseCode).containsExactly(201);
        assertThat(sink.messages.get(0).length()).isEqualTo("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".length());
    }

    @Test
    void requestFieldsHostWithoutPortTraceAndConfiguredHeaders() {
        ParserOptions options = new ParserOptions(64 * 1024, 0, 0, List.of("X-Tenant"), "x-correlation-id");
        StreamDecoder d = new Http1Parser(options).newDecoder(FlowDirection.CLIENT_TO_SERVER);
        Sink sink = new Sink();
        d.feed(call("\r\nPROPFIND /dav/x?depth=1 HTTP/1.1\r\nHOST: [::1]:8080\r\nx-tenant:  acme \r\n"
                + "X-Correlation-ID: c-1\r\nb3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1\r\n"
                + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 1), sink);
        assertThat(sink.errors).isEmpty();
        L7Message m = sink.messages.get(0);
        assertThat(m.requestType()).isEqualTo("PROPFIND");
        assertThat(m.requestResource()).isEqualTo("/dav/x?depth=1");
        assertThat(m.requestDomain()).isEqualTo("::1");
        assertThat(m.xRequestId()).isEqualTo("c-1");
        assertThat(m.traceContext().traceId()).isEqualTo("80f198ee56343ba864fe8b2a57d3eff7");
        assertThat(m.attributes()).containsEntry("http.request.header.x-tenant", "acme");
        assertThat(m.version()).isEqualTo("1.1");
    }

    @Test
    void garbageResynchronisesAtTheNextCall() {
        StreamDecoder d = parser.newDecoder(FlowDirection.CLIENT_TO_SERVER);
        Sink sink = new Sink();
        d.feed(call("\u0016\u0003\u0001 binary", 1), sink);
        d.feed(call("GET /ok HTTP/1.1\r\n\r\n", 2), sink);
        assertThat(sink.errors).extracting(DecodeError::kind).containsExactly(DecodeError.Kind.MALFORMED);
        assertThat(sink.messages).extracting(L7Message::requestResource).containsExactly("/ok");
    }

    @Test
    void detection() {
        assertThat(match("GET /index.html HTTP/1.1\r\nHost: a\r\n", FlowDirection.CLIENT_TO_SERVER))
                .isEqualTo(ProtocolParser.HIGH);
        assertThat(match("POST /very/long/url/cut", FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.MEDIUM);
        assertThat(match("HTTP/1.1 404 Not Found\r\n", FlowDirection.SERVER_TO_CLIENT)).isEqualTo(ProtocolParser.HIGH);
        assertThat(match("HTTP/1.1 404 Not Found\r\n", FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.LOW);
        assertThat(match("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", FlowDirection.CLIENT_TO_SERVER))
                .isEqualTo(ProtocolParser.NO);
        assertThat(match("GET / HTTP/2.0\r\n", FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.NO);
        assertThat(match("*1\r\n$4\r\nPING\r\n", FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.NO);
        assertThat(match("GET", FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.NO);
        byte[] framed = ascii("xxGET / HTTP/1.1\r\nyy");
        assertThat(parser.matches(framed, 2, framed.length - 4, FlowDirection.CLIENT_TO_SERVER))
                .isEqualTo(ProtocolParser.HIGH);
    }

    private int match(String s, FlowDirection direction) {
        byte[] b = ascii(s);
        return parser.matches(b, 0, b.length, direction);
    }
}
