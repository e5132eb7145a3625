package io.tapflow.flink.sink.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PrometheusRemoteWriteSinkBuilderTest {

    private static PrometheusRemoteWriteSinkBuilder valid() {
        return PrometheusRemoteWriteSink.builder().setUrl("http://127.0.0.1:9090/api/v1/write");
    }

    @Test
    void defaultsAreUsable() {
        PrometheusRemoteWriteSink sink = valid().build();

        assertThat(sink.settings().url().toString()).isEqualTo("http://127.0.0.1:9090/api/v1/write");
        assertThat(sink.settings().maxRetries()).isEqualTo(PrometheusRemoteWriteSinkBuilder.DEFAULT_MAX_RETRIES);
        assertThat(sink.settings().worstCaseMs()).isPositive();
    }

    @Test
    void urlMustBeAnHttpUrlWithAHost() {
        assertThatThrownBy(() -> PrometheusRemoteWriteSink.builder().build()).hasMessageContaining("url is required");
        assertThatThrownBy(() -> valid().setUrl("ftp://h/x").build()).hasMessageContaining("http or https");
        assertThatThrownBy(() -> valid().setUrl("/api/v1/write").build()).hasMessageContaining("http or https");
        assertThatThrownBy(() -> valid().setUrl("http://exa mple").build()).hasMessageContaining("not a URI");
        assertThatThrownBy(() -> valid().setUrl("http:///api").build()).hasMessageContaining("no host");
        assertThat(valid().setUrl("HTTPS://prom.example:443/api/v1/write").build()).isNotNull();
    }

    @Test
    void batchingAndRetrySettingsAreChecked() {
        assertThatThrownBy(() -> valid().setMaxBatchSize(0).build()).hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() -> valid().setMaxBatchSizeInBytes(0).build()).hasMessageContaining("maxBatchSizeInBytes");
        assertThatThrownBy(() -> valid().setMaxInFlightRequests(0).build()).hasMessageContaining("maxInFlight");
        assertThatThrownBy(() -> valid().setMaxBatchSize(100).setMaxBufferedRequests(100).build())
                .hasMessageContaining("maxBufferedRequests");
        assertThatThrownBy(() -> valid().setMaxTimeInBuffer(Duration.ZERO).build())
                .hasMessageContaining("maxTimeInBuffer");
        assertThatThrownBy(() -> valid().setMaxRetries(-1).build()).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> valid().setBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
                .hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> valid().setHttpTimeout(null).build()).hasMessageContaining("httpTimeout");
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        RemoteWriteSettings settings = valid().setBackoff(Duration.ofMillis(100), Duration.ofMillis(1000))
                .setMaxRetries(3).setHttpTimeout(Duration.ofSeconds(1)).build().settings();

        assertThat(settings.backoffMs(0)).isEqualTo(100);
        assertThat(settings.backoffMs(1)).isEqualTo(200);
        assertThat(settings.backoffMs(3)).isEqualTo(800);
        assertThat(settings.backoffMs(4)).isEqualTo(1000);
        assertThat(settings.backoffMs(200)).isEqualTo(1000);
        // 4 attempts of 1 s and 3 backoffs of 100 + 200 + 400 ms
        assertThat(settings.worstCaseMs()).isEqualTo(4_700);
    }
}
