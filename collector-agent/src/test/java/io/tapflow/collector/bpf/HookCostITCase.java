package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * bpf/bench/hook_cost, the platform floor of {@code ./tapflow bench collector}, as the build leaves it in
 * target/bpf: it loads and attaches every program on this kernel, measures every mode, and its minimal captures
 * deliver one ring record per traced call (a capture that silently emitted nothing would measure as cheap).
 */
class HookCostITCase {

    private static final Path TOOL = Path.of("target/bpf/hook_cost");

    @Test
    void everyModeRunsAndEveryCapturedCallReachesTheRing() throws Exception {
        Result r = run("--calls", "5000", "--rounds", "2");

        assertThat(r.exit).as("exit code; output:%n%s", r.output).isZero();
        List<String> modes = List.of("per-syscall tracepoint, exit, empty",
                "per-syscall tracepoints, enter + exit, empty", "another syscall's enter + exit (untraced call)",
                "tp_btf sys_exit (every syscall), empty", "tp_btf sys_enter + sys_exit, empty",
                "tp_btf sys_exit: clock read only", "tp_btf sys_exit: 64 B user copy only",
                "tp_btf sys_exit: ring record only", "minimal capture, per-syscall exit",
                "minimal capture, tp_btf sys_exit");
        for (String mode : modes) {
            assertThat(r.output).as("a min / median line for %s", mode)
                    .containsPattern("(?m)^  " + Pattern.quote(mode) + " +-?\\d+ +-?\\d+$");
        }
        Matcher records = Pattern.compile("ring records read: (\\d+) of (\\d+)").matcher(r.output);
        assertThat(records.find()).as("the ring line in:%n%s", r.output).isTrue();
        // three modes emit a record per call: ring only and the two minimal captures
        assertThat(Long.parseLong(records.group(2))).isEqualTo(3L * 5000 * 2);
        assertThat(records.group(1)).isEqualTo(records.group(2));
    }

    @Test
    void badArgumentsAreRefusedWithUsage() throws Exception {
        Result r = run("--calls", "10");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("--calls must be >= 1000");
        assertThat(run("--bogus").output).contains("usage: hook_cost");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        assertThat(TOOL).as("built by the collector-agent build (make -C bpf bench)").isExecutable();
        List<String> command = new java.util.ArrayList<>(List.of(TOOL.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("hook-cost", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("hook_cost ran longer than 120 s: " + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
