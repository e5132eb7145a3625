package io.tapflow.flink.kafka;

import io.tapflow.flink.serde.RegistryAvroSerializationSchema;
import io.tapflow.schema.topic.Topic;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Kafka sources and sinks of tapflow's topics, configured the one way every job needs: sources read raw
 * {@link KafkaRecord}s (decode with {@link AvroRecordDecoder}, so bad values become dead letters), from the group's
 * committed offsets or else the earliest, with read_committed isolation; sinks write Confluent wire-format Avro
 * EXACTLY_ONCE with a transaction timeout below the broker's 15-minute maximum (above it, the job restarts forever)
 * and record timestamps {@link NotAheadOfTheClock} (ahead, the broker rejects them and the job restarts forever).
 */
public final class TapflowKafka {

    /** Below the broker default transaction.max.timeout.ms (15 min), above any sane checkpoint interval. */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    /** How long a producer waits to fill a batch (overridable through the extra producer properties). */
    public static final Duration PRODUCER_LINGER = Duration.ofMillis(50);
    /** Batch size per partition, in bytes (overridable through the extra producer properties). */
    public static final int PRODUCER_BATCH_BYTES = 256 * 1024;

    /** The record key of a value, for topics keyed by a string id. */
    public interface KeyFunction<T> extends Function<T, String>, Serializable {
    }

    private TapflowKafka() {
    }

    /**
     * A source of {@code topics} for consumer group {@code groupId}.
     *
     * @param extra further consumer properties (security settings …), may be empty
     */
    public static KafkaSource<KafkaRecord> source(String bootstrapServers, String groupId, Properties extra,
            Topic... topics) {
        return sourceBuilder(bootstrapServers, groupId, extra, topics).build();
    }

    /** The builder of {@link #source}, for callers that add to it (a bounded source in tests, say). */
    public static KafkaSourceBuilder<KafkaRecord> sourceBuilder(String bootstrapServers, String groupId,
            Properties extra, Topic... topics) {
        String[] names = new String[topics.length];
        for (int i = 0; i < topics.length; i++) {
            names[i] = topics[i].topicName();
        }
        return KafkaSource.<KafkaRecord>builder()
                .setBootstrapServers(Objects.requireNonNull(bootstrapServers, "bootstrapServers"))
                .setGroupId(Objects.requireNonNull(groupId, "groupId"))
                .setTopics(names)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new KafkaRecordSchema())
                .setProperties(extra)
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true");
    }

    /**
     * An EXACTLY_ONCE sink of {@code topic}'s values keyed by {@code key}.
     *
     * @param transactionalIdPrefix unique per job and sink: two jobs sharing a prefix abort each other's
     *                              transactions
     */
    public static <T> KafkaSink<T> exactlyOnceSink(String bootstrapServers, Topic topic, KeyFunction<T> key,
            Map<String, String> registryConfig, String transactionalIdPrefix, Properties extra) {
        RegistryAvroSerializationSchema<T> values =
                RegistryAvroSerializationSchema.forValue(topic.topicName(), registryConfig);
        Properties producer = new Properties();
        // records reach read_committed consumers only when the checkpoint commits the transaction, which flushes
        // whatever lingers: waiting longer for fuller batches delays no reader and cuts the producer's per-request
        // work (its I/O thread was 11% of the flow-aggregation job's CPU with the 16 KB / 5 ms defaults)
        producer.setProperty("linger.ms", String.valueOf(PRODUCER_LINGER.toMillis()));
        producer.setProperty("batch.size", String.valueOf(PRODUCER_BATCH_BYTES));
        producer.putAll(extra);
        producer.setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(Objects.requireNonNull(bootstrapServers, "bootstrapServers"))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix"))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new NotAheadOfTheClock<>(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic.topicName())
                        .setKeySerializationSchema(v -> key.apply(v).getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(values)
                        .build()))
                .build();
    }
}
