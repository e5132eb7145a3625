package io.tapflow.demo;

import io.tapflow.collector.CollectorMain;
import io.tapflow.localstack.process.HealthCheck;
import io.tapflow.localstack.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The real collector ({@link CollectorMain}) as a child process publishing to the stack's Kafka and registry: live
 * eBPF capture limited to the demo's ports (the stack's own Kafka, ClickHouse and Flink traffic stays out), or the
 * replay of a capture shifted to now. Its status lines and summary are in {@code <logDir>/stdout.log}.
 */
final class CollectorProcess implements AutoCloseable {

    private final ManagedProcess process;

    private CollectorProcess(ManagedProcess process) {
        this.process = process;
    }

    /**
     * Starts live capture of {@code ports}, leaving this process (the demo's clients, as a user's browser or app
     * would be) out: the services are observed as servers, and LLM usage is billed once, at the serving process.
     * Returns once the probes are attached (the metrics line is out).
     */
    static CollectorProcess live(String kafka, String registry, Collection<Integer> ports, Path logDir) {
        List<String> args = common(kafka, registry, "tapflow-demo");
        args.addAll(List.of("--allow-ports", ports.stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--deny-pids", Long.toString(ProcessHandle.current().pid())));
        return start(args, logDir);
    }

    /**
     * Starts the replay of {@code capture}, its first packet moved to now, as fast as it goes; {@code names} names
     * the ends of its connections (the collector's --replay-names).
     */
    static CollectorProcess replay(String kafka, String registry, Path capture, String names, Path logDir) {
        // a replay's socket ids are the same every time; the jobs key flows by agent and socket id and keep a
        // flow's state until it ends or idles out, so a second replay under the same agent id would continue the
        // first one's flows (and be dropped as bytes already seen): each replay is an agent of its own
        List<String> args = common(kafka, registry, "tapflow-demo-replay-" + System.currentTimeMillis() / 1000);
        args.addAll(List.of("--replay", capture.toString(), "--replay-shift-to-now", "true", "--replay-names",
                names));
        return start(args, logDir);
    }

    private static List<String> common(String kafka, String registry, String agentId) {
        return new ArrayList<>(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CollectorMain.class.getName(), "--kafka-bootstrap", kafka, "--schema-registry-url", registry,
                "--agent-id", agentId, "--metrics-port", "0", "--metrics-bind", "127.0.0.1",
                "--status-interval-s", "5"));
    }

    private static CollectorProcess start(List<String> args, Path logDir) {
        Path stdout = logDir.resolve("stdout.log");
        return new CollectorProcess(ManagedProcess.builder("collector")
                .command(Path.of(System.getProperty("java.home"), "bin", "java"), args)
                .logDir(logDir).startTimeout(Duration.ofSeconds(90)).stopTimeout(Duration.ofSeconds(30))
                .healthCheck(new HealthCheck() {
                    @Override
                    public boolean ready() throws IOException {
                        // printed once the source is open (probes attached, or the capture file read)
                        return Files.readString(stdout).contains("metrics: http://");
                    }

                    @Override
                    public String describe() {
                        return "'metrics: http://…' on the collector's stdout";
                    }
                }).start());
    }

    /** Waits up to {@code timeout} for a replay to reach the end of its capture and flush; true when it did. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        ProcessHandle h = process.handle();
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        }
    }

    /** The collector's last summary line ("summary: … published N …"), or what it printed last. */
    String summary() {
        return lastSummary(process.stdoutLog().getParent());
    }

    /** The last summary line of the collector that logged to {@code logDir}. */
    static String lastSummary(Path logDir) {
        try {
            List<String> lines = Files.readAllLines(logDir.resolve("stdout.log"));
            return lines.stream().filter(l -> l.startsWith("summary:")).reduce((a, b) -> b)
                    .orElse(lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops it with SIGTERM: it flushes what it holds to Kafka first. */
    @Override
    public void close() {
        process.close();
    }
}
