package io.tapflow.flink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobOptionsTest {

    private static final JobOption BOOTSTRAP = JobOption.string("kafka.bootstrap-servers", null, "Kafka brokers")
            .asRequired();
    private static final JobOption PARALLELISM = JobOption.integer("parallelism", 2, "operator parallelism");
    private static final JobOption MAX_BYTES = JobOption.longValue("dead-letter.max-bytes", 65536L, "payload cap");
    private static final JobOption OUT_OF_ORDER = JobOption.duration("watermark.out-of-orderness", "5s", "bound");
    private static final JobOption KEEP = JobOption.bool("dead-letter.keep-payload", true, "keep bytes");
    private static final JobOption TOPICS = JobOption.list("topics", "a,b", "input topics");
    private static final JobOption PASSWORD = JobOption.string("clickhouse.password", "", "ClickHouse password");
    private static final List<JobOption> ALL =
            List.of(BOOTSTRAP, PARALLELISM, MAX_BYTES, OUT_OF_ORDER, KEEP, TOPICS, PASSWORD);

    @TempDir
    Path dir;

    @Test
    void flagsOverrideTheConfigFileWhichOverridesDefaults() throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, """
                # comment
                kafka.bootstrap-servers: "broker:9092"
                parallelism=4
                watermark.out-of-orderness: 200ms
                topics: x, y ,,z
                """);
        JobOptions options = JobOptions.parse(
                new String[] {"--config", file.toString(), "--parallelism", "8", "--dead-letter.keep-payload=false"},
                ALL);

        assertThat(options.getString(BOOTSTRAP)).isEqualTo("broker:9092");
        assertThat(options.getInt(PARALLELISM)).isEqualTo(8);
        assertThat(options.getLong(MAX_BYTES)).isEqualTo(65536L);
        assertThat(options.getDuration(OUT_OF_ORDER)).isEqualTo(Duration.ofMillis(200));
        assertThat(options.getBoolean(KEEP)).isFalse();
        assertThat(options.getList(TOPICS)).containsExactly("x", "y", "z");
        assertThat(options.isSet(MAX_BYTES)).isFalse();
        assertThat(options.required(BOOTSTRAP)).isEqualTo("broker:9092");
    }

    @Test
    void durationsTakeUnits() throws Exception {
        JobOptions five = JobOptions.fromMap(Map.of("kafka.bootstrap-servers", "b", OUT_OF_ORDER.name(), "5m"), ALL);
        assertThat(five.getDuration(OUT_OF_ORDER)).isEqualTo(Duration.ofMinutes(5));
        JobOptions thirty = JobOptions.fromMap(Map.of("kafka.bootstrap-servers", "b", OUT_OF_ORDER.name(), "30s"), ALL);
        assertThat(thirty.getDuration(OUT_OF_ORDER)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void oneErrorListsEveryProblem() {
        assertThatThrownBy(() -> JobOptions.parse(new String[] {
                "--paralelism", "3", "--dead-letter.max-bytes", "lots", "--watermark.out-of-orderness", "30",
                "--dead-letter.keep-payload", "yes", "stray"}, ALL))
                .isInstanceOfSatisfying(InvalidJobOptionsException.class, e -> {
                    assertThat(e.problems()).containsExactlyInAnyOrder(
                            "unexpected argument 'stray' (options are --key value)",
                            "unknown option 'paralelism' (did you mean 'parallelism'?)",
                            "option dead-letter.max-bytes: expected a long integer, got 'lots'",
                            "option watermark.out-of-orderness: expected a duration like 200ms, 30s, 5m, 1h or 2d,"
                                    + " got '30'",
                            "option dead-letter.keep-payload: expected true or false, got 'yes'",
                            "missing required option kafka.bootstrap-servers (Kafka brokers)");
                    assertThat(e.getMessage()).startsWith("invalid job options (6 problems):");
                });
    }

    @Test
    void unreadableFileAndMalformedLinesAreReported() throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "kafka.bootstrap-servers: b\njust words\n");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--config", file.toString()}, ALL))
                .isInstanceOfSatisfying(InvalidJobOptionsException.class, e -> assertThat(e.problems())
                        .containsExactly(file + " line 2: expected 'key: value' or 'key=value'"));
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--config", dir.resolve("missing").toString()}, ALL))
                .isInstanceOfSatisfying(InvalidJobOptionsException.class, e -> assertThat(e.problems())
                        .hasSize(2).first().asString().startsWith("cannot read config file"));
    }

    @Test
    void secretsAreMaskedInToStringErrorsAndHelp() throws Exception {
        JobOptions options = JobOptions.fromMap(
                Map.of("kafka.bootstrap-servers", "b", "clickhouse.password", "hunter2"), ALL);
        assertThat(options.toString()).contains("clickhouse.password=******", "parallelism=2")
                .doesNotContain("hunter2");
        assertThat(options.getString(PASSWORD)).isEqualTo("hunter2");

        JobOption token = JobOption.integer("api.token", null, "t");
        assertThatThrownBy(() -> JobOptions.fromMap(Map.of("api.token", "hunter2"), List.of(token)))
                .hasMessageContaining("option api.token: invalid int").hasMessageNotContaining("hunter2");
        assertThat(JobOptions.isSecretKey("llm.API-KEY")).isTrue();
        assertThat(JobOptions.isSecretKey("source.secret-file")).isTrue();
        assertThat(JobOptions.isSecretKey("kafka.topic")).isFalse();
    }

    @Test
    void helpListsDeclaredOptions() {
        String help = JobOptions.help("flow-aggregation", ALL);
        assertThat(help).startsWith("Usage: flow-aggregation [--config FILE]")
                .contains("--kafka.bootstrap-servers <string> (required)\n      Kafka brokers")
                .contains("--watermark.out-of-orderness <duration> (default: 5s)");
        assertThat(JobOptions.isHelpRequested(new String[] {"--parallelism", "2", "--help"})).isTrue();
        assertThat(JobOptions.isHelpRequested(new String[] {"--parallelism", "2"})).isFalse();
    }

    @Test
    void programmingErrorsFailFast() throws Exception {
        assertThatThrownBy(() -> JobOption.duration("d", "30", "bad default"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default of d");
        JobOptions options = JobOptions.fromMap(Map.of("kafka.bootstrap-servers", "b"), ALL);
        assertThatThrownBy(() -> options.getInt(JobOption.integer("undeclared", 1, "x")))
                .hasMessageContaining("not declared");
        assertThatThrownBy(() -> options.getInt(MAX_BYTES)).hasMessageContaining("is LONG, not INT");
    }
}
