package io.tapflow.protocols.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.protocols.testing.Decoding.Emitted;
import io.tapflow.protocols.testing.Decoding.Output;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.schema.ResponseStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the goldens do not show by themselves: pointer loops, transports, partial datagrams, detection. */
class DnsParserTest {

    private final DnsParser parser = new DnsParser(Goldens.OPTIONS);

    private static Capture.Connection connection(String name, int index) {
        return Goldens.of("dns").filter(g -> g.name().equals(name)).findFirst().orElseThrow().capture()
                .connections().get(index);
    }

    private static List<L7Message> messages(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Emitted).map(o -> ((Emitted) o).message()).toList();
    }

    /** Runs one decoder per direction, made by the parser with a given transport. */
    private static List<L7Message> decode(DnsParser p, DnsParser.Transport t, List<DirectedSegment> segments) {
        List<L7Message> out = new ArrayList<>();
        MessageSink sink = out::add;
        StreamDecoder[] d = {p.newDecoder(FlowDirection.CLIENT_TO_SERVER, t),
            p.newDecoder(FlowDirection.SERVER_TO_CLIENT, t)};
        for (DirectedSegment s : segments) {
            d[s.direction().ordinal()].feed(s.segment(), sink);
        }
        return out;
    }

    @Test
    void compressionPointerLoopsAndForwardPointersAreBad() {
        byte[] self = new byte[14];
        self[12] = (byte) 0xc0;
        self[13] = 12; // points at itself
        assertThat(DnsWire.readName(self, 0, 12, self.length, new StringBuilder())).isEqualTo(DnsWire.BAD);
        // "a" then a pointer back to "a": a two-step loop through a label
        byte[] cycle = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'a', (byte) 0xc0, 12};
        assertThat(DnsWire.readName(cycle, 0, 14, cycle.length, null)).isEqualTo(DnsWire.BAD);
        byte[] forward = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 14, 0, 0};
        assertThat(DnsWire.readName(forward, 0, 12, forward.length, null)).isEqualTo(DnsWire.BAD);
    }

    @Test
    void compressedNameFollowsBackwardPointers() {
        // "x.tapflow.test" stored as label "x" + pointer to "tapflow.test" at offset 12
        byte[] b = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 't', 'a', 'p', 'f', 'l', 'o', 'w', 4, 't', 'e', 's', 't', 0,
            1, 'x', (byte) 0xc0, 12};
        StringBuilder name = new StringBuilder();
        assertThat(DnsWire.readName(b, 0, 26, b.length, name)).isEqualTo(30);
        assertThat(name).hasToString("x.tapflow.test");
    }

    @Test
    void autoDetectionAgreesWithTheTransportTheCallerKnows() {
        for (String[] g : new String[][] {{"01-a", "UDP"}, {"03-txt", "UDP"}, {"07-tcp", "TCP"},
            {"08-tcp-multi", "TCP"}}) {
            Capture.Connection c = connection(g[0], 0);
            List<L7Message> auto = messages(Decoding.run(parser, c.segments()));
            List<L7Message> known = decode(parser, DnsParser.Transport.valueOf(g[1]), c.segments());
            assertThat(auto).as(g[0]).isNotEmpty().isEqualTo(known);
        }
    }

    @Test
    void datagramCapturedInPartIsEmittedTruncatedAndTheNextOneDecodes() {
        Capture.Connection c = connection("01-a", 0);
        List<DirectedSegment> limited = Decoding.captureLimit(c.segments(), 40);
        List<L7Message> out = messages(Decoding.run(parser, limited));
        assertThat(out).hasSize(2).allMatch(L7Message::truncated);
        assertThat(out.get(1).pairId()).isEqualTo(out.get(0).pairId());
        assertThat(out.get(1).requestResource()).isEqualTo("www.tapflow.test");
        assertThat(out.get(1).responseStatus()).isEqualTo(ResponseStatus.OK);
        // the same datagram twice: the hole ends with its segment, so the second one decodes as well
        List<DirectedSegment> twice = new ArrayList<>(limited.subList(0, 1));
        twice.add(limited.get(0));
        assertThat(decode(parser, DnsParser.Transport.UDP, twice)).hasSize(2);
    }

    @Test
    void rcodesMapToWhoIsToBlame() {
        assertThat(DnsCodes.status(0)).isEqualTo(ResponseStatus.OK);
        assertThat(DnsCodes.status(1)).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(DnsCodes.status(3)).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(DnsCodes.status(5)).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(DnsCodes.status(2)).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(DnsCodes.status(4)).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(DnsCodes.type(28)).isEqualTo("AAAA");
        assertThat(DnsCodes.type(65280)).isEqualTo("TYPE65280");
        assertThat(DnsCodes.rcode(3)).isEqualTo("NXDOMAIN");
    }

    @Test
    void matchesRealFirstBytesInTheirDirectionOnly() {
        for (String name : new String[] {"01-a", "07-tcp"}) {
            Capture.Connection c = connection(name, 0);
            Segment q = c.segments().get(0).segment();
            Segment r = c.segments().get(1).segment();
            assertThat(parser.matches(q.bytes(), q.offset(), q.length(), FlowDirection.CLIENT_TO_SERVER))
                    .as(name).isEqualTo(ProtocolParser.MEDIUM + 10);
            assertThat(parser.matches(r.bytes(), r.offset(), r.length(), FlowDirection.SERVER_TO_CLIENT))
                    .as(name).isEqualTo(ProtocolParser.MEDIUM + 10);
            assertThat(parser.matches(q.bytes(), q.offset(), q.length(), FlowDirection.SERVER_TO_CLIENT))
                    .as(name).isEqualTo(ProtocolParser.NO);
        }
        byte[] redis = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(parser.matches(redis, 0, redis.length, FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.NO);
    }
}
