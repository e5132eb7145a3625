package io.tapflow.localstack.stack;

import com.clickhouse.client.api.Client;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.localstack.flink.FlinkStandaloneCluster;
import io.tapflow.localstack.flink.JobSubmitter;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.prometheus.PrometheusServer;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import io.tapflow.schema.topic.Topic;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole of tapflow on one machine, as real processes: a Kafka broker (KRaft) with the schema registry on it,
 * ClickHouse with tapflow's tables, Prometheus with the remote-write receiver, a standalone Flink cluster (JobManager
 * and TaskManager JVMs), and the jobs submitted to it the production way (their shaded jars over REST). Started in
 * dependency order, each checked healthy before the next; stopped in reverse order. Data lives under
 * {@code <dir>/data} and survives a restart; {@link StackState} in {@code <dir>} says where everything runs.
 */
public final class LocalStack implements AutoCloseable {

    /** The database the jobs write and ./tapflow query reads. */
    public static final String DATABASE = "tapflow";

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<String, String> endpoints = new LinkedHashMap<>();
    private final Map<String, String> jobs = new LinkedHashMap<>();
    private final PrintStream out;
    private String tenantHashSecret;

    private LocalStack(PrintStream out) {
        this.out = out;
    }

    /**
     * Starts every component under {@code dir} and submits {@code jobsToRun} (jar paths by job) to the cluster.
     * On failure, whatever was started is stopped again before the exception leaves.
     */
    public static LocalStack start(Path dir, Map<JobSubmitter.Job, Path> jobsToRun, PrintStream out) {
        LocalStack stack = new LocalStack(out);
        try {
            stack.startAll(dir.toAbsolutePath(), jobsToRun);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Path dir, Map<JobSubmitter.Job, Path> jobsToRun) {
        Path data = dir.resolve("data");
        tenantHashSecret = secret(data.resolve("tenant-hash-secret"));
        int steps = 5 + (jobsToRun.isEmpty() ? 0 : 1);
        step(1, steps, "Kafka broker (KRaft)");
        KafkaBroker broker = started(KafkaBroker.start(data.resolve("kafka")));
        endpoints.put("kafka", broker.bootstrapServers());
        createTopics(broker);

        step(2, steps, "schema registry");
        SchemaRegistryServer registry = started(SchemaRegistryServer.start(broker.bootstrapServers(), 0,
                SchemaRegistryServer.DEFAULT_TOPIC));
        endpoints.put("schema-registry", registry.url());

        step(3, steps, "ClickHouse");
        ClickHouseServer clickhouse = started(ClickHouseServer.start(data.resolve("clickhouse")));
        endpoints.put("clickhouse", clickhouse.httpUrl());
        try (Client admin = clickhouse.newClient("default")) {
            new ClickHouseMigrator(admin, DATABASE, null, ChecksumPolicy.FAIL).migrate(MigrationSource.tapflowDdl());
        }

        step(4, steps, "Prometheus");
        PrometheusServer prometheus = started(PrometheusServer.start(data.resolve("prometheus")));
        endpoints.put("prometheus", prometheus.url());
        endpoints.put("prometheus-remote-write", prometheus.remoteWriteUrl());

        step(5, steps, "Flink standalone cluster");
        FlinkStandaloneCluster flink = started(FlinkStandaloneCluster.start(data.resolve("flink")));
        endpoints.put("flink", flink.restUrl());

        if (!jobsToRun.isEmpty()) {
            step(6, steps, "jobs: " + jobsToRun.keySet().stream().map(JobSubmitter.Job::id)
                    .collect(Collectors.joining(", ")));
            JobSubmitter submitter = new JobSubmitter(flink.rest(), out);
            for (Map.Entry<JobSubmitter.Job, Path> job : jobsToRun.entrySet()) {
                String id = submitter.submit(new JobSubmitter.Request(job.getKey(), job.getValue(),
                        jobOptions(job.getKey()), 1, null, false, false));
                jobs.put(job.getKey().id(), id);
            }
        }
    }

    /** The options every job gets here: this stack's endpoints, and one-second ClickHouse flushes. */
    Map<String, String> jobOptions(JobSubmitter.Job job) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("kafka.bootstrap-servers", endpoints.get("kafka"));
        options.put("schema-registry.url", endpoints.get("schema-registry"));
        options.put("clickhouse.url", endpoints.get("clickhouse"));
        options.put("clickhouse.database", DATABASE);
        options.put("checkpoint.interval", "5s");
        if (job == JobSubmitter.Job.LLM_METRICS) {
            options.put("prometheus.remote-write-url", endpoints.get("prometheus-remote-write"));
            options.put("llm.tenant-hash-secret", tenantHashSecret);
        }
        return options;
    }

    /**
     * The salt llm-metrics hashes API keys with, made once per stack and kept with its data: the same key must give
     * the same tenant after a restart, or billing would split.
     */
    private static String secret(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).trim();
            }
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            String secret = HexFormat.of().formatHex(bytes);
            Files.createDirectories(file.getParent());
            Files.writeString(file, secret, StandardCharsets.US_ASCII);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static void createTopics(KafkaBroker broker) {
        try (Admin admin = broker.admin()) {
            Set<String> existing = admin.listTopics().names().get();
            for (Topic topic : Topic.values()) {
                if (!existing.contains(topic.topicName())) {
                    broker.createTopic(topic.topicName(), topic.topicName().startsWith("tapflow.raw.") ? 2 : 1);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create tapflow's topics: " + e, e);
        }
    }

    private <T extends AutoCloseable> T started(T component) {
        started.push(component);
        return component;
    }

    private void step(int n, int of, String what) {
        out.printf("[%d/%d] starting %s …%n", n, of, what);
    }

    /** Where each component listens: kafka, schema-registry, clickhouse, prometheus(-remote-write), flink. */
    public Map<String, String> endpoints() {
        return Map.copyOf(endpoints);
    }

    /** Job id by job name, for the jobs submitted. */
    public Map<String, String> jobs() {
        return Map.copyOf(jobs);
    }

    /** Stops the components in the reverse order of their start (the jobs go down with the Flink cluster). */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                out.println("stopping " + c.getClass().getSimpleName() + " failed: " + e);
            }
        }
    }

    /** The shaded jars of {@code wanted} under the checkout {@code root} (built by ./tapflow setup). */
    public static Map<JobSubmitter.Job, Path> jobJars(Path root, List<JobSubmitter.Job> wanted) {
        Map<JobSubmitter.Job, Path> jars = new LinkedHashMap<>();
        for (JobSubmitter.Job job : wanted) {
            jars.put(job, JobSubmitter.findShadedJar(root, job));
        }
        return jars;
    }
}
