package io.tapflow.flink.sink.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RemoteWriteOutcomeTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "200 | | WRITTEN",
        "204 | | WRITTEN",
        "500 | internal error | RETRY",
        "503 | unavailable | RETRY",
        "429 | slow down | RETRY",
        // Prometheus 2.42 answers, verbatim (storage errors of its remote-write handler)
        "400 | out of order sample | REJECTED_SAMPLES",
        "400 | duplicate sample for timestamp | REJECTED_SAMPLES",
        "400 | out of bounds | REJECTED_SAMPLES",
        "400 | too old sample | REJECTED_SAMPLES",
        // 2.42 answers a sample older than its out-of-order window with 500; retrying it could never succeed
        "500 | too old sample | REJECTED_SAMPLES",
        "400 | snappy: corrupt input | FATAL",
        "400 | invalid metric name | FATAL",
        "401 | unauthorized | FATAL",
        "404 | remote write receiver needs to be enabled | FATAL",
        "413 | too large | FATAL",
        // a sample rejection only counts as such with Prometheus' status for it
        "409 | out of order sample | FATAL",
    })
    void classifiesAnswers(int status, String body, RemoteWriteOutcome expected) {
        assertThat(RemoteWriteOutcome.of(status, body)).isEqualTo(expected);
    }

    @Test
    void ioFailuresAreRetriedOtherFailuresAreFatal() {
        assertThat(RemoteWriteOutcome.of(new ConnectException("refused"))).isEqualTo(RemoteWriteOutcome.RETRY);
        assertThat(RemoteWriteOutcome.of(new HttpTimeoutException("timed out"))).isEqualTo(RemoteWriteOutcome.RETRY);
        assertThat(RemoteWriteOutcome.of(new IOException("reset"))).isEqualTo(RemoteWriteOutcome.RETRY);
        assertThat(RemoteWriteOutcome.of(new IllegalStateException("bug"))).isEqualTo(RemoteWriteOutcome.FATAL);
    }

    @Test
    void rejectedRequestsSplitBySeriesThenBySamplesInOrder() {
        PrometheusTimeSeries a = PrometheusTimeSeries.builder("a").sample(1, 1).build();
        PrometheusTimeSeries b = PrometheusTimeSeries.builder("b").sample(1, 1).build();
        PrometheusTimeSeries c = PrometheusTimeSeries.builder("c").sample(1, 1).sample(2, 2).sample(3, 3).build();

        assertThat(PrometheusRemoteWriteSinkWriter.split(List.of(a, b, c)))
                .containsExactly(List.of(a), List.of(b, c));
        List<List<PrometheusTimeSeries>> samples = PrometheusRemoteWriteSinkWriter.split(List.of(c));
        assertThat(samples.get(0)).singleElement().satisfies(s -> assertThat(s.samples()).hasSize(1)
                .first().extracting(PrometheusTimeSeries.Sample::timestampMs).isEqualTo(1L));
        assertThat(samples.get(1)).singleElement().satisfies(s -> assertThat(s.samples())
                .extracting(PrometheusTimeSeries.Sample::timestampMs).containsExactly(2L, 3L));
        assertThat(PrometheusRemoteWriteSinkWriter.sampleCount(List.of(a, c))).isEqualTo(4);
    }
}
