package io.tapflow.collector.publish;

import io.tapflow.schema.ProcessInfo;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.registry.RegistryUnreachableException;
import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.retry.RetryPolicy;
import io.tapflow.schema.serde.AvroSerializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes raw events to Kafka without ever blocking the polling thread or growing without bound:
 * <ol>
 *   <li>{@link #offer} (polling thread) puts the event in a bounded hand-off queue (count and bytes); full = drop,
 *       counted {@code queue_full}.</li>
 *   <li>One publisher thread encodes it (Confluent wire format Avro, schema registered once per topic and cached) and
 *       sends it keyed by socket id (8-byte big-endian) or, for ProcessInfo, by {@code agent/pid/start}.</li>
 *   <li>While Kafka is away (the producer refuses records after {@code max.block.ms}: no metadata or no buffer
 *       space), encoded records wait in an {@link OutageBacklog}, in order; the backlog plus the producer's
 *       {@code buffer.memory} stay within the configured buffer budget. Past it, and for records the producer
 *       cannot deliver within {@code delivery.timeout.ms}, events are dropped and counted {@code
 *       kafka_unavailable}. When Kafka returns the backlog is sent first, then new records.</li>
 * </ol>
 * Per-socket order: one partition per key, idempotent producer (acks=all, at most 5 in-flight requests), which keeps
 * order across retries. Outage start and end are logged once each.
 */
public final class KafkaEventPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventPublisher.class);

    /** Per queued event on top of its payload: the record's other fields and the queue's own bookkeeping. */
    static final int EVENT_OVERHEAD_BYTES = 256;
    private static final Duration METADATA_WARM_UP = Duration.ofSeconds(15);

    private record Item(EventKind kind, SpecificRecord record, byte[] key, int size) {}

    private final PublisherSettings settings;
    private final String agentId;
    private final BlockingQueue<Item> queue;
    private final PublishStats stats = new PublishStats();
    private final Producer<byte[], byte[]> producer;
    private final SchemaRegistryClient registry;
    private final AvroSerializer<SpecificRecord> serializer;
    private final Thread thread;
    /** Publisher thread only (its byte count is thread-safe). */
    private final OutageBacklog backlog;
    private long nextDrainNanos;
    private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
    private volatile boolean outage;
    private volatile long outageStartNanos;
    private volatile long dropsAtOutageStart;
    private volatile boolean running = true;
    private final AtomicBoolean closed = new AtomicBoolean();

    public KafkaEventPublisher(PublisherSettings settings, String agentId) {
        this.settings = settings;
        this.agentId = agentId;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.backlog = new OutageBacklog(settings.bufferBytes() - producerBufferBytes(settings));
        // few quick retries: the publisher thread must not sit on an unreachable registry for long
        this.registry = SchemaRegistryClient.builder(settings.schemaRegistryUrl())
                .timeout(Duration.ofSeconds(5))
                .retry(new RetryPolicy(2, Duration.ofMillis(100), Duration.ofMillis(500)))
                .build();
        this.serializer = new AvroSerializer<>(registry);
        this.producer = new KafkaProducer<>(producerConfig(settings), new ByteArraySerializer(),
                new ByteArraySerializer());
        this.thread = new Thread(this::run, "tapflow-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    static Map<String, Object> producerConfig(PublisherSettings settings) {
        Map<String, Object> config = new HashMap<>(settings.extraProducerConfig());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, config.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG,
                "tapflow-collector"));
        // ordering per socket across retries
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        // the bounds
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(producerBufferBytes(settings)));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(settings.maxBlock().toMillis()));
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(settings.maxRecordBytes()));
        long request = Math.min(settings.deliveryTimeout().toMillis() / 2, 15_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(request));
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchBytes(settings)));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(
                settings.deliveryTimeout().toMillis(),
                Long.parseLong(config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG).toString())
                        + Long.parseLong(config.get(ProducerConfig.LINGER_MS_CONFIG).toString()))));
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.putIfAbsent(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        return config;
    }

    /**
     * The producer's share of the buffer budget (a quarter, at least 256 KiB): what is in flight or batched while
     * Kafka answers. The rest is the agent's own backlog for outages, where the producer would not keep records
     * (without metadata it refuses them after max.block.ms).
     */
    static long producerBufferBytes(PublisherSettings settings) {
        return Math.min(settings.bufferBytes() / 2, Math.max(256 << 10, settings.bufferBytes() / 4));
    }

    /**
     * The producer's {@code batch.size}: 256 KiB, or less when the producer's buffer is small (at most a sixteenth
     * of it, at least Kafka's default 16 KiB). Every new batch allocates ~130 KB of lz4 buffers in kafka-clients
     * 4.x, and with the default 16 KiB batches that allocation was half of the publisher thread's CPU at 35k
     * events/s; 256 KiB batches took the publishing path from ~183k to ~300k events per CPU-second.
     */
    static int batchBytes(PublisherSettings settings) {
        return (int) Math.max(16 << 10, Math.min(256 << 10, producerBufferBytes(settings) / 16));
    }

    /** Polling thread: never blocks. */
    public void offer(SocketDataEvent event) {
        enqueue(EventKind.SOCKET_DATA, event, socketKey(event.getSocketId()),
                event.getPayload().remaining() + EVENT_OVERHEAD_BYTES);
    }

    public void offer(TcpEvent event) {
        enqueue(EventKind.TCP_EVENT, event, socketKey(event.getSocketId()), EVENT_OVERHEAD_BYTES);
    }

    public void offer(ProcessInfo info) {
        String key = info.getAgentId() + "/" + info.getPid() + "/" + info.getStartTimeNs();
        enqueue(EventKind.PROCESS_INFO, info, key.getBytes(StandardCharsets.UTF_8),
                info.getCmdline().length() + EVENT_OVERHEAD_BYTES);
    }

    public PublishStats stats() {
        return stats;
    }

    public boolean kafkaOutage() {
        return outage;
    }

    public int queueCapacity() {
        return settings.queueCapacity();
    }

    public long queueBytesLimit() {
        return settings.queueBytes();
    }

    public long bufferBytesLimit() {
        return settings.bufferBytes();
    }

    /** Bytes held for Kafka now: the outage backlog plus the producer's buffer in use; at most the budget. */
    public long bufferedBytes() {
        double total = metric("buffer-total-bytes");
        double available = metric("buffer-available-bytes");
        long producer = Double.isNaN(total) || Double.isNaN(available) ? 0 : (long) (total - available);
        return backlog.bytes() + producer;
    }

    /** Bytes in the outage backlog now. */
    public long backlogBytes() {
        return backlog.bytes();
    }

    public String agentId() {
        return agentId;
    }

    private void enqueue(EventKind kind, SpecificRecord record, byte[] key, int size) {
        stats.recordOffered(kind);
        if (!running) {
            stats.recordDropped(DropReason.SHUTDOWN);
            return;
        }
        if (stats.queuedBytes.get() + size > settings.queueBytes()) {
            stats.recordDropped(DropReason.QUEUE_FULL);
            return;
        }
        stats.queued.incrementAndGet();
        stats.queuedBytes.addAndGet(size);
        if (!queue.offer(new Item(kind, record, key, size))) {
            stats.queued.decrementAndGet();
            stats.queuedBytes.addAndGet(-size);
            stats.recordDropped(DropReason.QUEUE_FULL);
        }
    }

    private void run() {
        warmUpMetadata();
        while (running || !queue.isEmpty() || !backlog.isEmpty()) {
            Item item;
            try {
                item = queue.poll(backlog.isEmpty() ? 100 : 20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            watchOutage();
            drainBacklog();
            if (item != null) {
                publish(item);
            }
        }
    }

    /**
     * Fetches the topics' metadata before the first send: a send waits at most max.block.ms (small on purpose) for
     * it, which a broker that just started may not meet. Events queue (bounded) meanwhile; after the deadline the
     * publisher starts anyway and an unreachable Kafka turns into counted drops.
     */
    private void warmUpMetadata() {
        long deadline = System.nanoTime() + METADATA_WARM_UP.toNanos();
        for (EventKind kind : EventKind.values()) {
            String topic = kind.topic().topicName();
            while (running) {
                try {
                    producer.partitionsFor(topic);
                    break;
                } catch (TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        LOG.warn("no metadata for topic {} after {} s (Kafka unreachable or topic missing);"
                                + " publishing anyway", topic, METADATA_WARM_UP.toSeconds());
                        return;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("cannot get metadata for topic {}: {}", topic, e.toString());
                    break;
                }
            }
        }
    }

    private void publish(Item item) {
        stats.inFlight.incrementAndGet();
        stats.queued.decrementAndGet();
        stats.queuedBytes.addAndGet(-item.size());
        String topic = item.kind().topic().topicName();
        byte[] value;
        try {
            value = serializer.serialize(topic, item.record());
        } catch (RegistryUnreachableException e) {
            fail(DropReason.REGISTRY_UNAVAILABLE, e);
            return;
        } catch (SerializationException | IllegalStateException e) {
            fail(DropReason.SERIALIZATION, e);
            return;
        }
        int size = value.length + item.key().length;
        if (size > settings.maxRecordBytes()) {
            fail(DropReason.OVERSIZE, null);
            return;
        }
        OutageBacklog.Encoded encoded = new OutageBacklog.Encoded(item.kind(), topic, item.key(), value);
        // behind a backlog, a record waits its turn: per-socket order
        if (!backlog.isEmpty() || !send(encoded)) {
            keep(encoded);
        }
    }

    /**
     * Hands a record to the producer; false when the producer did not take it within max.block.ms (no metadata, or
     * its buffer is full): Kafka is away or behind, and the caller keeps the record.
     */
    private boolean send(OutageBacklog.Encoded record) {
        SendAttempt attempt = new SendAttempt(record);
        try {
            producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()), attempt);
        } catch (RuntimeException e) {
            attempt.returned();
            fail(running ? classify(e) : DropReason.SHUTDOWN, e);
            return true;
        }
        Throwable refused = attempt.returned();
        if (refused == null) {
            return true;
        }
        if (!(refused instanceof BufferExhaustedException)) {
            enterOutage(refused.getMessage()); // no metadata within max.block.ms: the broker is not answering
        }
        // a full buffer alone means Kafka is slower than the source right now; watchOutage tells an outage
        return false;
    }

    /**
     * The callback of one send. The producer reports a record it refuses at once (no metadata or buffer space
     * within max.block.ms) by calling the callback inside send(): such a refusal is remembered for the caller to
     * keep the record, not counted as a drop.
     */
    private final class SendAttempt implements Callback {
        /** What the acknowledgement counts, taken now: the record itself is cold by the time Kafka answers. */
        private final EventKind kind;
        private final int bytes;
        private final AtomicBoolean inSend = new AtomicBoolean(true);
        private volatile Throwable refused;

        SendAttempt(OutageBacklog.Encoded record) {
            this.kind = record.kind();
            this.bytes = record.key().length + record.value().length;
        }

        /** send() returned: later callbacks are outcomes. Returns the refusal, if there was one. */
        Throwable returned() {
            inSend.set(false);
            return refused;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            if (error == null) {
                acknowledged(kind, bytes);
                return;
            }
            if (inSend.get() && error instanceof TimeoutException) {
                refused = error;
                return;
            }
            DropReason reason = classify(error);
            // a forced close at the shutdown deadline fails what the producer still held
            fail(!running && reason == DropReason.KAFKA_REJECTED ? DropReason.SHUTDOWN : reason, error);
        }
    }

    /** Into the backlog, or dropped when the buffer budget is used up. */
    private void keep(OutageBacklog.Encoded record) {
        if (!backlog.offer(record)) {
            fail(DropReason.KAFKA_UNAVAILABLE, null);
        }
    }

    /**
     * Sends the backlog in order while the producer takes records; retried every 200 ms while Kafka is away, every
     * 5 ms while the producer's buffer is merely full.
     */
    private void drainBacklog() {
        if (backlog.isEmpty() || System.nanoTime() < nextDrainNanos) {
            return;
        }
        while (!backlog.isEmpty()) {
            if (!send(backlog.peek())) {
                // an outage is tried again every 200 ms; a producer that is only full (Kafka slower than the
                // source) soon, or the backlog fills up within a fraction of a second at 300k events/s
                nextDrainNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(outage ? 200 : 5);
                return;
            }
            backlog.removeFirst();
        }
    }

    private void acknowledged(EventKind kind, int bytes) {
        lastAckNanos.set(System.nanoTime());
        stats.recordPublished(kind, bytes);
        stats.inFlight.decrementAndGet();
        if (outage) {
            outage = false;
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStartNanos);
            LOG.info("Kafka reachable again after {} s; {} events dropped meanwhile ({})", seconds,
                    stats.droppedTotal() - dropsAtOutageStart, stats);
        }
    }

    private void fail(DropReason reason, Throwable error) {
        stats.recordDropped(reason);
        stats.inFlight.decrementAndGet();
        if (reason == DropReason.KAFKA_UNAVAILABLE && error != null) {
            // the producer gave up on a record it held (delivery timeout, broker gone)
            enterOutage(error.getClass().getSimpleName() + ": " + error.getMessage());
        } else if (reason != DropReason.SHUTDOWN && LOG.isDebugEnabled()) {
            LOG.debug("event dropped ({}): {}", reason.label(), String.valueOf(error));
        }
    }

    private static DropReason classify(Throwable error) {
        if (error instanceof RecordTooLargeException) {
            return DropReason.OVERSIZE;
        }
        if (error instanceof RetriableException || error instanceof TimeoutException) {
            return DropReason.KAFKA_UNAVAILABLE;
        }
        return DropReason.KAFKA_REJECTED;
    }

    /** Records pending without any acknowledgement for a while: Kafka is down even before anything expired. */
    private void watchOutage() {
        if (!outage && stats.inFlight() > 0
                && System.nanoTime() - lastAckNanos.get() > settings.outageAfter().toNanos()) {
            enterOutage("no acknowledgement for " + settings.outageAfter().toSeconds() + " s");
        }
    }

    private synchronized void enterOutage(String why) {
        if (outage) {
            return;
        }
        outage = true;
        outageStartNanos = System.nanoTime();
        dropsAtOutageStart = stats.droppedTotal();
        LOG.warn("Kafka unreachable ({}): keeping up to {} bytes buffered, then dropping (reason kafka_unavailable);"
                + " will say when it is back", why, settings.bufferBytes());
    }

    /**
     * Stops taking events, publishes what is queued and waits for Kafka's acknowledgements until {@code deadline};
     * whatever is left then is dropped and counted ({@code shutdown} for the queue, {@code kafka_unavailable} for
     * what the producer still held).
     */
    public void close(Duration deadline) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long end = System.nanoTime() + deadline.toNanos();
        running = false;
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) / 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (!backlog.isEmpty()) {
            backlog.removeFirst();
            stats.recordDropped(DropReason.SHUTDOWN);
            stats.inFlight.decrementAndGet();
        }
        Item left;
        while ((left = queue.poll()) != null) {
            stats.queued.decrementAndGet();
            stats.queuedBytes.addAndGet(-left.size());
            stats.recordDropped(DropReason.SHUTDOWN);
        }
        producer.close(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
        registry.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private double metric(String name) {
        for (Map.Entry<MetricName, ? extends Metric> entry : producer.metrics().entrySet()) {
            if (entry.getKey().name().equals(name) && entry.getKey().group().equals("producer-metrics")) {
                Object value = entry.getValue().metricValue();
                return value instanceof Number number ? number.doubleValue() : Double.NaN;
            }
        }
        return Double.NaN;
    }

    static byte[] socketKey(long socketId) {
        return ByteBuffer.allocate(Long.BYTES).putLong(socketId).array();
    }
}
