package io.tapflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (d) The runnable jar as a child process, the way `./tapflow collector` runs it: preflight refusals (distinct exit
 * code, one line), the not-yet-wired eBPF path, and a clean SIGTERM shutdown with the summary.
 */
class AgentProcessITCase {

    @TempDir
    Path dir;

    private record Result(int exitCode, String stdout, String stderr) {}

    @Test
    void refusesWithoutBtfInOneLine() throws Exception {
        Result result = run(List.of("--btf-path", "/nonexistent/vmlinux"), 60);
        assertThat(result.exitCode()).isEqualTo(Preflight.EXIT_NO_BTF);
        assertThat(result.stderr().strip().lines()).containsExactly("tapflow collector: no kernel BTF at"
                + " /nonexistent/vmlinux: the eBPF probes need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
    }

    @Test
    void refusesWithoutCapabilitiesInOneLine() throws Exception {
        Path status = dir.resolve("status");
        // a real status file of this process, with the effective capabilities of an unprivileged user
        String real = Files.readString(Path.of("/proc/self/status"));
        Files.writeString(status, real.replaceAll("(?m)^CapEff:.*$", "CapEff:\t0000000000000000"));
        Result result = run(List.of("--preflight-status-file", status.toString()), 60);
        assertThat(result.exitCode()).isEqualTo(Preflight.EXIT_NOT_PRIVILEGED);
        assertThat(result.stderr().strip().lines()).hasSize(1).first().asString()
                .startsWith("tapflow collector: not privileged: the eBPF collector needs root or CAP_BPF+CAP_PERFMON");
    }

    @Test
    void refusesWhenTracefsCannotBeMounted() throws Exception {
        Result result = run(List.of("--tracefs-path", dir.resolve("missing/tracing").toString()), 60);
        assertThat(result.exitCode()).isEqualTo(Preflight.EXIT_NO_TRACEFS);
        assertThat(result.stderr().strip().lines()).hasSize(1).first().asString()
                .startsWith("tapflow collector: tracefs is not mounted at");
    }

    @Test
    void badConfigurationIsOneLineAndExitCode2() throws Exception {
        Result result = run(List.of("--replay", CollectorItBase.capture("redis.pcapng").toString(),
                "--payload-bytes", "5000"), 60);
        assertThat(result.exitCode()).isEqualTo(CollectorMain.EXIT_CONFIG);
        assertThat(result.stderr().strip()).isEqualTo("tapflow collector: payload-bytes must be within 0..4096,"
                + " was 5000");
    }

    /** SIGTERM while replaying with Kafka and the registry unreachable: flush deadline, summary, all accounted. */
    @Test
    void sigtermStopsCleanlyWithASummary() throws Exception {
        int closed = freePort();
        List<String> args = List.of("--replay", CollectorItBase.capture("http-ipv4.pcap").toString(),
                "--replay-loops", "1000000", "--replay-speed", "1", "--kafka-bootstrap", "127.0.0.1:" + closed,
                "--schema-registry-url", "http://127.0.0.1:" + closed, "--metrics-port", "-1",
                "--status-interval-s", "1", "--shutdown-timeout-s", "3");
        Process process = start(args);
        Path out = dir.resolve("out.txt");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !Files.readString(out).contains("status:")) {
            Thread.sleep(200);
        }
        assertThat(Files.readString(out)).contains("status:");
        long t0 = System.nanoTime();
        process.destroy(); // SIGTERM
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        String stdout = Files.readString(out);
        assertThat(stopMs).isLessThan(15_000);
        Matcher summary = Pattern.compile("offered=(\\d+) published=(\\d+) dropped=(\\d+)\\S* queued=(\\d+)"
                + " in_flight=(\\d+)").matcher(stdout);
        assertThat(summary.find()).as("summary in %s", stdout).isTrue();
        long offered = Long.parseLong(summary.group(1));
        assertThat(offered).isPositive();
        assertThat(Long.parseLong(summary.group(2)) + Long.parseLong(summary.group(3))).isEqualTo(offered);
        assertThat(stdout).contains("registry_unavailable");
    }

    private Result run(List<String> args, int timeoutSeconds) throws Exception {
        Process process = start(args);
        assertThat(process.waitFor(timeoutSeconds, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(dir.resolve("out.txt")),
                Files.readString(dir.resolve("err.txt")));
    }

    private Process start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                agentJar().toString()));
        command.addAll(args);
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
    }

    /** The shaded jar `mvn package` built before the ITCases run. */
    static Path agentJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("tapflow-collector-agent-.*-all\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no target/*-all.jar: run mvn package"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
