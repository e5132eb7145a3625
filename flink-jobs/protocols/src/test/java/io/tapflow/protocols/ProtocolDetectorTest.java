package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.L7Protocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolDetectorTest {

    /** Claims payloads starting with a prefix at a fixed confidence. */
    private record PrefixParser(L7Protocol protocol, String prefix, int confidence) implements ProtocolParser {
        @Override
        public int matches(byte[] payload, int offset, int length, FlowDirection direction) {
            if (length < prefix.length()) {
                return NO;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if (payload[offset + i] != prefix.charAt(i)) {
                    return NO;
                }
            }
            return confidence;
        }

        @Override
        public StreamDecoder newDecoder(FlowDirection direction) {
            throw new UnsupportedOperationException();
        }
    }

    private final ProtocolRegistry registry = new ProtocolRegistry(List.of(
            new PrefixParser(L7Protocol.HTTP2, "PRI", ProtocolParser.HIGH),
            new PrefixParser(L7Protocol.HTTP1, "P", ProtocolParser.MEDIUM),
            new PrefixParser(L7Protocol.REDIS, "PRI", ProtocolParser.HIGH)));

    @Test
    void mostConfidentWinsAndTiesGoToTheEarlierParser() {
        byte[] preface = "PRI * HTTP/2.0".getBytes(StandardCharsets.US_ASCII);
        assertThat(registry.detect(preface, 0, preface.length, FlowDirection.CLIENT_TO_SERVER, ProtocolParser.LOW))
                .hasValueSatisfying(d -> assertThat(d.parser().protocol()).isEqualTo(L7Protocol.HTTP2));
        byte[] post = "POST /".getBytes(StandardCharsets.US_ASCII);
        assertThat(registry.detect(post, 0, post.length, FlowDirection.CLIENT_TO_SERVER, ProtocolParser.HIGH))
                .isEmpty();
    }

    @Test
    void detectionIsStickyAndGivesUpAfterMaxAttempts() {
        ProtocolDetector detector = new ProtocolDetector();
        byte[] junk = "???".getBytes(StandardCharsets.US_ASCII);
        byte[] http = "POST".getBytes(StandardCharsets.US_ASCII);
        assertThat(detector.observe(registry, junk, 0, 3, FlowDirection.CLIENT_TO_SERVER, 50, 3)).isNull();
        assertThat(detector.observe(registry, http, 0, 4, FlowDirection.CLIENT_TO_SERVER, 50, 3))
                .isEqualTo(L7Protocol.HTTP1);
        assertThat(detector.observe(registry, junk, 0, 3, FlowDirection.CLIENT_TO_SERVER, 50, 3))
                .isEqualTo(L7Protocol.HTTP1);

        ProtocolDetector hopeless = new ProtocolDetector();
        for (int i = 0; i < 3; i++) {
            hopeless.observe(registry, junk, 0, 3, FlowDirection.CLIENT_TO_SERVER, 50, 3);
        }
        assertThat(hopeless.protocol).isEqualTo(L7Protocol.UNKNOWN);
        assertThat(hopeless.attempts).isEqualTo(3);
    }
}
