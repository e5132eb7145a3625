package io.tapflow.localstack.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.localstack.process.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubmitMainTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SubmitMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpAndUsageErrors() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--rest URL").contains("--upgrade");
        assertThat(run("--rest", "http://x:8081")).isEqualTo(2);
        assertThat(err()).contains("--rest and --config are required");
        assertThat(run("--rest", "http://x:8081", "--config", "f", "--parallelism", "0")).isEqualTo(2);
        assertThat(run("--rest", "http://x:8081", "--config", "f", "--upgrade", "--savepoint", "s")).isEqualTo(2);
        assertThat(run("--bogus")).isEqualTo(2);
        assertThat(err()).contains("unknown option --bogus");
    }

    @Test
    void oneLineErrorsForWhatIsMissing() throws Exception {
        Path config = Files.writeString(tmp.resolve("job.yaml"), "kafka.bootstrap-servers: k:9092\n");
        Path jar = Files.write(tmp.resolve("job.jar"), new byte[] {0});
        assertThat(run("--rest", "http://x:8081", "--config", config.toString(), "--job", "nope", "--jar",
                jar.toString())).isEqualTo(1);
        assertThat(err()).contains("unknown job 'nope'");
        assertThat(run("--rest", "http://x:8081", "--config", config.toString(), "--jar",
                tmp.resolve("missing.jar").toString())).isEqualTo(1);
        assertThat(err()).contains("no such jar");
        assertThat(run("--rest", "http://127.0.0.1:" + FreePorts.find(), "--config", config.toString(), "--jar",
                jar.toString())).isEqualTo(1);
        assertThat(err()).contains("unreachable").contains("is the JobManager running");

        String home = System.getProperty(SubmitMain.HOME_PROPERTY);
        System.setProperty(SubmitMain.HOME_PROPERTY, tmp.toString());
        try {
            assertThat(run("--rest", "http://x:8081", "--config", config.toString())).isEqualTo(1);
            assertThat(err()).contains("no shaded jar of flow-aggregation").contains("run ./tapflow setup");
        } finally {
            if (home == null) {
                System.clearProperty(SubmitMain.HOME_PROPERTY);
            } else {
                System.setProperty(SubmitMain.HOME_PROPERTY, home);
            }
        }
    }
}
