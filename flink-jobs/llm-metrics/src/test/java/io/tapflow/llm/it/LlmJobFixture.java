package io.tapflow.llm.it;

import com.clickhouse.client.api.Client;
import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.llm.config.LlmMetricsOptions;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.prometheus.PrometheusServer;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.topic.Topic;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The real servers an llm-metrics ITCase runs the job between: its own Kafka broker and schema registry, a fresh
 * database in the shared ClickHouse with tapflow's DDL, a Prometheus with the remote-write receiver; and how a test
 * publishes raw events and reads results.
 */
final class LlmJobFixture implements AutoCloseable {

    static final String SALT = "it-salt";

    final KafkaBroker broker;
    final SchemaRegistryServer registry;
    final ClickHouseServer clickhouse;
    final PrometheusServer prometheus;
    final String database;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroSerializer<SpecificRecordBase> values = new AvroSerializer<>();

    LlmJobFixture(String database) throws Exception {
        this.database = database;
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

    /** Rows of {@code sql} as tab-separated lines. */
    List<String> lines(String sql) {
        return clickhouse.query(sql + " FORMAT TabSeparated").lines().filter(l -> !l.isEmpty()).toList();
    }

    String table(String name) {
        return database + "." + name;
    }

    @Override
    public void close() {
        producer.close();
        values.close();
        prometheus.close();
        registry.close();
        broker.close();
    }
}
