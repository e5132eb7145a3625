package io.tapflow.localstack.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobOptionsFileTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheJobsFormatAndTurnsItIntoArguments() throws Exception {
        Path file = Files.writeString(tmp.resolve("job.yaml"), """
                # comment
                kafka.bootstrap-servers: kafka:9092

                clickhouse.url=http://ch:8123/?a=b
                clickhouse.password: "s3cr:et"
                services: 'nginx=gateway,10.0.0.5:5432=orders-db'
                empty:
                """);
        Map<String, String> options = JobOptionsFile.read(file);
        assertThat(options).containsExactly(
                Map.entry("kafka.bootstrap-servers", "kafka:9092"),
                Map.entry("clickhouse.url", "http://ch:8123/?a=b"),
                Map.entry("clickhouse.password", "s3cr:et"),
                Map.entry("services", "nginx=gateway,10.0.0.5:5432=orders-db"),
                Map.entry("empty", ""));
        assertThat(JobOptionsFile.toProgramArgs(options)).containsExactly("--kafka.bootstrap-servers=kafka:9092",
                "--clickhouse.url=http://ch:8123/?a=b", "--clickhouse.password=s3cr:et",
                "--services=nginx=gateway,10.0.0.5:5432=orders-db", "--empty=");
        assertThat(JobOptionsFile.describe(options))
                .contains("clickhouse.password=******")
                .doesNotContain("s3cr");
    }

    @Test
    void aLineWithoutSeparatorNamesItsLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("bad.yaml"), "a: 1\njust-a-word\n");
        assertThatThrownBy(() -> JobOptionsFile.read(file)).hasMessageContaining("line 2");
        assertThat(JobOptionsFile.isSecretKey("sink.api-key")).isTrue();
        assertThat(JobOptionsFile.isSecretKey("kafka.group-id")).isFalse();
        assertThat(JobOptionsFile.toProgramArgs(Map.of())).isEqualTo(List.of());
    }
}
