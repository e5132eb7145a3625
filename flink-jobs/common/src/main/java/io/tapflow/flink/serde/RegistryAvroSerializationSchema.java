package io.tapflow.flink.serde;

import io.tapflow.schema.serde.AvroSerializer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Flink {@link SerializationSchema} writing Avro records (SpecificRecord or GenericRecord) in Confluent wire format
 * through the schema registry, for {@code KafkaRecordSerializationSchema.builder().setValueSerializationSchema(..)}.
 *
 * <p>Only the topic and a string config map travel with the job graph; the registry client is created in
 * {@link #open}. Config keys: {@code schema.registry.url} (required), {@code auto.register.schemas}, basic auth,
 * timeouts and retries as in {@link io.tapflow.schema.registry.SchemaRegistryClientConfig}.
 */
public final class RegistryAvroSerializationSchema<T> implements SerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final boolean isKey;
    private final HashMap<String, String> config;

    private transient AvroSerializer<T> serializer;

    private RegistryAvroSerializationSchema(String topic, boolean isKey, Map<String, String> config) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.isKey = isKey;
        this.config = new HashMap<>(Objects.requireNonNull(config, "config"));
        RegistryConfigs.requireUrl(this.config);
    }

    /** Serializes record values of {@code topic} under subject {@code <topic>-value}. */
    public static <T> RegistryAvroSerializationSchema<T> forValue(String topic, Map<String, String> config) {
        return new RegistryAvroSerializationSchema<>(topic, false, config);
    }

    /** Serializes record keys of {@code topic} under subject {@code <topic>-key}. */
    public static <T> RegistryAvroSerializationSchema<T> forKey(String topic, Map<String, String> config) {
        return new RegistryAvroSerializationSchema<>(topic, true, config);
    }

    @Override
    public void open(InitializationContext context) {
        serializer = new AvroSerializer<>();
        serializer.configure(config, isKey);
    }

    /** Null (a tombstone) serializes to null. */
    @Override
    public byte[] serialize(T element) {
        if (serializer == null) {
            throw new IllegalStateException("RegistryAvroSerializationSchema for topic " + topic
                    + " used before open()");
        }
        return serializer.serialize(topic, element);
    }
}
