package io.tapflow.flowagg;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.localstack.flink.FlinkRestClient;
import io.tapflow.localstack.flink.FlinkStandaloneCluster;
import io.tapflow.localstack.flink.JobOptionsFile;
import io.tapflow.localstack.flink.JobSubmitter;
import io.tapflow.schema.Direction;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.Syscall;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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

    /** Beyond every timeout of the job (request 30 s, idle 5 min): a clock event this far ahead fires all timers. */
    private static final Duration CLOCK_AHEAD = Duration.ofMinutes(10);
    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final JobFixture fixture = JobFixture.forDatabase("flowagg_cluster_it");
    private static FlinkStandaloneCluster flink;
    private static String logs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void cluster() {
        logs = fixture.table("l7_request_log") + " FINAL";
        flink = FlinkStandaloneCluster.start();
    }

    @AfterAll
    static void stop() {
        if (flink != null) {
            flink.close();
        }
    }

    @Test
    void shadedJarSurvivesALostTaskManagerWithoutLosingOrDuplicatingRequests() throws Exception {
        Path repository = JobFixture.repositoryRoot();
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
                """.formatted(fixture.broker.bootstrapServers(), fixture.registry.url(),
                fixture.clickhouse.httpUrl(), fixture.database));
        FlinkRestClient rest = flink.rest();
        JobSubmitter submitter = new JobSubmitter(rest, System.out);
        String jobId = submitter.submit(new JobSubmitter.Request(JobSubmitter.Job.FLOW_AGGREGATION, jar,
                JobOptionsFile.read(optionsFile), null, null, false, false));
        assertThat(rest.job(jobId).name()).isEqualTo("tapflow flow-aggregation");

        // batch 1, then a clock event on every raw partition so every timer of the batch fires
        GoldenTraffic.Traffic batch1 = GoldenTraffic.goldens("cluster-a", ReplayOptions.defaults());
        fixture.publish(batch1.events());
        advanceEventTime(batch1.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        long rows1 = 2 * batch1.requestCount();
        awaitValue("request logs of batch 1 in ClickHouse", () -> fixture.scalar("SELECT count() FROM " + logs), rows1);
        long completedAtLanding = rest.checkpoints(jobId).completed();
        awaitAtLeast("2 more completed checkpoints", () -> rest.checkpoints(jobId).completed(),
                completedAtLanding + 2);
        assertThat(rest.checkpoints(jobId).restoredId()).as("no restore before the failure").isNull();

        // batch 2 is in flight when the TaskManager dies: what it processed after the last checkpoint is replayed
        GoldenTraffic.Traffic batch2 = GoldenTraffic.goldens("cluster-b", ReplayOptions.defaults())
                .shiftedBy(after(batch1));
        fixture.publish(batch2.events());
        advanceEventTime(batch2.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        awaitAtLeast("the first request logs of batch 2 in ClickHouse",
                () -> fixture.scalar("SELECT count() FROM " + fixture.table("l7_request_log")), rows1 + 1);
        Long lastBeforeKill = rest.checkpoints(jobId).latestCompletedId();
        long rowsAtKill = fixture.scalar("SELECT count() FROM " + fixture.table("l7_request_log"));
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
                2 * batch2.requestCount(), afterRestore.restoredId(), (System.nanoTime() - t0) / 1_000_000);
        assertThat(afterRestore.restoredId()).as("restored from the last checkpoint before the kill")
                .isGreaterThanOrEqualTo(lastBeforeKill);
        assertThat(afterRestore.restoredFromSavepoint()).isFalse();
        assertThat(rest.job(jobId).state()).isEqualTo("RUNNING");

        // batch 3 after the recovery
        GoldenTraffic.Traffic batch3 = GoldenTraffic.goldens("cluster-c", ReplayOptions.defaults())
                .shiftedBy(after(batch1).plus(after(batch2)));
        assertThat(firstTimestampNs(batch3)).isGreaterThan(batch2.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        fixture.publish(batch3.events());
        advanceEventTime(batch3.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        List<GoldenTraffic.Traffic> batches = List.of(batch1, batch2, batch3);
        long rows = batches.stream().mapToLong(b -> 2 * b.requestCount()).sum();
        awaitValue("request logs of all batches in ClickHouse", () -> fixture.scalar("SELECT count() FROM " + logs),
                rows);

        Map<String, Long> expectedPerPoint = new TreeMap<>();
        batches.forEach(b -> b.requests().forEach((k, v) -> expectedPerPoint.merge(k, v, Long::sum)));
        for (String point : List.of("CLIENT_PROCESS", "SERVER_PROCESS")) {
            Map<String, Long> actual = fixture.requestsByType(point);
            assertThat(actual).as("requests per protocol and type at %s, all batches", point)
                    .isEqualTo(expectedPerPoint);
        }
        assertThat(fixture.scalar("SELECT count() FROM " + logs + " WHERE response_status = 'TIMEOUT'"))
                .as("requests left without a response").isZero();
        assertThat(fixture.scalar("SELECT count() FROM " + logs + " WHERE agent_id = 'it-clock'"))
                .as("request logs of the clock events").isZero();
        System.out.printf("ClickHouse: %d request logs FINAL, %d rows before merging replays%n", rows,
                fixture.scalar("SELECT count() FROM " + fixture.table("l7_request_log")));

        // Kafka: exactly once — a checkpoint after the last rows commits the transaction that holds them
        long completed = rest.checkpoints(jobId).completed();
        awaitAtLeast("2 more completed checkpoints", () -> rest.checkpoints(jobId).completed(), completed + 2);
        List<RequestLog> committed = fixture.committed(Topic.L7_REQUEST_LOG, RequestLog.class);
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
    private static void advanceEventTime(long atNs) {
        for (int partition = 0; partition < 2; partition++) {
            long socket = 9_000_000_000L + partition;
            fixture.publish(TcpEvent.newBuilder()
                    .setAgentId("it-clock").setHost("it-host").setSocketId(socket).setTimestampNs(atNs)
                    .setType(TcpEventType.RTT_SAMPLE).setIpFamily(IpFamily.IPV4)
                    .setLocalIp("127.0.0.1").setLocalPort(1).setRemoteIp("127.0.0.1").setRemotePort(2)
                    .setSrttUs(1L).build(), partition);
            fixture.publish(SocketDataEvent.newBuilder()
                    .setAgentId("it-clock").setHost("it-host").setPid(1).setTid(1).setComm("it-clock").setFd(3)
                    .setSocketId(socket).setRole(Role.CLIENT)
                    .setIpFamily(IpFamily.IPV4).setLocalIp("127.0.0.1").setLocalPort(1)
                    .setRemoteIp("127.0.0.1").setRemotePort(2).setL4Protocol(L4Protocol.TCP)
                    .setDirection(Direction.EGRESS).setSyscall(Syscall.WRITE)
                    .setTimestampNs(atNs).setByteCount(0).setPayload(ByteBuffer.allocate(0))
                    .setPayloadTruncated(false).setDataSeq(0).setThreadTraceId(0).build(), partition);
        }
    }

    /** How far to shift a copy of {@code t} so it starts after t's clock event. */
    private static Duration after(GoldenTraffic.Traffic t) {
        return Duration.ofNanos(t.lastTimestampNs() - firstTimestampNs(t)).plus(CLOCK_AHEAD).plusMinutes(1);
    }

    private static long firstTimestampNs(GoldenTraffic.Traffic t) {
        return GoldenTraffic.timestampNs(t.events().get(0));
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
}
