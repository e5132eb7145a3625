package io.tapflow.localstack.flink;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Deploys a tapflow job's shaded jar to a Flink cluster over REST, the way {@code ./tapflow submit} does: upload,
 * run with the options as program arguments, wait until RUNNING, remove the uploaded jar (the running job keeps
 * its copy in the cluster's blob store). Refuses to start a second instance of a job that is already running (both
 * would share a consumer group and Kafka transactional ids); {@link Request#upgrade()} instead stops it with a
 * savepoint and starts the new jar from that savepoint. Every step is reported on {@code out}; secret option values
 * never are.
 */
public final class JobSubmitter {

    /** The jobs tapflow ships: name used by {@code --job}, module directory, and the job name its main() sets. */
    public enum Job {
        FLOW_AGGREGATION("flow-aggregation"),
        TRACE_ASSEMBLY("trace-assembly"),
        LLM_METRICS("llm-metrics");

        private final String id;

        Job(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The name the job's main() gives env.execute: "tapflow &lt;job&gt;". */
        public String flinkJobName() {
            return "tapflow " + id;
        }

        public static Job of(String id) {
            for (Job j : values()) {
                if (j.id.equals(id)) {
                    return j;
                }
            }
            throw new IllegalArgumentException("unknown job '" + id + "' (known: " + String.join(", ",
                    Stream.of(values()).map(Job::id).toList()) + ")");
        }
    }

    /** One submission. {@code savepoint} restores from a given savepoint; {@code upgrade} makes one first. */
    public record Request(Job job, Path jar, Map<String, String> options, Integer parallelism, String savepoint,
                          boolean allowNonRestoredState, boolean upgrade) {
    }

    private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(5);

    private final FlinkRestClient rest;
    private final PrintStream out;

    public JobSubmitter(FlinkRestClient rest, PrintStream out) {
        this.rest = rest;
        this.out = out;
    }

    /** Submits and returns the new job's id once it is RUNNING. */
    public String submit(Request request) {
        var overview = rest.overview();
        out.printf("Flink %s at %s: %d task manager(s), %d of %d slots free%n",
                overview.path("flink-version").asText("?"), rest.url(), overview.path("taskmanagers").asInt(),
                overview.path("slots-available").asInt(), overview.path("slots-total").asInt());

        String savepoint = request.savepoint();
        Optional<FlinkRestClient.JobSummary> running = rest.jobs().stream()
                .filter(j -> j.name().equals(request.job().flinkJobName()))
                .filter(j -> Set.of("RUNNING", "CREATED", "INITIALIZING", "RESTARTING").contains(j.state()))
                .findFirst();
        if (running.isPresent()) {
            FlinkRestClient.JobSummary old = running.get();
            if (!request.upgrade()) {
                throw new IllegalStateException("'" + old.name() + "' is already " + old.state() + " as job "
                        + old.id() + "; use --upgrade to replace it from a savepoint, or cancel it first");
            }
            if (savepoint != null) {
                throw new IllegalArgumentException("--upgrade makes its own savepoint; do not pass --savepoint too");
            }
            out.printf("stopping job %s (%s) with a savepoint …%n", old.id(), old.name());
            savepoint = rest.stopWithSavepoint(old.id(), null, SAVEPOINT_TIMEOUT);
            out.printf("savepoint: %s%n", savepoint);
        } else if (request.upgrade()) {
            out.printf("no running '%s' to upgrade: starting it fresh%n", request.job().flinkJobName());
        }

        out.printf("uploading %s (%d MB) …%n", request.jar(), size(request.jar()) >> 20);
        String jarId = rest.uploadJar(request.jar());
        try {
            out.printf("running %s with options: %s%n", request.job().id(),
                    JobOptionsFile.describe(request.options()));
            FlinkRestClient.RunRequest run = FlinkRestClient.RunRequest
                    .of(JobOptionsFile.toProgramArgs(request.options()))
                    .withParallelism(request.parallelism());
            if (savepoint != null) {
                out.printf("restoring from %s%n", savepoint);
                run = run.fromSavepoint(savepoint, request.allowNonRestoredState());
            }
            String jobId = run(jarId, run);
            out.printf("job %s (%s) submitted; waiting for RUNNING …%n", jobId, request.job().flinkJobName());
            rest.awaitState(jobId, Set.of("RUNNING"), RUNNING_TIMEOUT);
            out.printf("job %s is RUNNING%n", jobId);
            return jobId;
        } finally {
            try {
                rest.deleteJar(jarId);
            } catch (FlinkRestException e) {
                out.printf("note: could not remove the uploaded jar %s: %s%n", jarId, e.getMessage());
            }
        }
    }

    /**
     * Runs the jar; explains the two ways a job main() calling System.exit shows up (tapflow's jobs do on invalid
     * options): the cluster intercepts it and says so, or — Flink's default — the JobManager JVM exits mid-request.
     */
    private String run(String jarId, FlinkRestClient.RunRequest run) {
        try {
            return rest.runJar(jarId, run);
        } catch (FlinkRestException e) {
            if (e.getMessage().contains("attempted to exit JVM")) {
                throw new IllegalStateException(e.getMessage() + " — the job's main() exited, usually because it "
                        + "rejected its options: its message is in the JobManager's stdout/stderr", e);
            }
            if (e.status() == 0) {
                throw new IllegalStateException(e.getMessage() + " — the JobManager dropped the connection while "
                        + "running the job's main(); if it is gone, the main() called System.exit (unless the "
                        + "cluster sets cluster.intercept-user-system-exit: THROW): check the options", e);
            }
            throw e;
        }
    }

    /**
     * The job's shaded jar under {@code root}: {@code flink-jobs/<job>/target/tapflow-<job>-<version>.jar}, not the
     * {@code original-} (unshaded) one the shade plugin keeps, nor test or source jars.
     */
    public static Path findShadedJar(Path root, Job job) {
        Path target = root.resolve("flink-jobs").resolve(job.id()).resolve("target");
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                files.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith("tapflow-" + job.id() + "-") && n.endsWith(".jar")
                            && !n.endsWith("-tests.jar") && !n.endsWith("-sources.jar");
                }).forEach(jars::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + target, e);
            }
        }
        if (jars.size() != 1) {
            throw new IllegalStateException(jars.isEmpty()
                    ? "no shaded jar of " + job.id() + " in " + target + ": run ./tapflow setup (it builds the jobs)"
                    : "several jars of " + job.id() + " in " + target + ": " + jars + "; pass one with --jar");
        }
        return jars.get(0);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
