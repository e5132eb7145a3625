package io.tapflow.collector.metrics;

import io.tapflow.collector.publish.DropReason;
import io.tapflow.collector.publish.EventKind;
import io.tapflow.collector.publish.KafkaEventPublisher;
import io.tapflow.collector.publish.PublishStats;
import io.tapflow.collector.source.RawEventSource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The agent's own metrics ({@code tapflow_collector_*}): events and bytes taken from the source by type, drops by
 * reason, source (kernel / capture) drops, hand-off queue depth, Kafka outage state and producer buffer, published
 * records, JVM heap; plus any extra counters a source reports (the replay's, by name).
 */
public final class CollectorMetrics implements MetricsSource {

    private static final String PREFIX = "tapflow_collector_";

    private final KafkaEventPublisher publisher;
    private final RawEventSource source;
    private final Supplier<Map<String, Long>> sourceCounters;
    private final Map<EventKind, LongAdder> bytesByKind = new java.util.EnumMap<>(EventKind.class);

    public CollectorMetrics(KafkaEventPublisher publisher, RawEventSource source,
                            Supplier<Map<String, Long>> sourceCounters) {
        this.publisher = publisher;
        this.source = source;
        this.sourceCounters = sourceCounters;
        for (EventKind kind : EventKind.values()) {
            bytesByKind.put(kind, new LongAdder());
        }
    }

    /** Polling thread: bytes the captured calls moved (byte_count), by event kind. */
    public void countBytes(EventKind kind, long bytes) {
        bytesByKind.get(kind).add(bytes);
    }

    /** Heap used after the latest collection, summed over heap pools: garbage not yet collected excluded. */
    static long liveHeapBytes() {
        long live = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && afterGc != null) {
                live += afterGc.getUsed();
            }
        }
        return live;
    }

    @Override
    public void writeTo(PrometheusWriter out) {
        PublishStats stats = publisher.stats();
        out.family(PREFIX + "events_total", PrometheusWriter.Type.COUNTER,
                "Events the agent took from its source, by type.");
        for (EventKind kind : EventKind.values()) {
            out.sample("type", kind.label(), stats.offered(kind));
        }
        out.family(PREFIX + "event_bytes_total", PrometheusWriter.Type.COUNTER,
                "Bytes moved by the captured calls (byte_count), by event type.");
        for (EventKind kind : EventKind.values()) {
            out.sample("type", kind.label(), bytesByKind.get(kind).sum());
        }
        out.family(PREFIX + "published_total", PrometheusWriter.Type.COUNTER,
                "Records Kafka acknowledged, by topic.");
        for (EventKind kind : EventKind.values()) {
            out.sample("topic", kind.topic().topicName(), stats.published(kind));
        }
        out.family(PREFIX + "published_bytes_total", PrometheusWriter.Type.COUNTER,
                "Encoded bytes (key + value) Kafka acknowledged.").sample(stats.publishedBytes());
        out.family(PREFIX + "dropped_total", PrometheusWriter.Type.COUNTER,
                "Events dropped by the agent, by reason.");
        for (DropReason reason : DropReason.values()) {
            out.sample("reason", reason.label(), stats.dropped(reason));
        }
        out.family(PREFIX + "source_dropped_total", PrometheusWriter.Type.COUNTER,
                "Events lost before reaching the agent (kernel ring buffer full, truncated capture records).")
                .sample(source.sourceDrops());
        out.family(PREFIX + "queue_depth", PrometheusWriter.Type.GAUGE,
                "Events in the hand-off queue between the polling thread and the publisher.").sample(stats.queued());
        out.family(PREFIX + "queue_capacity", PrometheusWriter.Type.GAUGE,
                "Most events the hand-off queue holds.").sample(publisher.queueCapacity());
        out.family(PREFIX + "queue_bytes", PrometheusWriter.Type.GAUGE,
                "Approximate bytes in the hand-off queue.").sample(stats.queuedBytes());
        out.family(PREFIX + "in_flight", PrometheusWriter.Type.GAUGE,
                "Events handed to the Kafka producer and not acknowledged yet.").sample(stats.inFlight());
        out.family(PREFIX + "kafka_outage", PrometheusWriter.Type.GAUGE,
                "1 while Kafka is unreachable (records buffered, then dropped), else 0.")
                .sample(publisher.kafkaOutage() ? 1 : 0);
        out.family(PREFIX + "kafka_buffered_bytes", PrometheusWriter.Type.GAUGE,
                "Bytes held for Kafka: the outage backlog plus the producer's buffer in use.")
                .sample(publisher.bufferedBytes());
        out.family(PREFIX + "kafka_backlog_bytes", PrometheusWriter.Type.GAUGE,
                "Bytes of encoded records waiting for Kafka to come back, in order.").sample(publisher.backlogBytes());
        out.family(PREFIX + "kafka_buffer_limit_bytes", PrometheusWriter.Type.GAUGE,
                "The budget for kafka_buffered_bytes (--kafka-buffer-bytes).").sample(publisher.bufferBytesLimit());
        Map<String, Long> extra = sourceCounters.get();
        if (!extra.isEmpty()) {
            out.family(PREFIX + "source_events_total", PrometheusWriter.Type.COUNTER,
                    "What the source counted (for a replay: packets, connections, retransmissions, gaps...).");
            extra.forEach((name, value) -> out.sample("counter", name, value));
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.family(PREFIX + "jvm_heap_used_bytes", PrometheusWriter.Type.GAUGE, "JVM heap in use.")
                .sample(heap.getUsed());
        out.family(PREFIX + "jvm_heap_max_bytes", PrometheusWriter.Type.GAUGE, "JVM heap limit (-1 = none).")
                .sample(heap.getMax());
        out.family(PREFIX + "jvm_heap_live_bytes", PrometheusWriter.Type.GAUGE,
                "JVM heap in use right after the last garbage collection of each heap pool (the live data).")
                .sample(liveHeapBytes());
    }
}
