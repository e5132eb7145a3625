package io.tapflow.localstack.stack;

import io.tapflow.localstack.flink.FlinkRestClient;
import io.tapflow.localstack.flink.JobSubmitter;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./tapflow up | status | down}: the {@link LocalStack} held by one background process. {@code up} runs in
 * that process (./tapflow starts it with nohup) until it gets SIGTERM; {@code status} checks every component and
 * job of the running stack; {@code down} sends the SIGTERM and waits. Exit codes: 0 fine, 1 something unhealthy or
 * failed (one line says what), 2 usage, 3 no stack running.
 */
public final class LocalStackMain {

    static final String USAGE = """
            Usage: ./tapflow up [--jobs NAME,...]     start the local stack in the background
                   ./tapflow status [--wait SECONDS]  health of every component and job
                   ./tapflow down                      stop it (data is kept under .tapflow/stack/data)

            The stack: Kafka (KRaft) + schema registry, ClickHouse (database 'tapflow'), Prometheus with the
            remote-write receiver, a standalone Flink cluster (JobManager + TaskManager JVMs) running the jobs'
            shaded jars. Ports are picked free at start; 'status' prints them. Logs: .tapflow/stack/stack.log and
            each component's log/ directory under .tapflow/stack/data.

            Options:
              --dir DIR        stack directory [.tapflow/stack]
              --jobs LIST      jobs to run, or 'none' [flow-aggregation,trace-assembly,llm-metrics]
              --wait SECONDS   (status) wait up to this long for the stack to come up
            """;
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration DOWN_TIMEOUT = Duration.ofSeconds(90);

    private LocalStackMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || List.of("-h", "--help").contains(args[0])) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Path dir = Path.of(".tapflow", "stack");
        List<JobSubmitter.Job> jobs = List.of(JobSubmitter.Job.values());
        long waitSeconds = 0;
        try {
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--dir" -> dir = Path.of(value(args, ++i, "--dir"));
                    case "--jobs" -> jobs = value(args, ++i, "--jobs").equals("none") ? List.of()
                            : Arrays.stream(args[i].split(",")).map(String::trim).filter(s -> !s.isEmpty())
                                    .map(JobSubmitter.Job::of).toList();
                    case "--wait" -> waitSeconds = Long.parseLong(value(args, ++i, "--wait"));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        return switch (args[0]) {
            case "up" -> up(dir, jobs, out, err);
            case "status" -> status(dir, Duration.ofSeconds(waitSeconds), out, err);
            case "down" -> down(dir, out, err);
            default -> {
                err.println("unknown command " + args[0]);
                err.print(USAGE);
                yield 2;
            }
        };
    }

    private static int up(Path dir, List<JobSubmitter.Job> jobs, PrintStream out, PrintStream err)
            throws InterruptedException {
        Optional<StackState> existing = StackState.read(dir);
        if (existing.isPresent() && existing.get().alive()) {
            out.println("the local stack is already up (pid " + existing.get().pid() + ")");
            return 0;
        }
        StackState.remove(dir);
        Path home = Path.of(System.getProperty("tapflow.home", ".")).toAbsolutePath();
        LocalStack stack;
        try {
            stack = LocalStack.start(dir, LocalStack.jobJars(home, jobs), out);
        } catch (RuntimeException e) {
            err.println("the local stack did not come up: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping the local stack …");
            StackState.remove(dir);
            stack.close();
            out.println("the local stack is down");
            stopped.countDown();
        }, "stack-shutdown"));
        new StackState(ProcessHandle.current().pid(), stack.endpoints(), stack.jobs()).write(dir);
        out.println("the local stack is up:");
        stack.endpoints().forEach((k, v) -> out.printf("  %-24s %s%n", k, v));
        stack.jobs().forEach((k, v) -> out.printf("  job %-20s %s%n", k, v));
        stopped.await();
        return 0;
    }

    private static int status(Path dir, Duration wait, PrintStream out, PrintStream err)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Optional<StackState> state = StackState.read(dir);
        while ((state.isEmpty() || !state.get().alive()) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            state = StackState.read(dir);
        }
        if (state.isEmpty() || !state.get().alive()) {
            err.println("no local stack is running in " + dir.toAbsolutePath() + " (start it with ./tapflow up)");
            return 3;
        }
        StackState s = state.get();
        out.println("local stack (pid " + s.pid() + ", " + dir.toAbsolutePath() + "):");
        List<String> unhealthy = new ArrayList<>();
        for (Map.Entry<String, String> e : s.endpoints().entrySet()) {
            String health = health(e.getKey(), e.getValue());
            out.printf("  %-24s %-40s %s%n", e.getKey(), e.getValue(), health);
            if (!health.equals("ok")) {
                unhealthy.add(e.getKey());
            }
        }
        String flink = s.endpoints().get("flink");
        for (Map.Entry<String, String> job : s.jobs().entrySet()) {
            String jobState;
            try {
                jobState = new FlinkRestClient(flink).job(job.getValue()).state();
            } catch (RuntimeException ex) {
                jobState = "unknown (" + ex.getMessage() + ")";
            }
            out.printf("  job %-20s %-40s %s%n", job.getKey(), job.getValue(), jobState);
            if (!jobState.equals("RUNNING")) {
                unhealthy.add(job.getKey());
            }
        }
        if (!unhealthy.isEmpty()) {
            err.println("not healthy: " + String.join(", ", unhealthy));
            return 1;
        }
        return 0;
    }

    private static int down(Path dir, PrintStream out, PrintStream err) throws InterruptedException {
        Optional<StackState> state = StackState.read(dir);
        if (state.isEmpty() || !state.get().alive()) {
            StackState.remove(dir);
            out.println("no local stack is running");
            return 0;
        }
        ProcessHandle process = ProcessHandle.of(state.get().pid()).orElseThrow();
        out.println("stopping the local stack (pid " + process.pid() + ") …");
        process.destroy();
        long deadline = System.nanoTime() + DOWN_TIMEOUT.toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        if (process.isAlive()) {
            err.println("the stack did not stop within " + DOWN_TIMEOUT.toSeconds() + " s; killing it");
            process.destroyForcibly();
            return 1;
        }
        out.println("the local stack is down");
        return 0;
    }

    /** "ok", or what is wrong: an HTTP health endpoint per component, a TCP connect for Kafka. */
    static String health(String component, String endpoint) {
        try {
            if (component.equals("kafka")) {
                String[] hostPort = endpoint.split(",")[0].split(":");
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])),
                            (int) HEALTH_TIMEOUT.toMillis());
                }
                return "ok";
            }
            String path = switch (component) {
                case "clickhouse" -> "/ping";
                case "prometheus" -> "/-/ready";
                case "schema-registry" -> "/subjects";
                case "flink" -> "/overview";
                default -> null; // an address other components use (the remote-write URL): nothing to probe
            };
            if (path == null) {
                return "ok";
            }
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build()
                    .send(HttpRequest.newBuilder(URI.create(endpoint.replaceAll("/+$", "") + path))
                            .timeout(HEALTH_TIMEOUT).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200 ? "ok" : "HTTP " + response.statusCode();
        } catch (Exception e) {
            return "unreachable (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
