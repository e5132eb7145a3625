package io.tapflow.localstack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tapflow up | status | down} as users run them: the stack in a background JVM, status from another
 * process' point of view, down by signal; then up again on the same data directory (data survives restarts).
 * Without jobs: local-stack never depends on the job modules (their ITCases submit them).
 */
class LocalStackITCase {

    @TempDir
    Path dir;

    @Test
    void upStatusDownAndUpAgainOnTheSameData() throws Exception {
        assertThat(cli("status").code).as("status before up").isEqualTo(3);
        for (int round = 1; round <= 2; round++) {
            Process up = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-cp", System.getProperty("java.class.path"), LocalStackMain.class.getName(), "up",
                    "--dir", dir.toString(), "--jobs", "none")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stack-" + round + ".log").toFile()).start();
            try {
                Result status = cli("status", "--wait", "240");
                assertThat(up.isAlive()).as("round %d: the stack process runs; its log: %s", round, log(round))
                        .isTrue();
                assertThat(status.code).as("round %d status: %s%nstack log: %s", round, status.output,
                        log(round)).isZero();
                for (String component : List.of("kafka", "schema-registry", "clickhouse", "prometheus", "flink")) {
                    assertThat(status.output).as("round %d", round).containsPattern(component + " +\\S+ +ok");
                }
                assertThat(StackState.read(dir).orElseThrow().pid()).isEqualTo(up.pid());

                Result down = cli("down");
                assertThat(down.code).as("down: %s", down.output).isZero();
                assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("stack process exited").isTrue();
                assertThat(StackState.read(dir)).as("state file after down").isEmpty();
                assertThat(log(round)).contains("the local stack is down");
            } finally {
                stop(up);
            }
        }
        assertThat(dir.resolve("data/clickhouse")).isDirectory();
        assertThat(cli("status").code).as("status after down").isEqualTo(3);
    }

    /**
     * After a failed round the stack still runs: SIGTERM lets its shutdown hook stop what it started (Flink JVMs,
     * ClickHouse, Prometheus); whatever is left after a minute is killed with the whole tree, never orphaned.
     */
    private static void stop(Process up) throws InterruptedException {
        if (up.isAlive()) {
            up.destroy();
            up.waitFor(60, TimeUnit.SECONDS);
        }
        up.descendants().forEach(ProcessHandle::destroyForcibly);
        up.destroyForcibly();
    }

    private String log(int round) throws Exception {
        return Files.readString(dir.resolve("stack-" + round + ".log"), StandardCharsets.UTF_8);
    }

    private Result cli(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--dir";
        all[args.length + 1] = dir.toString();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = LocalStackMain.run(all, out, out);
        return new Result(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String output) {
    }
}
