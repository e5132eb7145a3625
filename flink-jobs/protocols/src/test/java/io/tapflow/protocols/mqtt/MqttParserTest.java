package io.tapflow.protocols.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.protocols.testing.Decoding.Emitted;
import io.tapflow.protocols.testing.Decoding.Output;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.protocols.testing.Goldens.Golden;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MqttParser on the real captures: detection, partial capture of a large PUBLISH, reason code classes. */
class MqttParserTest {

    private static Golden golden(String name) {
        return Goldens.of("mqtt").filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<L7Message> messages(List<Output> out) {
        return out.stream().filter(o -> o instanceof Emitted).map(o -> ((Emitted) o).message()).toList();
    }

    @Test
    void everyCapturedConnectionIsDetectedByItsConnectWithHighConfidence() {
        ProtocolRegistry registry = ProtocolRegistry.defaults(Goldens.OPTIONS);
        Goldens.of("mqtt").forEach(g -> {
            for (Connection c : g.capture().connections()) {
                DirectedSegment first = c.segments().get(0);
                var s = first.segment();
                assertThat(registry.detect(s.bytes(), s.offset(), s.length(), first.direction(), ProtocolParser.HIGH))
                        .as("%s %s", g, c.describe())
                        .hasValueSatisfying(d -> assertThat(d.parser().protocol()).isEqualTo(L7Protocol.MQTT));
            }
        });
    }

    @Test
    void aLargePublishCapturedAsAPrefixKeepsItsTopicAndTheStreamInSync() {
        Golden g = golden("06-publish-pipelined-v311");
        Connection big = g.capture().connections().get(1);
        List<L7Message> whole = messages(Decoding.run(g.parser(), big.segments()));
        List<Output> limited = Decoding.run(g.parser(), Decoding.captureLimit(big.segments(), 64));
        List<L7Message> prefix = messages(limited);

        assertThat(Decoding.hasErrors(limited)).isFalse();
        assertThat(prefix).extracting(L7Message::requestType).isEqualTo(whole.stream().map(L7Message::requestType)
                .toList());
        L7Message publish = prefix.stream().filter(m -> "PUBLISH".equals(m.requestType())).findFirst().orElseThrow();
        assertThat(publish.requestResource()).isEqualTo("batch/big");
        assertThat(publish.length()).isEqualTo(4516);
        assertThat(publish.truncated()).isTrue();
    }

    @Test
    void reasonCodesSplitIntoClientAndServerErrors() {
        assertThat(MqttReasonCodes.v5(0x00)).isEqualTo(ResponseStatus.OK);
        assertThat(MqttReasonCodes.v5(0x10)).as("no matching subscribers").isEqualTo(ResponseStatus.OK);
        assertThat(MqttReasonCodes.v5(0x86)).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(MqttReasonCodes.v5(0x87)).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(MqttReasonCodes.v5(0x88)).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(MqttReasonCodes.v311Connack(3)).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(MqttReasonCodes.v311Connack(4)).isEqualTo(ResponseStatus.CLIENT_ERROR);
    }

    @Test
    void fixedHeaderFlagsAreChecked() {
        assertThat(MqttParser.validFlags(MqttPackets.SUBSCRIBE, 0x02)).isTrue();
        assertThat(MqttParser.validFlags(MqttPackets.SUBSCRIBE, 0x00)).isFalse();
        assertThat(MqttParser.validFlags(MqttPackets.PUBLISH, 0x06)).as("QoS 3").isFalse();
        assertThat(MqttParser.validFlags(0, 0)).isFalse();
        assertThat(MqttParser.validLength(MqttPackets.PINGREQ, 1)).isFalse();
    }
}
