package io.tapflow.demo;

import io.tapflow.collector.Preflight;
import io.tapflow.localstack.stack.StackState;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./tapflow demo}: the demo path ({@link DemoRun}) against the local stack that {@code ./tapflow up} runs.
 * Live eBPF capture when this machine allows it, else — saying why — the replay of the bundled capture of the same
 * traffic. Exit codes: 0 the tables showed what was sent, 1 they did not (in time) or something failed, 2 usage,
 * 3 no local stack running.
 */
public final class DemoMain {

    static final String USAGE = """
            Usage: ./tapflow demo [--seconds N] [--replay [FILE]] [--max-wait SECONDS] [--record FILE] [--no-build]

            Starts the local stack (unless it is up), then a small service chain — gateway → catalog (Redis) and
            orders (PostgreSQL) — and an OpenAI-compatible streaming endpoint on free loopback ports, captures them
            with tapflow's eBPF collector while clients call them, and prints what tapflow made of it: the service
            map with RED per edge, the top endpoints, one trace as a tree, LLM TTFT/TPOT per model and billable
            usage, each checked against what the demo sent. Without root or eBPF it says why and replays the bundled
            capture of the same traffic (demo/captures/demo.pcap) instead. The stack stays up: query it further
            with ./tapflow query, stop it with ./tapflow down.

            Options:
              --seconds N         live traffic duration [60]
              --replay [FILE]     replay a capture instead of capturing live [demo/captures/demo.pcap]
              --max-wait SECONDS  how long to wait for the tables to show the traffic [240]
              --record FILE       (live) also record the traffic with tcpdump into FILE and FILE's .expected.properties
              --no-build          (./tapflow) do not run the Maven build first
            """;
    static final Path BUNDLED_CAPTURE = Path.of("demo", "captures", "demo.pcap");

    private DemoMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path home = Path.of(System.getProperty("tapflow.home", ".")).toAbsolutePath();
        Duration traffic = Duration.ofSeconds(60);
        Duration maxWait = Duration.ofSeconds(240);
        Path replay = null;
        Path record = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    case "--seconds" -> traffic = Duration.ofSeconds(Long.parseLong(value(args, ++i)));
                    case "--max-wait" -> maxWait = Duration.ofSeconds(Long.parseLong(value(args, ++i)));
                    case "--record" -> record = Path.of(value(args, ++i)).toAbsolutePath();
                    case "--replay" -> replay = i + 1 < args.length && !args[i + 1].startsWith("--")
                            ? Path.of(args[++i]).toAbsolutePath() : home.resolve(BUNDLED_CAPTURE);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        Path stackDir = home.resolve(".tapflow").resolve("stack");
        Optional<StackState> stack = StackState.read(stackDir).filter(StackState::alive);
        if (stack.isEmpty()) {
            err.println("no local stack is running in " + stackDir + " (./tapflow demo starts one; so does"
                    + " ./tapflow up)");
            return 3;
        }
        if (replay == null) {
            Optional<Preflight.Failure> noEbpf = new Preflight(Path.of("/proc/self/status"),
                    Path.of("/sys/kernel/btf/vmlinux"), Path.of("/sys/kernel/tracing")).check();
            if (noEbpf.isPresent()) {
                out.println("eBPF capture is not available here: " + noEbpf.get().reason());
                out.println("replaying the bundled capture of the same traffic instead (" + BUNDLED_CAPTURE
                        + ", recorded by demo/captures/record.sh on a machine with eBPF)");
                replay = home.resolve(BUNDLED_CAPTURE);
            }
        }
        if (replay != null && record != null) {
            err.println("--record records live traffic; it cannot be combined with a replay");
            return 2;
        }
        if (replay != null && (!Files.isRegularFile(replay)
                || !Files.isRegularFile(PacketRecorder.expectedFile(replay)))) {
            err.println("no capture at " + replay + " with its " + PacketRecorder.expectedFile(replay).getFileName());
            return 1;
        }
        try {
            DemoRun.Result result = new DemoRun(stack.get().endpoints(), new DemoRun.Options(traffic, maxWait,
                    home.resolve(".tapflow").resolve("demo"), replay, record), out).run();
            return result.matched() ? 0 : 1;
        } catch (Exception e) {
            err.println("the demo failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    static List<String> nextSteps() {
        return List.of("./tapflow query map | red | traces | trace <id> [--otlp] | llm | usage   (--minutes N)",
                "./tapflow status    where each component listens (ClickHouse, Prometheus, Flink UI)",
                "./tapflow down      stop the stack; its data stays in .tapflow/stack/data");
    }
}
