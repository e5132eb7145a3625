package io.tapflow.protocols.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The harness itself, on a real capture: tcpdump on lo while curl fetched a file from python3 -m http.server,
 * once over IPv4 and once over IPv6 (pcap-fixture/curl-ipv4-ipv6.pcap).
 */
class CaptureTest {

    private static Capture fixture() throws Exception {
        return Capture.read(resource("/pcap-fixture/curl-ipv4-ipv6.pcap"));
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(CaptureTest.class.getResource(name).toURI());
    }

    private static String text(List<DirectedSegment> segments, FlowDirection d) {
        StringBuilder sb = new StringBuilder();
        for (DirectedSegment s : segments) {
            if (s.direction() == d) {
                Segment g = s.segment();
                sb.append(new String(g.bytes(), g.offset(), g.length(), StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    @Test
    void splitsTheCaptureIntoItsConnectionsWithClientsFromTheHandshake() throws Exception {
        List<Connection> connections = fixture().connections();
        assertThat(connections).hasSize(2);
        assertThat(connections.get(0).client().ip()).isEqualTo("127.0.0.1");
        assertThat(connections.get(1).client().ip()).isEqualTo("0:0:0:0:0:0:0:1");
        for (Connection c : connections) {
            assertThat(c.tcp()).isTrue();
            assertThat(c.server().port()).isEqualTo(18777);
            assertThat(text(c.segments(), FlowDirection.CLIENT_TO_SERVER)).startsWith("GET /hello.txt HTTP/1.1\r\n");
            String response = text(c.segments(), FlowDirection.SERVER_TO_CLIENT);
            assertThat(response).startsWith("HTTP/1.0 200 OK\r\n").endsWith("\r\n\r\nhello\n");
            DirectedSegment first = c.segments().get(0);
            assertThat(first.segment().tcpSeq()).isEqualTo(c.seqBase()[FlowDirection.CLIENT_TO_SERVER.ordinal()]);
        }
    }

    @Test
    void variantsKeepEveryByteTimeAndSequenceNumber() throws Exception {
        Connection c = fixture().connections().get(0);
        List<DirectedSegment> split = Decoding.split(c.segments(), new Random(3));
        assertThat(split.size()).isGreaterThan(c.segments().size());
        for (FlowDirection d : FlowDirection.values()) {
            assertThat(text(split, d)).isEqualTo(text(c.segments(), d));
        }
        for (DirectedSegment piece : split) {
            Segment s = piece.segment();
            DirectedSegment whole = c.segments().stream()
                    .filter(w -> w.segment().bytes() == s.bytes()).findFirst().orElseThrow();
            long offset = s.offset() - whole.segment().offset();
            assertThat(s.timestampNs()).isEqualTo(whole.segment().timestampNs());
            assertThat(s.tcpSeq()).isEqualTo((whole.segment().tcpSeq() + offset) & 0xFFFF_FFFFL);
        }
        List<DirectedSegment> limited = Decoding.captureLimit(c.segments(), 4);
        assertThat(limited).allSatisfy(s -> assertThat(s.segment().length()).isLessThanOrEqualTo(4));
        assertThat(limited.stream().mapToLong(s -> s.segment().byteCount()).sum())
                .isEqualTo(c.segments().stream().mapToLong(s -> s.segment().byteCount()).sum());
    }

    @Test
    void renderingEscapesAndCutsLongText() {
        assertThat(GoldenRenderer.text("a b\r\n\u0001")).isEqualTo("\"a b\\r\\n\\x01\"");
        assertThat(GoldenRenderer.text("x".repeat(200))).endsWith("…(200 chars)");
    }
}
