package io.tapflow.protocols.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.protocols.testing.Decoding.Emitted;
import io.tapflow.protocols.testing.Decoding.Output;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.protocols.testing.Goldens.Golden;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KafkaParser on the real captures: detection, and sync when only 1024-byte prefixes were captured. */
class KafkaParserTest {

    private static Golden golden(String name) {
        return Goldens.of("kafka").filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<L7Message> messages(List<Output> out) {
        return out.stream().filter(o -> o instanceof Emitted).map(o -> ((Emitted) o).message()).toList();
    }

    @Test
    void everyCapturedConnectionIsDetectedAsKafkaFromItsFirstRequest() {
        ProtocolRegistry registry = ProtocolRegistry.defaults(Goldens.OPTIONS);
        Goldens.of("kafka").forEach(g -> {
            for (Connection c : g.capture().connections()) {
                DirectedSegment first = c.segments().stream()
                        .filter(s -> s.direction() == FlowDirection.CLIENT_TO_SERVER).findFirst().orElseThrow();
                var s = first.segment();
                assertThat(registry.detect(s.bytes(), s.offset(), s.length(), first.direction(), ProtocolParser.MEDIUM))
                        .as("%s %s", g, c.describe())
                        .hasValueSatisfying(d -> assertThat(d.parser().protocol()).isEqualTo(L7Protocol.KAFKA));
            }
        });
    }

    @Test
    void aProduceCapturedAsA1024BytePrefixKeepsTheTopicAndTheStreamInSync() {
        Golden g = golden("02-produce-kcat");
        Connection producer = g.capture().connections().get(1);
        List<L7Message> whole = messages(Decoding.run(g.parser(), producer.segments()));
        List<Output> limited = Decoding.run(g.parser(), Decoding.captureLimit(producer.segments(), 1024));
        List<L7Message> prefix = messages(limited);

        assertThat(Decoding.hasErrors(limited)).isFalse();
        assertThat(prefix).hasSameSizeAs(whole);
        L7Message produce = prefix.stream().filter(m -> "Produce".equals(m.requestType())).findFirst().orElseThrow();
        assertThat(produce.length()).isGreaterThan(4000);
        assertThat(produce.truncated()).isTrue();
        assertThat(produce.requestResource()).isEqualTo("orders");
        for (int i = 0; i < whole.size(); i++) {
            assertThat(prefix.get(i).pairId()).isEqualTo(whole.get(i).pairId());
            assertThat(prefix.get(i).kind()).isEqualTo(whole.get(i).kind());
            assertThat(prefix.get(i).length()).isEqualTo(whole.get(i).length());
        }
    }

    @Test
    void responsesCarryTheCorrelationIdOfTheirRequest() {
        Golden g = golden("05-consumer-group-kcat");
        for (Connection c : g.capture().connections()) {
            List<L7Message> all = messages(Decoding.run(g.parser(), c.segments()));
            List<Long> requests = all.stream().filter(m -> m.kind() == MessageKind.REQUEST).map(L7Message::pairId)
                    .toList();
            all.stream().filter(m -> m.kind() == MessageKind.RESPONSE)
                    .forEach(r -> assertThat(requests).contains(r.pairId()));
        }
    }

    @Test
    void metadataResponsesForAnUnknownTopicCarryTheErrorOfTheirRequest() {
        Golden g = golden("04-produce-unknown-topic-kcat");
        List<L7Message> metadata = g.capture().connections().stream()
                .flatMap(c -> messages(Decoding.run(g.parser(), c.segments())).stream())
                .filter(m -> m.kind() == MessageKind.RESPONSE && "Metadata".equals(m.requestType()))
                .toList();
        assertThat(metadata).isNotEmpty().allSatisfy(m -> {
            assertThat(m.version()).isEqualTo("4");
            assertThat(m.responseCode()).isEqualTo(3);
            assertThat(m.responseStatus()).isEqualTo(ResponseStatus.CLIENT_ERROR);
            assertThat(m.responseException()).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION");
        });
    }

    @Test
    void aDecoderMadeAloneDecodesResponseHeadersOnly() {
        Golden g = golden("06-produce-consume-group-java");
        ProtocolParser parser = g.parser();
        for (Connection c : g.capture().connections()) {
            StreamDecoder[] alone = {parser.newDecoder(FlowDirection.CLIENT_TO_SERVER),
                    parser.newDecoder(FlowDirection.SERVER_TO_CLIENT)};
            List<L7Message> out = new ArrayList<>();
            MessageSink sink = new MessageSink() {
                @Override
                public void message(L7Message message) {
                    out.add(message);
                }

                @Override
                public void error(DecodeError error) {
                    throw new AssertionError(error.toString());
                }
            };
            for (DirectedSegment s : c.segments()) {
                alone[s.direction().ordinal()].feed(s.segment(), sink);
            }
            List<L7Message> responses = out.stream().filter(m -> m.kind() == MessageKind.RESPONSE).toList();
            assertThat(responses).isNotEmpty().allSatisfy(m -> {
                assertThat(m.requestType()).isNull();
                assertThat(m.responseCode()).isNull();
                assertThat(m.responseStatus()).isEqualTo(ResponseStatus.UNKNOWN);
            });
        }
        List<L7Message> paired = g.capture().connections().stream()
                .flatMap(c -> messages(Decoding.run(parser, c.segments())).stream())
                .filter(m -> m.kind() == MessageKind.RESPONSE).toList();
        assertThat(paired).allSatisfy(m -> assertThat(m.requestType()).isNotNull())
                .anySatisfy(m -> assertThat(m.responseCode()).isEqualTo(0));
    }

    @Test
    void flexibleVersionsFollowTheMessageSpecs() {
        assertThat(KafkaApis.flexible(KafkaApis.PRODUCE, 8)).isFalse();
        assertThat(KafkaApis.flexible(KafkaApis.PRODUCE, 9)).isTrue();
        assertThat(KafkaApis.flexible(KafkaApis.FETCH, 11)).isFalse();
        assertThat(KafkaApis.flexible(KafkaApis.FETCH, 12)).isTrue();
        assertThat(KafkaApis.flexible(17, 1)).as("SaslHandshake is never flexible").isFalse();
        assertThat(KafkaApis.flexible(500, 0)).as("unknown newer keys").isTrue();
        assertThat(KafkaApis.name(18)).isEqualTo("ApiVersions");
        assertThat(KafkaApis.name(92)).isEqualTo("DeleteShareGroupOffsets");
        assertThat(KafkaApis.name(93)).isEqualTo("ApiKey93");
    }
}
