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
 * The jobs the production way: the three shaded jars (what {@code mvn package} just built) uploaded over REST to a
 * real standalone Flink cluster — a JobManager and a TaskManager in their own JVMs, on Flink's stock runtime jars
 * only — reading real raw events (the protocol goldens and an Ollama capture replayed by the collector's pcap source)
 * from a real broker and writing ClickHouse and Kafka. Then the TaskManager is SIGKILLed while a second batch of
 * traffic is in flight and a new one started: every job must restore from its last checkpoint and, after a third
 * batch, the request logs, the LLM requests and the billing rows must be exactly those of the three batches — none
 * lost, none twice — in ClickHouse and on the exactly-once Kafka topics; trace-assembly's traces land beside them.
 */
class StandaloneClusterSubmitITCase {

    /** The flow job's goldens and a real Ollama exchange (one per pass), so llm-metrics has something to bill. */
    private static final List<String> TRAFFIC = java.util.stream.Stream.concat(GoldenTraffic.GOLDENS.stream(),
            java.util.stream.Stream.of("http1/09-ollama-json")).toList();
    private static final String LLM_SECRET = "cluster-it-salt";
    /** Beyond every timeout of the job (request 30 s, idle 5 min): a clock event this far ahead fires all timers. */
    private static final Duration CLOCK_AHEAD = Duration.ofMinutes(10);
    /**
     * Longest wait for one condition. Generous: after the kill, three jobs restore on one TaskManager of a 2-core
     * machine that the rest of the test suite may still load (a CI run saw llm-metrics take over 90 s).
     */
    private static final Duration WAIT = Duration.ofSeconds(150);

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
    void threeShadedJarsSurviveALostTaskManagerWithoutLosingOrDuplicatingRows() throws Exception {
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
        Map<String, String> jobs = new TreeMap<>(Map.of("flow-aggregation", jobId));
        jobs.put("trace-assembly", submit(submitter, JobSubmitter.Job.TRACE_ASSEMBLY, optionsFile, Map.of()));
        jobs.put("llm-metrics", submit(submitter, JobSubmitter.Job.LLM_METRICS, optionsFile,
                Map.of("llm.tenant-hash-secret", LLM_SECRET)));
        for (String id : jobs.values()) {
            assertThat(rest.job(id).state()).isEqualTo("RUNNING");
        }

        // batch 1, then a clock event on every raw partition so every timer of the batch fires
        GoldenTraffic.Traffic batch1 = GoldenTraffic.goldens("cluster-a", ReplayOptions.defaults(), TRAFFIC);
        fixture.publish(batch1.events());
        advanceEventTime(batch1.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        long rows1 = 2 * batch1.requestCount();
        awaitValue("request logs of batch 1 in ClickHouse", () -> fixture.scalar("SELECT count() FROM " + logs), rows1);
        long completedAtLanding = rest.checkpoints(jobId).completed();
        awaitAtLeast("2 more completed checkpoints", () -> rest.checkpoints(jobId).completed(),
                completedAtLanding + 2);
        assertThat(rest.checkpoints(jobId).restoredId()).as("no restore before the failure").isNull();

        // batch 2 is in flight when the TaskManager dies: what it processed after the last checkpoint is replayed
        GoldenTraffic.Traffic batch2 = GoldenTraffic.goldens("cluster-b", ReplayOptions.defaults(), TRAFFIC)
                .shiftedBy(after(batch1));
        fixture.publish(batch2.events());
        advanceEventTime(batch2.lastTimestampNs() + CLOCK_AHEAD.toNanos());
        awaitAtLeast("the first request logs of batch 2 in ClickHouse",
                () -> fixture.scalar("SELECT count() FROM " + fixture.table("l7_request_log")), rows1 + 1);
        Long lastBeforeKill = rest.checkpoints(jobId).latestCompletedId();
        Map<String, Long> lastBeforeKillPerJob = new TreeMap<>();
        jobs.forEach((name, id) -> lastBeforeKillPerJob.put(name, rest.checkpoints(id).latestCompletedId()));
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
        for (Map.Entry<String, String> job : jobs.entrySet()) {
            try {
                Long before = lastBeforeKillPerJob.get(job.getKey());
                if (before == null) {
                    // no checkpoint had completed when the TaskManager died (a loaded machine can make the first
                    // ones fail): Flink restarts the job from its start, with nothing to restore
                    System.out.printf("%s had no completed checkpoint at the kill%n", job.getKey());
                    awaitAtLeast(job.getKey() + " checkpointing after a restart without a checkpoint",
                            () -> rest.checkpoints(job.getValue()).latestCompletedId() != null ? 1 : 0, 1);
                    assertThat(rest.job(job.getValue()).state()).as(job.getKey()).isEqualTo("RUNNING");
                    continue;
                }
                awaitAtLeast(job.getKey() + " restored and checkpointing again", () -> {
                    FlinkRestClient.CheckpointStats s = rest.checkpoints(job.getValue());
                    return s.restoredId() != null && s.latestCompletedId() != null
                            && s.latestCompletedId() > s.restoredId() ? 1 : 0;
                }, 1);
            } catch (AssertionError e) {
                // the logs go with the cluster's directory: say here why the job did not come back
                printJobManagerLines(job.getValue(), lastBeforeKillPerJob.get(job.getKey()));
                throw new AssertionError(e.getMessage() + "; " + job.getKey() + " is "
                        + rest.job(job.getValue()).state() + ", checkpoints " + rest.checkpoints(job.getValue())
                        + " (latest completed before the kill: " + lastBeforeKillPerJob.get(job.getKey())
                        + "), last exception: " + rest.rootException(job.getValue()), e);
            }
            System.out.printf("%s restored checkpoint %d, checkpointing again %d ms after the kill%n", job.getKey(),
                    rest.checkpoints(job.getValue()).restoredId(), (System.nanoTime() - t0) / 1_000_000);
            assertThat(rest.checkpoints(job.getValue()).restoredId()).as("%s restored from its last checkpoint",
                    job.getKey()).isGreaterThanOrEqualTo(lastBeforeKillPerJob.get(job.getKey()));
            assertThat(rest.job(job.getValue()).state()).as(job.getKey()).isEqualTo("RUNNING");
        }

        // batch 3 after the recovery
        GoldenTraffic.Traffic batch3 = GoldenTraffic.goldens("cluster-c", ReplayOptions.defaults(), TRAFFIC)
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

        assertLlmBillingExact(batches, jobs.get("llm-metrics"), rest);
        awaitAtLeast("traces from trace-assembly in ClickHouse", () -> fixture.scalar("SELECT count() FROM "
                + fixture.table("traces") + " FINAL"), 1);
        System.out.printf("trace-assembly: %d traces, %d spans%n", fixture.scalar("SELECT count() FROM "
                + fixture.table("traces") + " FINAL"), fixture.scalar("SELECT count() FROM " + fixture.table("spans")
                + " FINAL"));

        for (String id : jobs.values()) {
            rest.cancel(id);
        }
        for (String id : jobs.values()) {
            rest.awaitState(id, Set.of("CANCELED"), Duration.ofSeconds(30));
        }
    }

    /**
     * Billing: the pcap replay yields both ends of each Ollama exchange, the job bills the server's; after an event
     * time past the hour and its hold, llm_usage_hourly (read as the README says) holds exactly one request per
     * replayed exchange with the tokens llm_requests has for them, and the exactly-once topics carry each request
     * once and each usage version once.
     */
    private static void assertLlmBillingExact(List<GoldenTraffic.Traffic> batches, String llmJob, FlinkRestClient rest)
            throws InterruptedException {
        long exchanges = batches.stream().mapToLong(b -> b.requests().getOrDefault("HTTP1 POST", 0L)).sum();
        assertThat(exchanges).as("Ollama exchanges replayed").isEqualTo(batches.size());
        String requests = fixture.table("llm_requests") + " FINAL WHERE model = 'tiny'";
        awaitValue("LLM requests at the server", () -> fixture.scalar("SELECT count() FROM " + requests
                + " AND observation_point = 'SERVER_PROCESS'"), exchanges);
        assertThat(fixture.scalar("SELECT count() FROM " + requests + " AND observation_point = 'CLIENT_PROCESS'"))
                .as("LLM requests at the client").isEqualTo(exchanges);
        long lastNs = batches.get(batches.size() - 1).lastTimestampNs();
        advanceEventTime(lastNs + Duration.ofHours(2).toNanos());
        String usage = "SELECT sum(r), sum(i), sum(o) FROM (SELECT argMax(requests, version) AS r,"
                + " argMax(input_tokens, version) AS i, argMax(output_tokens, version) AS o FROM "
                + fixture.table("llm_usage_hourly") + " WHERE model = 'tiny' GROUP BY usage_id)";
        awaitValue("billed requests in llm_usage_hourly", () -> Long.parseLong(fixture.lines(usage).get(0)
                .split("\t")[0]), exchanges);
        String served = fixture.lines("SELECT count(), sum(input_tokens), sum(output_tokens) FROM " + requests
                + " AND observation_point = 'SERVER_PROCESS'").get(0);
        assertThat(fixture.lines(usage).get(0)).as("usage = what the server side of the requests says").isEqualTo(
                served);
        System.out.printf("llm-metrics: %d Ollama exchanges billed once each (requests, input, output: %s)%n",
                exchanges, served);

        long completed = rest.checkpoints(llmJob).completed();
        awaitAtLeast("2 more completed llm-metrics checkpoints", () -> rest.checkpoints(llmJob).completed(),
                completed + 2);
        List<io.tapflow.schema.LlmRequest> llm = fixture.committed(Topic.LLM_REQUESTS,
                io.tapflow.schema.LlmRequest.class);
        assertThat(llm.stream().map(io.tapflow.schema.LlmRequest::getRequestId).distinct().count())
                .as("LLM requests on Kafka (read_committed), each once").isEqualTo(llm.size()).isEqualTo(
                        2 * exchanges);
        List<io.tapflow.schema.LlmUsage> emitted = fixture.committed(Topic.LLM_USAGE, io.tapflow.schema.LlmUsage.class);
        assertThat(emitted.stream().map(u -> u.getUsageId() + "/" + u.getVersion()).distinct().count())
                .as("usage emissions on Kafka (read_committed), each version once").isEqualTo(emitted.size());
    }

    private String submit(JobSubmitter submitter, JobSubmitter.Job job, Path optionsFile, Map<String, String> extra)
            throws Exception {
        Path jar = JobSubmitter.findShadedJar(JobFixture.repositoryRoot(), job);
        assertShaded(jar);
        Map<String, String> options = new HashMap<>(JobOptionsFile.read(optionsFile));
        String name = job.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        options.put("kafka.group-id", name + "-cluster-it");
        options.put("kafka.transactional-id-prefix", name + "-cluster-it");
        options.put("parallelism", "1");
        options.putAll(extra);
        return submitter.submit(new JobSubmitter.Request(job, jar, options, null, null, false, false));
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


    /**
     * The JobManager's log lines about one job's restarts and restores (CI deletes the cluster with the test):
     * whether a failover found a checkpoint to restore, and when the job ran again.
     */
    private void printJobManagerLines(String jobId, Long lastCheckpointBeforeKill) {
        System.out.println("JobManager log lines of job " + jobId + " (its last checkpoint before the kill: "
                + lastCheckpointBeforeKill + "):");
        try (var files = java.nio.file.Files.list(flink.directory().resolve("log"))) {
            files.filter(f -> f.getFileName().toString().contains("jobmanager")).forEach(f -> {
                try {
                    java.nio.file.Files.readAllLines(f).stream()
                            .filter(l -> l.contains(jobId) || l.contains("estor") || l.contains("No checkpoint"))
                            .filter(l -> l.contains("estor") || l.contains("switched") || l.contains("checkpoint")
                                    || l.contains("ailover") || l.contains("estart"))
                            .reduce(new java.util.ArrayDeque<String>(), (q, l) -> {
                                q.addLast(l);
                                if (q.size() > 60) {
                                    q.removeFirst();
                                }
                                return q;
                            }, (a, b) -> a)
                            .forEach(l -> System.out.println("  " + f.getFileName() + ": " + l));
                } catch (java.io.IOException | java.io.UncheckedIOException ex) {
                    System.out.println("  " + f + ": unreadable (" + ex + ")");
                }
            });
        } catch (java.io.IOException ex) {
            System.out.println("  no JobManager log: " + ex);
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
