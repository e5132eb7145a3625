package io.tapflow.flowagg.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.RequestLog;
import java.time.Duration;
import java.util.Collections;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class FlowMetricsTest {

    @Test
    void uidLabelsNameTheWindowSize() {
        assertThat(FlowMetrics.label(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(FlowMetrics.label(Duration.ofMinutes(1))).isEqualTo("1m");
        assertThat(FlowMetrics.label(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(FlowMetrics.label(Duration.ofMillis(250))).isEqualTo("250ms");
    }

    @Test
    void windowsMustBeWholePositiveMilliseconds() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<RequestLog> logs = env.fromData(Collections.<RequestLog>emptyList(),
                AvroSpecificTypeInfo.forRecord(RequestLog.class));
        DataStream<RequestSample> samples = FlowMetrics.samples(logs);
        assertThatThrownBy(() -> FlowMetrics.red(samples, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> FlowMetrics.serviceMap(samples, Duration.ofNanos(1_500_000)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(FlowMetrics.red(samples, Duration.ofSeconds(1)).metrics().getName()).isEqualTo("red-metrics-1s");
    }
}
