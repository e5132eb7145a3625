package io.tapflow.protocols.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.protocols.testing.Decoding.Emitted;
import io.tapflow.protocols.testing.Decoding.Output;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.schema.ResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the goldens do not show by themselves: holes, secrets, pushes, status mapping, detection. */
class RedisParserTest {

    private final RedisParser parser = new RedisParser(Goldens.OPTIONS);

    private static Capture capture(String name) {
        return Goldens.of("redis").filter(g -> g.name().equals(name)).findFirst().orElseThrow().capture();
    }

    private static List<L7Message> messages(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Emitted).map(o -> ((Emitted) o).message()).toList();
    }

    @Test
    void largeValueCapturedAs1024BytePrefixesSkipsByDeclaredLengthAndKeepsSync() {
        for (Capture.Connection c : capture("07-large-value").connections()) {
            List<Output> whole = Decoding.run(parser, c.segments());
            List<Output> limited = Decoding.run(parser, Decoding.captureLimit(c.segments(), 1024));
            assertThat(Decoding.hasErrors(limited)).as(c.describe()).isFalse();
            List<L7Message> a = messages(whole);
            List<L7Message> b = messages(limited);
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).requestType()).isEqualTo(a.get(i).requestType());
                assertThat(b.get(i).requestResource()).isEqualTo(a.get(i).requestResource());
                assertThat(b.get(i).length()).isEqualTo(a.get(i).length());
                assertThat(b.get(i).responseStatus()).isEqualTo(a.get(i).responseStatus());
                assertThat(b.get(i).truncated()).isEqualTo(a.get(i).length() > 1024);
            }
        }
    }

    @Test
    void valueArrivingAfterItsHeaderIsSkippedWithoutBufferingIt() {
        // the GET reply of the large-value capture, its 100 KB value fed in 1-byte-captured calls
        Capture.Connection get = capture("07-large-value").connections().get(1);
        List<DirectedSegment> thin = new ArrayList<>();
        for (DirectedSegment ds : get.segments()) {
            Segment s = ds.segment();
            thin.add(new DirectedSegment(ds.direction(), ds.direction() == FlowDirection.SERVER_TO_CLIENT
                    ? new Segment(s.bytes(), s.offset(), Math.min(12, s.length()), s.byteCount(), s.timestampNs(),
                    s.tcpSeq(), 0) : s));
        }
        List<L7Message> out = messages(Decoding.run(parser, thin));
        assertThat(out).extracting(L7Message::length).containsExactly(23L, 102411L);
        assertThat(out.get(1).truncated()).isTrue();
    }

    @Test
    void authArgumentsNeverReachAMessage() {
        for (Capture.Connection c : capture("08-auth-failure").connections()) {
            for (L7Message m : messages(Decoding.run(parser, c.segments()))) {
                assertThat(m.toString() + m.attributes() + m.responseException() + m.requestResource())
                        .doesNotContain("s3cret-pw").doesNotContain("wrong-pw");
            }
        }
    }

    @Test
    void pushesAreMarkedAndCarryNoStatus() {
        List<L7Message> out = messages(Decoding.run(parser, capture("06-resp3").connections().get(0).segments()));
        List<L7Message> pushes = out.stream().filter(m -> "true".equals(m.attributes().get("push"))).toList();
        assertThat(pushes).hasSize(2).allMatch(m -> m.responseStatus() == ResponseStatus.UNKNOWN);
        long requests = out.stream().filter(m -> m.kind() == io.tapflow.protocols.MessageKind.REQUEST).count();
        assertThat(out.size() - pushes.size()).as("one reply per request once pushes are skipped")
                .isEqualTo(2 * requests);
    }

    @Test
    void nestedAttributeIsNotAnElementOfItsArray() {
        // unit test of the RESP3 grammar: "|" inside an aggregate describes the next element and is not counted
        byte[] reply = "*2\r\n|1\r\n+ttl\r\n:3\r\n:1\r\n$1\r\nx\r\n+OK\r\n".getBytes(StandardCharsets.US_ASCII);
        List<Output> out = Decoding.run(parser, List.of(new DirectedSegment(FlowDirection.SERVER_TO_CLIENT,
                Segment.of(reply, 1))));
        assertThat(Decoding.hasErrors(out)).isFalse();
        assertThat(messages(out)).extracting(L7Message::length).containsExactly(29L, 5L);
    }

    @Test
    void errorPrefixesMapToWhoIsToBlame() {
        assertThat(RedisCommands.errorStatus("ERR unknown command 'X'")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(RedisCommands.errorStatus("WRONGTYPE Operation")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(RedisCommands.errorStatus("NOAUTH Authentication required.")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(RedisCommands.errorStatus("BUSYKEY Target key name already exists."))
                .isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(RedisCommands.errorStatus("OOM command not allowed")).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(RedisCommands.errorStatus("LOADING Redis is loading")).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(RedisCommands.errorStatus("BUSY Redis is busy running a script"))
                .isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(RedisCommands.errorStatus("MASTERDOWN")).isEqualTo(ResponseStatus.SERVER_ERROR);
    }

    @Test
    void matchesRealFirstBytes() {
        Capture.Connection c = capture("01-set-get").connections().get(0);
        Segment request = c.segments().get(0).segment();
        Segment reply = c.segments().get(1).segment();
        assertThat(parser.matches(request.bytes(), request.offset(), request.length(), FlowDirection.CLIENT_TO_SERVER))
                .isEqualTo(ProtocolParser.HIGH);
        assertThat(parser.matches(reply.bytes(), reply.offset(), reply.length(), FlowDirection.SERVER_TO_CLIENT))
                .isEqualTo(ProtocolParser.MEDIUM);
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parser.matches(http, 0, http.length, FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.NO);
    }
}
