package io.tapflow.llm.it;

import com.clickhouse.client.api.Client;
import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.llm.LlmMetricsJob;
import io.tapflow.llm.config.LlmMetricsOptions;
import io.tapflow.llm.recognition.TenantResolver;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.prometheus.PrometheusServer;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.topic.Topic;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The real servers an llm-metrics ITCase runs the job between: its own Kafka broker and schema registry, a fresh
 * database in the shared ClickHouse with tapflow's DDL, a Prometheus with the remote-write receiver; and how a test
 * publishes raw events and reads results. Register it as a JUnit extension
 * ({@code @RegisterExtension static final LlmJobFixture FIXTURE = LlmJobFixture.forDatabase("...")}): the servers
 * start before the class's tests and stop after them.
 */
final class LlmJobFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    static final String SALT = "it-salt";

    final String database;
    KafkaBroker broker;
    SchemaRegistryServer registry;
    ClickHouseServer clickhouse;
    PrometheusServer prometheus;
    private KafkaProducer<byte[], byte[]> producer;
    private final AvroSerializer<SpecificRecordBase> values = new AvroSerializer<>();

    private LlmJobFixture(String database) {
        this.database = database;
    }

    static LlmJobFixture forDatabase(String database) {
        return new LlmJobFixture(database);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        broker = KafkaBroker.start();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_" + database);
        clickhouse = ClickHouseServer.shared();
        clickhouse.query("DROP DATABASE IF EXISTS " + database);
        try (Client admin = clickhouse.newClient("default")) {
            new ClickHouseMigrator(admin, database, null, ChecksumPolicy.FAIL).migrate(MigrationSource.tapflowDdl());
        }
        prometheus = PrometheusServer.start();
        for (Topic t : Topic.values()) {
            if (t != Topic.RAW_PROCESS) {
                broker.createTopic(t.topicName(), t.topicName().startsWith("tapflow.raw.") ? 2 : 1, Map.of());
            }
        }
        Properties p = broker.clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer = new KafkaProducer<>(p);
        values.configure(Map.of(SchemaRegistryClientConfig.URL, registry.url()), false);
    }

    /** The job's options against these servers, checkpointing every second. */
    LlmMetricsOptions options() throws InvalidJobOptionsException {
        return options(Map.of());
    }

    /** {@link #options()} with some replaced or added. */
    LlmMetricsOptions options(Map<String, String> overrides) throws InvalidJobOptionsException {
        Map<String, String> all = new HashMap<>(Map.of(
                "kafka.bootstrap-servers", broker.bootstrapServers(),
                "schema-registry.url", registry.url(),
                "clickhouse.url", clickhouse.httpUrl(),
                "clickhouse.database", database,
                "checkpoint.interval", "1s",
                "kafka.group-id", database,
                "kafka.transactional-id-prefix", database,
                LlmMetricsOptions.TENANT_SALT.name(), SALT,
                LlmMetricsOptions.PROMETHEUS_URL.name(), prometheus.remoteWriteUrl()));
        all.putAll(overrides);
        return LlmMetricsOptions.of(all);
    }

    /** Publishes raw events as the collector does: Avro with the registry, keyed by socket id, in the given order. */
    void publish(List<? extends SpecificRecordBase> events) {
        for (SpecificRecordBase e : events) {
            boolean data = e instanceof SocketDataEvent;
            Topic topic = data ? Topic.RAW_SOCKET_DATA : Topic.RAW_TCP_EVENTS;
            long socket = data ? ((SocketDataEvent) e).getSocketId() : ((TcpEvent) e).getSocketId();
            producer.send(new ProducerRecord<>(topic.topicName(), ByteBuffer.allocate(8).putLong(socket).array(),
                    values.serialize(topic.topicName(), e)));
        }
        producer.flush();
    }

    /**
     * Runs the job at parallelism 2 on the MiniCluster of the calling test over what the raw topics hold now, to
     * their end (bounded input: at the end the watermark passes every window, so every row is written).
     */
    void runBounded(String jobName) throws Exception {
        start(options(), true, jobName).getJobExecutionResult().get(180, TimeUnit.SECONDS);
    }

    /** Starts the job at parallelism 2 on the MiniCluster of the calling test, unbounded unless {@code bounded}. */
    JobClient start(LlmMetricsOptions options, boolean bounded, String jobName) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LlmMetricsJob.configure(env, options);
        env.setParallelism(2);
        LlmMetricsJob.build(env, options, new LlmMetricsJob.KafkaClickHouseIo(options, bounded));
        return env.executeAsync(jobName);
    }

    /** Polls {@code condition} every 250 ms; fails after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    /** The tenant the job bills a request with {@code Authorization: Bearer apiKey} to. */
    static String tenant(String apiKey) {
        L7Message request = L7Message.builder(L7Protocol.HTTP1, MessageKind.REQUEST)
                .attribute("http.request.header.authorization", "Bearer " + apiKey).build();
        return new TenantResolver(null, SALT).tenant(request);
    }

    /** The README's billing reconciliation query on this fixture's database: no rows = 0 lost, 0 duplicated. */
    String reconciliation() {
        return """
                SELECT u.tenant, u.model, u.hour_start_ms, u.input_tokens, r.input_tokens, u.output_tokens,
                       r.output_tokens
                FROM (SELECT tenant, model, hour_start_ms, argMax(input_tokens, version) AS input_tokens,
                             argMax(output_tokens, version) AS output_tokens
                      FROM DB.llm_usage_hourly GROUP BY usage_id, tenant, model, hour_start_ms) AS u
                FULL OUTER JOIN
                     (SELECT tenant, model, intDiv(start_time_us, 3600000000) * 3600000 AS hour_start_ms,
                             sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
                      FROM DB.llm_requests FINAL WHERE observation_point = 'SERVER_PROCESS'
                      GROUP BY tenant, model, hour_start_ms) AS r
                USING (tenant, model, hour_start_ms)
                WHERE u.input_tokens != r.input_tokens OR u.output_tokens != r.output_tokens
                """.replace("DB.", database + ".");
    }

    /** The single number {@code sql} selects. */
    long scalar(String sql) {
        return Long.parseLong(lines(sql).get(0));
    }

    /** Rows of {@code sql} as tab-separated lines. */
    List<String> lines(String sql) {
        return clickhouse.query(sql + " FORMAT TabSeparated").lines().filter(l -> !l.isEmpty()).toList();
    }

    String table(String name) {
        return database + "." + name;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Stops what {@link #beforeAll} started, also when it failed half-way. */
    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {producer, values, prometheus, registry, broker}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        }
    }
}
