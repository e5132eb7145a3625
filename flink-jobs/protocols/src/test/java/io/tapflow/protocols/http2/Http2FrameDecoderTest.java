package io.tapflow.protocols.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Frame-level behaviour the real captures do not exercise (CONTINUATION, padding, interim responses, resets,
 * uncaptured header blocks, the open-stream cap). Frames are built here with literal HPACK fields; the decoding of
 * real traffic is covered by the goldens.
 */
class Http2FrameDecoderTest {

    private final Http2Parser parser = new Http2Parser(ParserOptions.DEFAULTS);
    private final List<L7Message> messages = new ArrayList<>();
    private final List<DecodeError> errors = new ArrayList<>();
    private final MessageSink sink = new MessageSink() {
        @Override
        public void message(L7Message m) {
            messages.add(m);
        }

        @Override
        public void error(DecodeError e) {
            errors.add(e);
        }
    };

    /** HPACK literal without indexing, new name, no Huffman (RFC 7541 §6.2.2). */
    private static byte[] block(String... nameValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < nameValues.length; i += 2) {
            out.write(0x00);
            string(out, nameValues[i]);
            string(out, nameValues[i + 1]);
        }
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length >= 127) {
            throw new IllegalArgumentException("keep test strings short");
        }
        out.write(b.length);
        out.writeBytes(b);
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private void feedBytewise(StreamDecoder d, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            d.feed(Segment.of(new byte[] {bytes[i]}, 1000 + i), sink);
        }
    }

    @Test
    void requestSplitAtEveryByteWithContinuationAndPadding() {
        byte[] headers = block(":method", "POST", ":path", "/pkg.Svc/Call", ":authority", "api.local:8443",
                "content-type", "application/grpc", "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        byte[] first = new byte[10];
        System.arraycopy(headers, 0, first, 0, first.length);
        byte[] rest = java.util.Arrays.copyOfRange(headers, first.length, headers.length);
        byte[] padded = concat(new byte[] {3}, new byte[] {0, 0, 0, 0, 16}, first, new byte[3]);
        byte[] bytes = concat(Http2Frames.PREFACE, frame(Http2Frames.SETTINGS, 0, 0, new byte[0]),
                frame(Http2Frames.HEADERS, Http2Frames.FLAG_PADDED | Http2Frames.FLAG_PRIORITY, 1, padded),
                frame(Http2Frames.CONTINUATION, Http2Frames.FLAG_END_HEADERS, 1, rest),
                frame(Http2Frames.DATA, Http2Frames.FLAG_END_STREAM, 1, new byte[] {0, 0, 0, 0, 2, 8, 1}));
        StreamDecoder d = parser.newDecoder(FlowDirection.CLIENT_TO_SERVER);
        feedBytewise(d, bytes);

        assertThat(errors).isEmpty();
        assertThat(messages).hasSize(1);
        L7Message m = messages.get(0);
        assertThat(m.kind()).isEqualTo(MessageKind.REQUEST);
        assertThat(m.protocol()).isEqualTo(L7Protocol.GRPC);
        assertThat(m.requestType()).isEqualTo("POST");
        assertThat(m.requestResource()).isEqualTo("/pkg.Svc/Call");
        assertThat(m.requestDomain()).isEqualTo("api.local");
        assertThat(m.pairId()).isEqualTo(1);
        assertThat(m.traceContext().traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        // HEADERS + CONTINUATION + DATA, frame headers included; not the preface or SETTINGS
        assertThat(m.length()).isEqualTo(9 + padded.length + 9 + rest.length + 9 + 7);
        int headersStart = Http2Frames.PREFACE.length + 9;
        assertThat(m.startTimestampNs()).isEqualTo(1000 + headersStart);
        assertThat(m.endTimestampNs()).isEqualTo(1000 + bytes.length - 1);
    }

    @Test
    void interimResponseThenGrpcTrailersOnTheServerSide() {
        byte[] bytes = concat(frame(Http2Frames.SETTINGS, 0, 0, new byte[0]),
                frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS, 3, block(":status", "100")),
                frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS, 3,
                        block(":status", "200", "content-type", "application/grpc+proto")),
                frame(Http2Frames.DATA, 0, 3, new byte[5]),
                frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS | Http2Frames.FLAG_END_STREAM, 3,
                        block("grpc-status", "14", "grpc-message", "backend%20down%20%E2%9C%97")));
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        d.feed(Segment.of(bytes, 1), sink);

        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(MessageKind.RESPONSE);
            assertThat(m.protocol()).isEqualTo(L7Protocol.GRPC);
            assertThat(m.responseCode()).isEqualTo(14);
            assertThat(m.responseStatus()).isEqualTo(ResponseStatus.SERVER_ERROR);
            assertThat(m.responseException()).isEqualTo("backend down \u2717");
            assertThat(m.attributes()).containsEntry("http.status", "200");
        });
    }

    @Test
    void serverResetEndsTheResponseWithAnError() {
        byte[] bytes = concat(
                frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS, 1, block(":status", "200")),
                frame(Http2Frames.RST_STREAM, 0, 1, new byte[] {0, 0, 0, 2}),
                // a stream the server refuses before answering
                frame(Http2Frames.RST_STREAM, 0, 3, new byte[] {0, 0, 0, 7}),
                // NO_ERROR on a stream already answered: nothing
                frame(Http2Frames.RST_STREAM, 0, 1, new byte[] {0, 0, 0, 0}));
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        d.feed(Segment.of(bytes, 1), sink);

        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).responseCode()).isEqualTo(200);
        assertThat(messages.get(0).responseStatus()).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(messages.get(0).responseException()).isEqualTo("RST_STREAM INTERNAL_ERROR");
        assertThat(messages.get(1).pairId()).isEqualTo(3);
        assertThat(messages.get(1).responseCode()).isNull();
        assertThat(messages.get(1).responseException()).isEqualTo("RST_STREAM REFUSED_STREAM");
    }

    @Test
    void uncapturedHeaderBlockLosesHpackStateButKeepsFraming() {
        // stream 1's block inserts into the dynamic table (literal with incremental indexing)
        byte[] indexed = concat(new byte[] {0x40}, new byte[] {7}, ":method".getBytes(StandardCharsets.US_ASCII),
                new byte[] {3}, "GET".getBytes(StandardCharsets.US_ASCII), block(":path", "/first"));
        byte[] h1 = frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS | Http2Frames.FLAG_END_STREAM, 1,
                indexed);
        // stream 3 refers to it (index 62) and has a literal :path
        byte[] h3 = frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS | Http2Frames.FLAG_END_STREAM, 3,
                concat(new byte[] {(byte) 0xbe}, block(":path", "/second")));
        StreamDecoder d = parser.newDecoder(FlowDirection.CLIENT_TO_SERVER);
        // only the frame header of stream 1's HEADERS was captured
        d.feed(new Segment(h1, 0, 9, h1.length, 1, Segment.NO_TCP_SEQ, 0), sink);
        d.feed(Segment.of(h3, 2), sink);

        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).pairId()).isEqualTo(1);
        assertThat(messages.get(0).truncated()).isTrue();
        assertThat(messages.get(0).attributes()).containsEntry("http2.headers", "incomplete");
        assertThat(messages.get(1).requestType()).isNull();
        assertThat(messages.get(1).requestResource()).isEqualTo("/second");
        assertThat(messages.get(1).attributes()).containsEntry("http2.headers", "incomplete");
        assertThat(errors).extracting(DecodeError::kind).containsOnly(DecodeError.Kind.UNCAPTURED);
        assertThat(errors).hasSize(2);
    }

    @Test
    void uncapturedDataIsSkippedByItsLength() {
        byte[] h = frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS, 1, block(":status", "200"));
        byte[] data = frame(Http2Frames.DATA, 0, 1, new byte[5000]);
        byte[] end = frame(Http2Frames.DATA, Http2Frames.FLAG_END_STREAM, 1, new byte[0]);
        StreamDecoder d = parser.newDecoder(FlowDirection.SERVER_TO_CLIENT);
        d.feed(Segment.of(h, 1), sink);
        d.feed(new Segment(data, 0, 1024, data.length, 2, Segment.NO_TCP_SEQ, 0), sink);
        d.feed(Segment.of(end, 3), sink);

        assertThat(errors).isEmpty();
        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(m.length()).isEqualTo(h.length + data.length + end.length);
            assertThat(m.truncated()).isTrue();
            assertThat(m.endTimestampNs()).isEqualTo(3);
        });
    }

    @Test
    void openStreamsAreCappedAndLeftoversEmittedAtClose() {
        StreamDecoder d = parser.newDecoder(FlowDirection.CLIENT_TO_SERVER);
        int opened = Http2StreamAssembler.MAX_OPEN_STREAMS + 10;
        for (int i = 0; i < opened; i++) {
            d.feed(Segment.of(frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS, 2 * i + 1,
                    block(":method", "GET", ":path", "/" + i)), i), sink);
        }
        assertThat(messages).hasSize(10);
        assertThat(messages.get(0).requestResource()).isEqualTo("/0");
        assertThat(messages.get(0).attributes()).containsEntry("http2.incomplete", "true");
        d.close(sink);
        assertThat(messages).hasSize(opened);
    }

    @Test
    void detection() {
        byte[] preface = Http2Frames.PREFACE;
        assertThat(parser.matches(preface, 0, preface.length, FlowDirection.CLIENT_TO_SERVER))
                .isEqualTo(ProtocolParser.HIGH);
        byte[] settings = frame(Http2Frames.SETTINGS, 0, 0, new byte[] {0, 3, 0, 0, 0, 100});
        assertThat(parser.matches(settings, 0, settings.length, FlowDirection.SERVER_TO_CLIENT))
                .isEqualTo(ProtocolParser.MEDIUM);
        byte[] http1 = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parser.matches(http1, 0, http1.length, FlowDirection.CLIENT_TO_SERVER))
                .isEqualTo(ProtocolParser.NO);
        assertThat(parser.matches(preface, 0, 3, FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.NO);
    }

    @Test
    void garbageAndMutatedFramesNeverThrowNorReportInternalErrors() {
        Random random = new Random(9113);
        byte[] valid = concat(Http2Frames.PREFACE,
                frame(Http2Frames.HEADERS, Http2Frames.FLAG_END_HEADERS, 1, block(":method", "GET", ":path", "/")),
                frame(Http2Frames.DATA, Http2Frames.FLAG_END_STREAM, 1, new byte[20]));
        for (int round = 0; round < 5_000; round++) {
            byte[] input = valid.clone();
            for (int k = 0; k < 1 + random.nextInt(6); k++) {
                input[random.nextInt(input.length)] = (byte) random.nextInt(256);
            }
            if (round % 3 == 0) {
                random.nextBytes(input);
            }
            StreamDecoder d = parser.newDecoder(
                    round % 2 == 0 ? FlowDirection.CLIENT_TO_SERVER : FlowDirection.SERVER_TO_CLIENT);
            int off = 0;
            while (off < input.length) {
                int n = Math.min(input.length - off, 1 + random.nextInt(40));
                int captured = random.nextInt(4) == 0 ? random.nextInt(n + 1) : n;
                d.feed(new Segment(input, off, captured, n, off, Segment.NO_TCP_SEQ, 0), sink);
                off += n;
            }
            d.close(sink);
        }
        assertThat(errors).extracting(DecodeError::kind).doesNotContain(DecodeError.Kind.INTERNAL);
    }
}
