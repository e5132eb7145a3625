package io.tapflow.flink.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClickHouseSinkBuilderTest {

    private static final String SECRET = "s3cr3t-pw";

    static final class IdSerializer implements ClickHouseRowSerializer<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Long id) {
            return ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static ClickHouseSinkBuilder<Long> valid() {
        return ClickHouseSink.<Long>builder()
                .setEndpoint("http://127.0.0.1:8123")
                .setDatabase("tapflow")
                .setTable("llm_usage_hourly")
                .setUsername("writer")
                .setPassword(SECRET)
                .setSerializer(new IdSerializer());
    }

    @Test
    void buildsWithDefaults() {
        ClickHouseSink<Long> sink = valid().build();

        assertThat(sink.toString()).contains("tapflow.llm_usage_hourly").contains("maxBatchRows=10000")
                .doesNotContain(SECRET);
    }

    @Test
    void sinkSurvivesJavaSerializationWithoutTheBuilder() throws Exception {
        // what Flink does with it: into the job graph and back on a task manager
        ClickHouseSink<Long> copy = InstantiationUtil.clone(valid().setMaxBatchRows(500).build());

        assertThat(copy.toString()).contains("maxBatchRows=500").contains("http://127.0.0.1:8123");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad(b -> b.setEndpoint(null), "endpoint is not set"),
                bad(b -> b.setEndpoint("127.0.0.1:8123"),
                        "endpoint must be an http:// or https:// URL like http://host:8123, was '127.0.0.1:8123'"),
                bad(b -> b.setEndpoint("ftp://host:21"), "endpoint must be an http:// or https:// URL"),
                bad(b -> b.setEndpoint("http://host:8123/db?x=1"),
                        "endpoint must have no path, query or fragment"),
                bad(b -> b.setEndpoint("http://u:pw@host:8123"), "endpoint must not carry credentials"),
                bad(b -> b.setEndpoint("http://ho st"), "endpoint must be an http:// or https:// URL like "
                        + "http://host:8123, was 'http://ho st' (Illegal character in authority)"),
                bad(b -> b.setDatabase(null), "database is not set"),
                bad(b -> b.setDatabase("tap-flow"), "database 'tap-flow' is not a plain identifier"),
                bad(b -> b.setTable(""), "table is not set"),
                bad(b -> b.setTable("t; DROP TABLE x"), "is not a plain identifier"),
                bad(b -> b.setUsername(" "), "username is not set"),
                bad(b -> b.setPassword(null), "password is not set (use setPassword(\"\")"),
                bad(b -> b.setSerializer(null), "serializer is not set"),
                bad(b -> b.setMaxBatchRows(0), "maxBatchRows must be in 1..1000000, was 0"),
                bad(b -> b.setMaxBatchRows(2_000_000), "maxBatchRows must be in 1..1000000, was 2000000"),
                bad(b -> b.setMaxBatchBytes(0), "maxBatchBytes must be positive"),
                bad(b -> b.setMaxTimeInBuffer(Duration.ZERO), "maxTimeInBuffer must be positive"),
                bad(b -> b.setMaxTimeInBuffer(null), "maxTimeInBuffer is not set"),
                bad(b -> b.setMaxInFlightRequests(0), "maxInFlightRequests must be at least 1"),
                bad(b -> b.setMaxBatchRows(100).setMaxBufferedRows(100),
                        "maxBufferedRows must be greater than maxBatchRows (100), was 100"),
                bad(b -> b.setRetryBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)),
                        "max retry backoff (PT1S) must not be shorter than the initial one (PT5S)"),
                bad(b -> b.setRetryBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1)),
                        "initial retry backoff must be positive"),
                bad(b -> b.setMaxAttempts(0), "maxAttempts must be at least 1"),
                bad(b -> b.setRequestTimeout(Duration.ofNanos(10)), "requestTimeout must be at least 1 ms"),
                bad(b -> b.setConnectTimeout(null), "connectTimeout is not set"));
    }

    private static Arguments bad(UnaryOperator<ClickHouseSinkBuilder<Long>> change, String message) {
        return Arguments.of(change, message);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalid")
    void rejectsWithAClearMessage(UnaryOperator<ClickHouseSinkBuilder<Long>> change, String message) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid ClickHouseSink configuration")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }

    @Test
    void listsEveryProblemAtOnce() {
        assertThatThrownBy(() -> ClickHouseSink.<Long>builder().setMaxAttempts(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint is not set")
                .hasMessageContaining("database is not set")
                .hasMessageContaining("table is not set")
                .hasMessageContaining("username is not set")
                .hasMessageContaining("password is not set")
                .hasMessageContaining("serializer is not set")
                .hasMessageContaining("maxAttempts must be at least 1");
    }

    @Test
    void rejectsASerializerFlinkCannotShip() {
        Object notSerializable = new Object();
        ClickHouseRowSerializer<Long> capturing = id -> notSerializable.toString().getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> valid().setSerializer(capturing).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not serializable")
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void defaultBufferIsFourBatches() {
        // 4 × 100 > 100: a small batch size alone is valid without setting the buffer
        assertThat(valid().setMaxBatchRows(100).build().toString()).contains("maxBatchRows=100");
    }
}
