package io.tapflow.flowagg;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import io.tapflow.flink.kafka.KafkaRecord;
import io.tapflow.flink.kafka.TapflowKafka;
import io.tapflow.flink.sink.clickhouse.AvroRowSerializer;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import io.tapflow.schema.topic.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a MiniCluster between a real Kafka broker, the schema registry and ClickHouse 18.16, fed with
 * real traffic: the protocol goldens (curl vs nginx over HTTP/1.1 and HTTP/2, redis-cli vs redis-server, psql vs
 * PostgreSQL, dig vs unbound over UDP and TCP) replayed by the collector's pcap source as the raw events of both
 * ends of every connection. The requests the clients sent (the reviewed .expected files) must come out exactly.
 */
class FlowAggregationITCase {

    private static final List<String> GOLDENS = List.of("http1/01-get-keepalive", "http1/06-pipelined",
            "http2/01-get-200", "redis/04-pipeline-cli", "redis/03-error-wrongtype", "postgresql/01-query",
            "dns/09-udp-multi", "dns/08-tcp-multi");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static KafkaBroker broker;
    private static SchemaRegistryServer registry;
    private static ClickHouseServer clickhouse;
    private static final String DB = "flowagg_it";

    @BeforeAll
    static void servers() throws Exception {
        broker = KafkaBroker.shared();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_flowagg_it");
        clickhouse = ClickHouseServer.shared();
        clickhouse.query("DROP DATABASE IF EXISTS " + DB);
        try (Client admin = clickhouse.newClient("default")) {
            new ClickHouseMigrator(admin, DB, null, ChecksumPolicy.FAIL).migrate(MigrationSource.tapflowDdl());
        }
        for (Topic t : Topic.values()) {
            if (t != Topic.RAW_PROCESS) {
                broker.createTopic(t.topicName(), t.topicName().startsWith("tapflow.raw.") ? 2 : 1);
            }
        }
    }

    @Test
    void realTrafficComesOutAsExactRequestLogsFlowLogsAndMetrics() throws Exception {
        GoldenTraffic traffic = GoldenTraffic.replay(GOLDENS, "replay-");
        Map<String, Long> expected = traffic.expectedRequests();
        int socketCount = traffic.socketCount();
        traffic.publish(broker.clientProperties(), registry.url());

        JobClient job = runJobToEndOfInput();
        job.getJobExecutionResult().get(180, TimeUnit.SECONDS);

        String logs = DB + ".l7_request_log FINAL";
        for (String point : List.of("CLIENT_PROCESS", "SERVER_PROCESS")) {
            Map<String, Long> actual = new TreeMap<>();
            for (String line : lines("SELECT l7_protocol, ifNull(request_type, ''), count() FROM " + logs
                    + " WHERE observation_point = '" + point + "' GROUP BY l7_protocol, request_type")) {
                String[] f = line.split("\t");
                actual.put(f[0] + " " + f[1], Long.parseLong(f[2]));
            }
            assertThat(actual).as("requests per protocol and request type seen at %s (logs without a request: %s)",
                    point, lines("SELECT agent_id, l4_protocol, client_port, server_port, request_id, response_code,"
                            + " start_time_us FROM " + logs + " WHERE observation_point = '" + point
                            + "' AND request_type IS NULL"))
                    .isEqualTo(expected);
        }
        long total = traffic.totalRequests();

        assertThat(scalar("SELECT count() FROM " + logs + " WHERE l4_protocol = 'TCP' AND req_tcp_seq IS NULL"))
                .as("TCP request logs without req_tcp_seq").isZero();
        assertThat(scalar("SELECT count() FROM " + logs + " WHERE response_status = 'TIMEOUT'"))
                .as("requests left without a response").isZero();
        // the two ends saw the same requests: same first-byte sequence numbers, and loopback latencies within 1 ms
        assertThat(lines("SELECT req_tcp_seq, response_duration_us FROM " + logs + " WHERE l4_protocol = 'TCP'"
                + " AND observation_point = 'CLIENT_PROCESS' ORDER BY req_tcp_seq").stream().map(l -> l.split("\t")[0])
                .toList())
                .isEqualTo(lines("SELECT req_tcp_seq FROM " + logs + " WHERE l4_protocol = 'TCP'"
                        + " AND observation_point = 'SERVER_PROCESS' ORDER BY req_tcp_seq"));
        assertThat(scalar("SELECT count() FROM (SELECT req_tcp_seq, response_duration_us AS c FROM " + logs
                + " WHERE observation_point = 'CLIENT_PROCESS' AND l4_protocol = 'TCP') ANY INNER JOIN"
                + " (SELECT req_tcp_seq, response_duration_us AS s FROM " + logs
                + " WHERE observation_point = 'SERVER_PROCESS' AND l4_protocol = 'TCP') USING req_tcp_seq"
                + " WHERE c < s OR c - s > 1000"))
                .as("requests whose client-side latency is below the server's or more than 1 ms above").isZero();

        assertThat(scalar("SELECT sum(requests) FROM " + DB + ".app_metrics_1m FINAL"))
                .as("RED requests over both observation points").isEqualTo(2 * total);
        assertThat(scalar("SELECT sum(requests) FROM " + DB + ".app_metrics_1s FINAL")).isEqualTo(2 * total);
        assertThat(scalar("SELECT count() FROM " + DB + ".l4_flow_log FINAL WHERE is_final = 1"))
                .as("final flow logs: one per socket (each end of each connection)").isEqualTo(socketCount);
        assertThat(committedRecords(Topic.L7_REQUEST_LOG)).as("request logs on Kafka, read_committed")
                .isEqualTo(2 * total);
    }

    private static JobClient runJobToEndOfInput() throws Exception {
        FlowAggregationOptions options = FlowAggregationOptions.of(Map.of(
                "kafka.bootstrap-servers", broker.bootstrapServers(),
                "schema-registry.url", registry.url(),
                "clickhouse.url", clickhouse.httpUrl(),
                "clickhouse.database", DB,
                "checkpoint.interval", "1s",
                "kafka.group-id", "flowagg-it",
                "kafka.transactional-id-prefix", "flowagg-it"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FlowAggregationJob.configure(env, options);
        env.setParallelism(2);
        FlowAggregationJob.build(env, options, new BoundedIo(new FlowAggregationJob.KafkaClickHouseIo(options),
                options));
        return env.executeAsync("flow-aggregation-it");
    }

    /** The production inputs and outputs, but the raw topics read only up to their end at start. */
    private record BoundedIo(FlowAggregationJob.KafkaClickHouseIo production, FlowAggregationOptions options)
            implements FlowAggregationJob.Io {

        @Override
        public DataStream<KafkaRecord> rawRecords(StreamExecutionEnvironment env) {
            return env.fromSource(TapflowKafka.sourceBuilder(options.pipeline().bootstrapServers(), "flowagg-it",
                            new Properties(), Topic.RAW_SOCKET_DATA, Topic.RAW_TCP_EVENTS)
                    .setBounded(OffsetsInitializer.latest()).build(),
                    WatermarkStrategy.noWatermarks(), "raw events");
        }

        @Override
        public Sink<RequestLog> requestLogKafka() {
            return production.requestLogKafka();
        }

        @Override
        public Sink<FlowLog> flowLogKafka() {
            return production.flowLogKafka();
        }

        @Override
        public Sink<DeadLetter> deadLetterKafka() {
            return production.deadLetterKafka();
        }

        @Override
        public <T extends SpecificRecordBase> Sink<T> clickHouse(String table, AvroRowSerializer<T> serializer) {
            return production.clickHouse(table, serializer);
        }
    }

    private static long committedRecords(Topic topic) {
        Properties p = broker.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "count-" + topic.topicName());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic.topicName()));
            int emptyPolls = 0;
            while (emptyPolls < 5) {
                int n = 0;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    n++;
                }
                count += n;
                emptyPolls = n == 0 ? emptyPolls + 1 : 0;
            }
        }
        return count;
    }

    private static List<String> lines(String sql) {
        return clickhouse.query(sql + " FORMAT TabSeparated").lines().filter(l -> !l.isEmpty()).toList();
    }

    private static long scalar(String sql) {
        return Long.parseLong(clickhouse.query(sql + " FORMAT TabSeparated").trim());
    }
}
