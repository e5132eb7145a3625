package io.tapflow.flowagg;

import com.clickhouse.client.api.Client;
import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.serde.AvroDeserializer;
import io.tapflow.schema.serde.AvroSerdeConfig;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.topic.Topic;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers a flow-aggregation ITCase runs the job between — a Kafka broker of its own (so one test's topics never
 * hold another's events), a schema registry on it, a fresh database in the shared ClickHouse with tapflow's DDL —
 * and the ways a test feeds and reads them. Register it as a JUnit extension
 * ({@code @RegisterExtension static final JobFixture FIXTURE = JobFixture.forDatabase("...")}) to have it started
 * before the class's tests and stopped after them.
 */
final class JobFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** Largest raw record the tests publish (the 10 MB event of the bad-data test, plus headroom). */
    static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    final String database;
    KafkaBroker broker;
    SchemaRegistryServer registry;
    ClickHouseServer clickhouse;
    private KafkaProducer<byte[], byte[]> producer;
    private final AvroSerializer<SpecificRecordBase> values = new AvroSerializer<>();

    private JobFixture(String database) {
        this.database = database;
    }

    /** A fixture on ClickHouse database {@code database}, started by JUnit before the tests of its class. */
    static JobFixture forDatabase(String database) {
        return new JobFixture(database);
    }

    /** Starts the servers now; {@code database} names the ClickHouse database and the registry's schema topic. */
    static JobFixture start(String database) throws Exception {
        JobFixture fixture = new JobFixture(database);
        fixture.startServers();
        return fixture;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        startServers();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void startServers() throws Exception {
        broker = KafkaBroker.start();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_" + database);
        clickhouse = ClickHouseServer.shared();
        clickhouse.query("DROP DATABASE IF EXISTS " + database);
        try (Client admin = clickhouse.newClient("default")) {
            new ClickHouseMigrator(admin, database, null, ChecksumPolicy.FAIL).migrate(MigrationSource.tapflowDdl());
        }
        for (Topic t : Topic.values()) {
            if (t == Topic.RAW_PROCESS) {
                continue;
            }
            boolean raw = t.topicName().startsWith("tapflow.raw.");
            broker.createTopic(t.topicName(), raw ? 2 : 1,
                    raw ? Map.of("max.message.bytes", String.valueOf(MAX_RECORD_BYTES)) : Map.of());
        }
        Properties p = broker.clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * MAX_RECORD_BYTES);
        producer = new KafkaProducer<>(p);
        values.configure(Map.of(SchemaRegistryClientConfig.URL, registry.url()), false);
    }

    /** The job's options against these servers, checkpointing every second, plus {@code extra}. */
    FlowAggregationOptions options(Map<String, String> extra) throws InvalidJobOptionsException {
        Map<String, String> all = new HashMap<>(Map.of(
                "kafka.bootstrap-servers", broker.bootstrapServers(),
                "schema-registry.url", registry.url(),
                "clickhouse.url", clickhouse.httpUrl(),
                "clickhouse.database", database,
                "checkpoint.interval", "1s",
                "kafka.group-id", database,
                "kafka.transactional-id-prefix", database));
        all.putAll(extra);
        return FlowAggregationOptions.of(all);
    }

    /** Builds the job on {@code io} at parallelism 2 and starts it on the test's MiniCluster. */
    JobClient startJob(FlowAggregationOptions options, FlowAggregationJob.Io io, String name) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FlowAggregationJob.configure(env, options);
        env.setParallelism(2);
        FlowAggregationJob.build(env, options, io);
        return env.executeAsync(name);
    }

    /** Request logs per "PROTOCOL type" seen at {@code observationPoint}, counted as users do (FINAL). */
    Map<String, Long> requestsByType(String observationPoint) {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : lines("SELECT l7_protocol, ifNull(request_type, ''), count() FROM "
                + table("l7_request_log") + " FINAL WHERE observation_point = '" + observationPoint
                + "' GROUP BY l7_protocol, request_type")) {
            String[] f = line.split("\t");
            counts.put(f[0] + " " + f[1], Long.parseLong(f[2]));
        }
        return counts;
    }

    /** Publishes raw events as the collector does: Avro with the registry, keyed by socket id, in the given order. */
    void publish(List<? extends SpecificRecordBase> events) {
        for (SpecificRecordBase e : events) {
            boolean data = e instanceof SocketDataEvent;
            Topic topic = data ? Topic.RAW_SOCKET_DATA : Topic.RAW_TCP_EVENTS;
            long socket = data ? ((SocketDataEvent) e).getSocketId() : ((TcpEvent) e).getSocketId();
            send(topic, socket, values.serialize(topic.topicName(), e));
        }
        producer.flush();
    }

    /** Publishes one raw event to partition {@code partition} of its topic (a test's clock event, say). */
    void publish(SpecificRecordBase event, int partition) {
        boolean data = event instanceof SocketDataEvent;
        Topic topic = data ? Topic.RAW_SOCKET_DATA : Topic.RAW_TCP_EVENTS;
        long socket = data ? ((SocketDataEvent) event).getSocketId() : ((TcpEvent) event).getSocketId();
        producer.send(new ProducerRecord<>(topic.topicName(), partition,
                ByteBuffer.allocate(8).putLong(socket).array(), values.serialize(topic.topicName(), event)));
        producer.flush();
    }

    /** Publishes one record to {@code topic} as a job would: Avro with the registry, keyed by {@code key}. */
    void publish(Topic topic, String key, SpecificRecordBase value) {
        producer.send(new ProducerRecord<>(topic.topicName(), key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                values.serialize(topic.topicName(), value)));
        producer.flush();
    }

    /** Publishes one record's bytes as they are (bad data included), keyed by {@code socket}. */
    void send(Topic topic, long socket, byte[] value) {
        producer.send(new ProducerRecord<>(topic.topicName(), ByteBuffer.allocate(8).putLong(socket).array(), value));
    }

    void flush() {
        producer.flush();
    }

    /**
     * Every record of {@code topic} that a read_committed consumer sees, decoded as {@code type}; reads until the
     * topic yields nothing for 2.5 s.
     */
    <T> List<T> committed(Topic topic, Class<T> type) {
        Properties p = broker.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "read-" + topic.topicName() + "-" + System.nanoTime());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
             AvroDeserializer<T> decoder = new AvroDeserializer<>()) {
            decoder.configure(Map.of(SchemaRegistryClientConfig.URL, registry.url(),
                    AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, type), false);
            consumer.subscribe(List.of(topic.topicName()));
            int emptyPolls = 0;
            while (emptyPolls < 5) {
                int n = 0;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records.add(decoder.deserialize(topic.topicName(), r.value()));
                    n++;
                }
                emptyPolls = n == 0 ? emptyPolls + 1 : 0;
            }
        }
        return records;
    }

    /** Rows of {@code sql} as tab-separated lines. */
    List<String> lines(String sql) {
        return clickhouse.query(sql + " FORMAT TabSeparated").lines().filter(l -> !l.isEmpty()).toList();
    }

    long scalar(String sql) {
        return Long.parseLong(clickhouse.query(sql + " FORMAT TabSeparated").trim());
    }

    /** A table of this fixture's database, e.g. {@code table("l7_request_log")}. */
    String table(String name) {
        return database + "." + name;
    }

    /** The checkout this test runs in (where the jobs' shaded jars are built). */
    static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("flink-jobs")) && Files.isDirectory(d.resolve("local-stack"))) {
                return d;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }

    /** Waits until {@code condition} holds; fails with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        values.close();
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
