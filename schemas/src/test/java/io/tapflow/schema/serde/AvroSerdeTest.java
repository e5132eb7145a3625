package io.tapflow.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.schema.registry.RegistryUnreachableException;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.testing.Greeting;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Serde failures that are detected before (or instead of) a successful registry call. The registry URL points at a
 * closed port, so a test that reached the registry by mistake would fail with RegistryUnreachableException.
 */
class AvroSerdeTest {

    private Map<String, Object> config;

    @BeforeEach
    void closedRegistry() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        config = Map.of(SchemaRegistryClientConfig.URL, "http://127.0.0.1:" + port,
                SchemaRegistryClientConfig.RETRY_MAX_ATTEMPTS, 2,
                SchemaRegistryClientConfig.RETRY_BACKOFF_MS, 10);
    }

    private AvroDeserializer<GenericRecord> deserializer() {
        AvroDeserializer<GenericRecord> deserializer = new AvroDeserializer<>();
        deserializer.configure(config, false);
        return deserializer;
    }

    @Test
    void nullIsATombstoneBothWays() {
        AvroSerializer<Greeting> serializer = new AvroSerializer<>();
        serializer.configure(config, false);

        assertThat(serializer.serialize("greetings", null)).isNull();
        assertThat(deserializer().deserialize("greetings", null)).isNull();
    }

    @Test
    void truncatedHeader() {
        assertThatThrownBy(() -> deserializer().deserialize("greetings", new byte[] {0, 0, 1}))
                .isInstanceOf(TruncatedMessageException.class)
                .hasMessageContaining("topic greetings")
                .hasMessageContaining("3 bytes is too short");
    }

    @Test
    void wrongMagicByte() {
        assertThatThrownBy(() -> deserializer().deserialize("greetings", new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOf(UnknownMagicByteException.class)
                .hasMessageContaining("topic greetings")
                .hasMessageContaining("magic byte 0x01")
                .hasMessageContaining("not Confluent wire format");
    }

    @Test
    void deserializerWithUnreachableRegistryNamesTopicAndUrl() {
        assertThatThrownBy(() -> deserializer().deserialize("greetings", WireFormat.encode(5, new byte[] {2})))
                .isInstanceOfSatisfying(RegistryUnreachableException.class,
                        e -> assertThat(e.attempts()).isEqualTo(2))
                .hasMessageContaining("topic greetings")
                .hasMessageContaining("schema id 5")
                .hasMessageContaining(config.get(SchemaRegistryClientConfig.URL) + "/schemas/ids/5")
                .hasMessageContaining("after 2 attempts");
    }

    @Test
    void serializerWithUnreachableRegistryNamesTopicAndSubject() {
        AvroSerializer<Greeting> serializer = new AvroSerializer<>();
        serializer.configure(config, false);

        assertThatThrownBy(() -> serializer.serialize("greetings", new Greeting("ada", 1)))
                .isInstanceOf(RegistryUnreachableException.class)
                .hasMessageContaining("topic greetings (subject greetings-value")
                .hasMessageContaining("/subjects/greetings-value/versions");
    }

    @Test
    void serializerRejectsNonAvroValues() {
        AvroSerializer<Object> serializer = new AvroSerializer<>();
        serializer.configure(config, true);

        assertThatThrownBy(() -> serializer.serialize("greetings", "plain string"))
                .isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("topic greetings")
                .hasMessageContaining("java.lang.String");
    }

    @Test
    void specificTypeMustBeASpecificRecord() {
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        assertThatThrownBy(() -> deserializer.configure(Map.of(SchemaRegistryClientConfig.URL, "http://x:1",
                AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, String.class.getName()), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an Avro SpecificRecord");
    }
}
