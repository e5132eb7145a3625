package io.tapflow.collector.publish;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the agent publishes to Kafka, and the bounds that keep its memory fixed whatever Kafka does.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param schemaRegistryUrl the Confluent-API schema registry
 * @param queueCapacity events the hand-off queue holds at most
 * @param queueBytes approximate bytes (payload plus a fixed per-event overhead) the hand-off queue holds at most
 * @param bufferBytes the producer's {@code buffer.memory}: what is kept while Kafka is unreachable
 * @param maxBlock the producer's {@code max.block.ms}: how long a send may wait for buffer space or metadata before
 *     the record is dropped ({@code kafka_unavailable}); small, so an outage turns into counted drops quickly
 * @param deliveryTimeout the producer's {@code delivery.timeout.ms}: buffered records older than this are dropped
 * @param maxRecordBytes larger encoded records are dropped as {@code oversize} (and {@code max.request.size})
 * @param outageAfter no acknowledgement for this long while records are pending = Kafka is down (logged once)
 * @param extraProducerConfig further producer settings (e.g. security), applied last except for the ones this
 *     class fixes for ordering (acks, idempotence, in-flight requests)
 */
public record PublisherSettings(
        String bootstrapServers,
        String schemaRegistryUrl,
        int queueCapacity,
        long queueBytes,
        long bufferBytes,
        Duration maxBlock,
        Duration deliveryTimeout,
        int maxRecordBytes,
        Duration outageAfter,
        Map<String, String> extraProducerConfig) {

    public static final int DEFAULT_QUEUE_CAPACITY = 16_384;
    public static final long DEFAULT_QUEUE_BYTES = 32L << 20;
    public static final long DEFAULT_BUFFER_BYTES = 32L << 20;
    public static final Duration DEFAULT_MAX_BLOCK = Duration.ofMillis(50);
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;
    public static final Duration DEFAULT_OUTAGE_AFTER = Duration.ofSeconds(5);

    public PublisherSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        extraProducerConfig = Map.copyOf(extraProducerConfig);
        if (queueCapacity < 1 || queueBytes < 1 || bufferBytes < 1 || maxRecordBytes < 1) {
            throw new IllegalArgumentException("queue capacity, queue bytes, buffer bytes and max record bytes must be"
                    + " positive");
        }
    }

    public static PublisherSettings defaults(String bootstrapServers, String schemaRegistryUrl) {
        return new PublisherSettings(bootstrapServers, schemaRegistryUrl, DEFAULT_QUEUE_CAPACITY, DEFAULT_QUEUE_BYTES,
                DEFAULT_BUFFER_BYTES, DEFAULT_MAX_BLOCK, DEFAULT_DELIVERY_TIMEOUT, DEFAULT_MAX_RECORD_BYTES,
                DEFAULT_OUTAGE_AFTER, Map.of());
    }

    public PublisherSettings withQueue(int capacity, long bytes) {
        return new PublisherSettings(bootstrapServers, schemaRegistryUrl, capacity, bytes, bufferBytes, maxBlock,
                deliveryTimeout, maxRecordBytes, outageAfter, extraProducerConfig);
    }

    public PublisherSettings withBuffer(long bytes, Duration block, Duration delivery) {
        return new PublisherSettings(bootstrapServers, schemaRegistryUrl, queueCapacity, queueBytes, bytes, block,
                delivery, maxRecordBytes, outageAfter, extraProducerConfig);
    }

    public PublisherSettings withOutageAfter(Duration value) {
        return new PublisherSettings(bootstrapServers, schemaRegistryUrl, queueCapacity, queueBytes, bufferBytes,
                maxBlock, deliveryTimeout, maxRecordBytes, value, extraProducerConfig);
    }

    public PublisherSettings withExtraProducerConfig(Map<String, String> value) {
        return new PublisherSettings(bootstrapServers, schemaRegistryUrl, queueCapacity, queueBytes, bufferBytes,
                maxBlock, deliveryTimeout, maxRecordBytes, outageAfter, value);
    }
}
