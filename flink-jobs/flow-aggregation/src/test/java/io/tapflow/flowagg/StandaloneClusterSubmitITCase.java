package io.tapflow.flowagg;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.localstack.flink.FlinkRestClient;
import io.tapflow.localstack.flink.FlinkStandaloneCluster;
import io.tapflow.localstack.flink.JobOptionsFile;
import io.tapflow.localstack.flink.JobSubmitter;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.Direction;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.Syscall;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.zip.ZipFile;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job the production way: its shaded jar (what {@code mvn package} just built) uploaded over REST to a real
 * standalone Flink cluster — a JobManager and a TaskManager in their own JVMs, on Flink's stock runtime jars only —
 * reading real raw events (the protocol goldens replayed by the collector's pcap source) from a real broker and
 * writing ClickHouse and Kafka. Then the TaskManager is SIGKILLed while a second batch of traffic is in flight and
 * a new one started: the job must restore from its last checkpoint and, after a third batch, the request logs in
 * ClickHouse and on the exactly-once Kafka topic must be exactly the requests of the three batches — none lost,
 * none twice.
 */
class StandaloneClusterSubmitITCase {

    private static final List<String> GOLDENS = List.of("http1/01-get-keepalive", "http1/06-pipelined",
            "http2/01-get-200", "redis/04-pipeline-cli", "redis/03-error-wrongtype", "postgresql/01-query",
            "dns/09-udp-multi", "dns/08-tcp-multi");
    private static final String DB = "flowagg_cluster_it";
    private static final String LOGS = DB + ".l7_request_log FINAL";
    /** Beyond every timeout of the job (request 30 s, idle 5 min): a clock event this far ahead fires all timers. */
    private static final Duration CLOCK_AHEAD = Duration.ofMinutes(10);
    private static final Duration WAIT = Duration.ofSeconds(90);

    // a broker of its own: the topic names are fixed, and other ITCases of this JVM publish to the shared one
    private static KafkaBroker broker;
    private static SchemaRegistryServer registry;
    private static ClickHouseServer clickhouse;
    private static FlinkStandaloneCluster flink;

    @TempDir
    Path tmp;

    @BeforeAll
    static void servers() throws Exception {
        broker = KafkaBroker.start();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_cluster_it");
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
        flink = FlinkStandaloneCluster.start();
    }

    @AfterAll
    static void stop() {
        // each in its own try: a failed close must not leave the others running
        for (AutoCloseable c : new AutoCloseable[] {flink, registry, broker}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    @Test
    void shadedJarSurvivesALostTaskManagerWithoutLosingOrDuplicatingRequests() throws Exception {
        Path repository = repositoryRoot();
        Path jar = JobSubmitter.findShadedJar(repository, JobSubmitter.Job.FLOW_AGGREGATION);
        assertShaded(jar);

        Path optionsFile = tmp.resolve("flow-aggregation.yaml");
        Files.writeString(optionsFile, """
                # what an operator writes for ./tapflow submit --config
                kafka.bootstrap-servers: %s
                schema-registry.url: %s
                clickhouse.url: %s
                clickhouse.database: %s
                checkpoint.interval: 1s
                kafka.group-id: flowagg-cluster-it
                kafka.transactional-id-prefix: flowagg-cluster-it
                parallelism: 2
                """.formatted(broker.bootstrapServers(), registry.url(), clickhouse.httpUrl(), DB));
        FlinkRestClient rest = flink.rest();
        JobSubmitter submitter = new JobSubmitter(rest, System.out);
        String jobId = submitter.submit(new JobSubmitter.Request(JobSubmitter.Job.FLOW_AGGREGATION, jar,
                JobOptionsFile.read(optionsFile), null, null, false, false));
        assertThat(rest.job(jobId).name()).isEqualTo("tapflow flow-aggregation");

        // batch 1, then a clock event on every raw partition so every timer of the batch fires
        GoldenTraffic batch1 = GoldenTraffic.replay(GOLDENS, "cluster-a-");
        batch1.publish(broker.clientProperties(), registry.url());
        advanceEventTime(batch1.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        long rows1 = 2 * batch1.totalRequests();
        awaitValue("request logs of batch 1 in ClickHouse", () -> scalar("SELECT count() FROM " + LOGS), rows1);
        long completedAtLanding = rest.checkpoints(jobId).completed();
        awaitAtLeast("2 more completed checkpoints", () -> rest.checkpoints(jobId).completed(),
                completedAtLanding + 2);
        assertThat(rest.checkpoints(jobId).restoredId()).as("no restore before the failure").isNull();

        // batch 2 is in flight when the TaskManager dies: what it processed after the last checkpoint is replayed
        GoldenTraffic batch2 = GoldenTraffic.replay(GOLDENS, "cluster-b-").shiftedBy(after(batch1));
        batch2.publish(broker.clientProperties(), registry.url());
        advanceEventTime(batch2.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        awaitAtLeast("the first request logs of batch 2 in ClickHouse",
                () -> scalar("SELECT count() FROM " + DB + ".l7_request_log"), rows1 + 1);
        Long lastBeforeKill = rest.checkpoints(jobId).latestCompletedId();
        long rowsAtKill = scalar("SELECT count() FROM " + DB + ".l7_request_log");
        long t0 = System.nanoTime();
        flink.killTaskManager();
        flink.awaitTaskManagers(0, Duration.ofSeconds(30));
        flink.startTaskManager();
        awaitAtLeast("a checkpoint restored and a new one completed after it", () -> {
            FlinkRestClient.CheckpointStats s = rest.checkpoints(jobId);
            return s.restoredId() != null && s.latestCompletedId() != null && s.latestCompletedId() > s.restoredId()
                    ? 1 : 0;
        }, 1);
        FlinkRestClient.CheckpointStats afterRestore = rest.checkpoints(jobId);
        System.out.printf("TaskManager killed at checkpoint %d with %d of %d rows written; restored checkpoint %d,"
                        + " checkpointing again %d ms after the kill%n", lastBeforeKill, rowsAtKill - rows1,
                2 * batch2.totalRequests(), afterRestore.restoredId(), (System.nanoTime() - t0) / 1_000_000);
        assertThat(afterRestore.restoredId()).as("restored from the last checkpoint before the kill")
                .isGreaterThanOrEqualTo(lastBeforeKill);
        assertThat(afterRestore.restoredFromSavepoint()).isFalse();
        assertThat(rest.job(jobId).state()).isEqualTo("RUNNING");

        // batch 3 after the recovery
        GoldenTraffic batch3 = GoldenTraffic.replay(GOLDENS, "cluster-c-")
                .shiftedBy(after(batch1).plus(after(batch2)));
        assertThat(firstTimestampNs(batch3)).isGreaterThan(batch2.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        batch3.publish(broker.clientProperties(), registry.url());
        advanceEventTime(batch3.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        List<GoldenTraffic> batches = List.of(batch1, batch2, batch3);
        long rows = batches.stream().mapToLong(b -> 2 * b.totalRequests()).sum();
        awaitValue("request logs of all batches in ClickHouse", () -> scalar("SELECT count() FROM " + LOGS), rows);

        Map<String, Long> expectedPerPoint = new TreeMap<>();
        batches.forEach(b -> b.expectedRequests().forEach((k, v) -> expectedPerPoint.merge(k, v, Long::sum)));
        for (String point : List.of("CLIENT_PROCESS", "SERVER_PROCESS")) {
            Map<String, Long> actual = new TreeMap<>();
            for (String line : lines("SELECT l7_protocol, ifNull(request_type, ''), count() FROM " + LOGS
                    + " WHERE observation_point = '" + point + "' GROUP BY l7_protocol, request_type")) {
                String[] f = line.split("\t");
                actual.put(f[0] + " " + f[1], Long.parseLong(f[2]));
            }
            assertThat(actual).as("requests per protocol and type at %s, all batches", point)
                    .isEqualTo(expectedPerPoint);
        }
        assertThat(scalar("SELECT count() FROM " + LOGS + " WHERE response_status = 'TIMEOUT'"))
                .as("requests left without a response").isZero();
        assertThat(scalar("SELECT count() FROM " + LOGS + " WHERE agent_id = 'it-clock'"))
                .as("request logs of the clock events").isZero();
        System.out.printf("ClickHouse: %d request logs FINAL, %d rows before merging replays%n", rows,
                scalar("SELECT count() FROM " + DB + ".l7_request_log"));

        // Kafka: exactly once — a checkpoint after the last rows commits the transaction that holds them
        long completed = rest.checkpoints(jobId).completed();
        awaitAtLeast("2 more completed checkpoints", () -> rest.checkpoints(jobId).completed(), completed + 2);
        List<RequestLog> committed = committedRequestLogs();
        Set<String> ids = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        for (RequestLog log : committed) {
            if (!ids.add(log.getLogId())) {
                duplicates.add(log.getLogId());
            }
        }
        assertThat(duplicates).as("request logs on Kafka twice (read_committed)").isEmpty();
        assertThat(committed).as("request logs on Kafka, read_committed").hasSize((int) rows);

        // trace-assembly's shaded jar runs on the same cluster beside it
        Path traceJar = JobSubmitter.findShadedJar(repository, JobSubmitter.Job.TRACE_ASSEMBLY);
        assertShaded(traceJar);
        Map<String, String> traceOptions = new HashMap<>(JobOptionsFile.read(optionsFile));
        traceOptions.put("kafka.group-id", "trace-cluster-it");
        traceOptions.put("kafka.transactional-id-prefix", "trace-cluster-it");
        traceOptions.put("parallelism", "1");
        String traceJob = submitter.submit(new JobSubmitter.Request(JobSubmitter.Job.TRACE_ASSEMBLY, traceJar,
                traceOptions, null, null, false, false));
        assertThat(rest.job(traceJob).state()).isEqualTo("RUNNING");

        rest.cancel(traceJob);
        rest.cancel(jobId);
        rest.awaitState(jobId, Set.of("CANCELED"), Duration.ofSeconds(30));
        rest.awaitState(traceJob, Set.of("CANCELED"), Duration.ofSeconds(30));
    }

    /** The jar `flink run` would get: our classes and the connectors bundled, Flink itself left to the cluster. */
    private static void assertShaded(Path jar) throws Exception {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertThat(zip.getEntry("org/apache/kafka/clients/producer/KafkaProducer.class"))
                    .as("%s bundles kafka-clients", jar).isNotNull();
            assertThat(zip.getEntry("org/apache/flink/connector/kafka/sink/KafkaSink.class"))
                    .as("%s bundles the Kafka connector", jar).isNotNull();
            assertThat(zip.getEntry("org/apache/avro/Schema.class")).as("%s bundles Avro", jar).isNotNull();
            assertThat(zip.getEntry("org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class"))
                    .as("%s leaves Flink to the cluster", jar).isNull();
        }
    }

    /**
     * One clock event per raw partition, {@code atNs} in event time, so every source subtask's watermark — and
     * with it the reassembler's — passes the batch's last timers. They belong to a socket of their own that carries
     * no requests.
     */
    private static void advanceEventTime(long atNs) throws Exception {
        Properties p = broker.clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (AvroSerializer<SpecificRecordBase> values = new AvroSerializer<>();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            values.configure(Map.of(SchemaRegistryClientConfig.URL, registry.url()), false);
            for (int partition = 0; partition < 2; partition++) {
                long socket = 9_000_000_000L + partition;
                byte[] key = ByteBuffer.allocate(8).putLong(socket).array();
                TcpEvent rtt = TcpEvent.newBuilder()
                        .setAgentId("it-clock").setHost("it-host").setSocketId(socket).setTimestampNs(atNs)
                        .setType(TcpEventType.RTT_SAMPLE).setIpFamily(IpFamily.IPV4)
                        .setLocalIp("127.0.0.1").setLocalPort(1).setRemoteIp("127.0.0.1").setRemotePort(2)
                        .setSrttUs(1L).build();
                String tcpTopic = Topic.RAW_TCP_EVENTS.topicName();
                producer.send(new ProducerRecord<>(tcpTopic, partition, key, values.serialize(tcpTopic, rtt)));
                SocketDataEvent empty = SocketDataEvent.newBuilder()
                        .setAgentId("it-clock").setHost("it-host").setPid(1).setTid(1).setComm("it-clock").setFd(3)
                        .setSocketId(socket).setRole(Role.CLIENT)
                        .setIpFamily(IpFamily.IPV4).setLocalIp("127.0.0.1").setLocalPort(1)
                        .setRemoteIp("127.0.0.1").setRemotePort(2).setL4Protocol(L4Protocol.TCP)
                        .setDirection(Direction.EGRESS).setSyscall(Syscall.WRITE)
                        .setTimestampNs(atNs).setByteCount(0).setPayload(ByteBuffer.allocate(0))
                        .setPayloadTruncated(false).setDataSeq(0).setThreadTraceId(0).build();
                String dataTopic = Topic.RAW_SOCKET_DATA.topicName();
                producer.send(new ProducerRecord<>(dataTopic, partition, key, values.serialize(dataTopic, empty)));
            }
            producer.flush();
        }
    }

    /** How far to shift a copy of {@code t} so it starts after t's clock event. */
    private static Duration after(GoldenTraffic t) {
        return Duration.ofNanos(t.lastTimestampNs() - firstTimestampNs(t)).plus(CLOCK_AHEAD).plusMinutes(1);
    }

    private static long firstTimestampNs(GoldenTraffic t) {
        return GoldenTraffic.timestampNs(t.events().get(0));
    }

    private static List<RequestLog> committedRequestLogs() {
        Properties p = broker.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "count-request-logs");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<RequestLog> logs = new ArrayList<>();
        try (AvroDeserializer<RequestLog> values = new AvroDeserializer<>();
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            values.configure(Map.of(SchemaRegistryClientConfig.URL, registry.url(),
                    AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, RequestLog.class), false);
            consumer.subscribe(List.of(Topic.L7_REQUEST_LOG.topicName()));
            int emptyPolls = 0;
            while (emptyPolls < 6) {
                int n = 0;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    logs.add(values.deserialize(r.topic(), r.value()));
                    n++;
                }
                emptyPolls = n == 0 ? emptyPolls + 1 : 0;
            }
        }
        return logs;
    }

    private static void awaitValue(String what, LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long last = value.getAsLong();
        while (last != expected) {
            if (last > expected) {
                throw new AssertionError(what + ": " + last + ", more than the expected " + expected);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + last + " after " + WAIT.toSeconds() + " s, expected "
                        + expected + " (Flink logs: " + flink.directory().resolve("log") + ")");
            }
            Thread.sleep(250);
            last = value.getAsLong();
        }
    }

    private static void awaitAtLeast(String what, LongSupplier value, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long last = value.getAsLong();
        while (last < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what + ": " + last + " < "
                        + atLeast + " (Flink logs: " + flink.directory().resolve("log") + ")");
            }
            Thread.sleep(250);
            last = value.getAsLong();
        }
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("flink-jobs")) && Files.isDirectory(d.resolve("local-stack"))) {
                return d;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }

    private static List<String> lines(String sql) {
        return clickhouse.query(sql + " FORMAT TabSeparated").lines().filter(l -> !l.isEmpty()).toList();
    }

    private static long scalar(String sql) {
        return Long.parseLong(clickhouse.query(sql + " FORMAT TabSeparated").trim());
    }
}
