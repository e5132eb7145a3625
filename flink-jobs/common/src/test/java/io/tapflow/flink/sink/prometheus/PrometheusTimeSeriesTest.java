package io.tapflow.flink.sink.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.flink.sink.prometheus.PrometheusTimeSeries.Label;
import io.tapflow.flink.sink.prometheus.PrometheusTimeSeries.Sample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTimeSeriesTest {

    @Test
    void labelsAreSortedByNameWithTheMetricName() {
        PrometheusTimeSeries s = PrometheusTimeSeries.builder("http_requests_total")
                .label("service", "checkout").label("Zone", "eu").label("code", "200").sample(5, 1).build();

        assertThat(s.labels()).containsExactly(new Label("Zone", "eu"),
                new Label("__name__", "http_requests_total"), new Label("code", "200"),
                new Label("service", "checkout"));
        assertThat(s.samples()).containsExactly(new Sample(5, 1));
        assertThat(s.seriesKey()).isEqualTo("http_requests_total{Zone=\"eu\",code=\"200\",service=\"checkout\"}");
    }

    @Test
    void seriesKeyIgnoresSamplesAndLabelOrderAndEscapesValues() {
        PrometheusTimeSeries a = PrometheusTimeSeries.builder("m").label("b", "x\"y\\z\n").label("a", "1")
                .sample(1, 1).build();
        PrometheusTimeSeries b = PrometheusTimeSeries.builder("m").labels(Map.of("a", "1", "b", "x\"y\\z\n"))
                .sample(2, 7).build();

        assertThat(a.seriesKey()).isEqualTo(b.seriesKey()).isEqualTo("m{a=\"1\",b=\"x\\\"y\\\\z\\n\"}");
        assertThat(new PrometheusSeriesKeySelector().getKey(a)).isEqualTo(a.seriesKey());
        assertThat(a).isNotEqualTo(b);
        assertThat(PrometheusTimeSeries.builder("m").sample(1, 1).build().seriesKey()).isEqualTo("m{}");
    }

    @Test
    void rejectsNamesOutsidePrometheusCharset() {
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("1abc")).hasMessageContaining("metric name");
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("a-b")).hasMessageContaining("metric name");
        assertThat(PrometheusTimeSeries.builder("ns:rule_total").sample(1, 1).build().metricName())
                .isEqualTo("ns:rule_total");
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("m").label("a:b", "v")).hasMessageContaining("a:b");
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("m").label("9a", "v")).hasMessageContaining("9a");
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("m").label("__name__", "x"))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("m").label("a", "")).hasMessageContaining("empty");
    }

    @Test
    void rejectsDuplicateLabelsMissingOrUnorderedSamples() {
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("m").label("a", "1").label("a", "2"))
                .hasMessageContaining("duplicate label name 'a'");
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("m").build()).hasMessageContaining("no samples");
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("m").sample(10, 1).sample(10, 2))
                .hasMessageContaining("not after");
        assertThatThrownBy(() -> PrometheusTimeSeries.builder("m").sample(10, 1).sample(9, 2))
                .hasMessageContaining("not after");
    }

    @Test
    void stateSerializerRoundTrips() throws IOException {
        PrometheusTimeSeries s = PrometheusTimeSeries.builder("m").label("le", "0.25").label("v", "ü".repeat(40_000))
                .sample(1, Double.NaN).sample(2, -3.5).build();
        PrometheusTimeSeriesStateSerializer serializer = new PrometheusTimeSeriesStateSerializer();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        serializer.serializeRequestToStream(s, new DataOutputStream(bytes));

        PrometheusTimeSeries back = serializer.deserializeRequestFromStream(bytes.size(),
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(back).isEqualTo(s);
        assertThat(back.seriesKey()).isEqualTo(s.seriesKey());
    }
}
