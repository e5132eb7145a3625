package io.tapflow.llm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.flink.config.PipelineOptions;
import io.tapflow.llm.LlmMetricsJob;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlmMetricsOptionsTest {

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put(PipelineOptions.KAFKA.name(), "broker:9092");
        m.put(PipelineOptions.REGISTRY.name(), "http://registry:8081");
        m.put(PipelineOptions.CLICKHOUSE.name(), "http://clickhouse:8123");
        m.put(LlmMetricsOptions.TENANT_SALT.name(), "s3cr3t-salt-value");
        return m;
    }

    @Test
    void jobOptionsConfigureTheFrontEndAndTheSaltIsNeverPrinted() throws Exception {
        Map<String, String> m = minimal();
        m.put(LlmMetricsOptions.ROUTES.name(), "gw:openai:chat:/llm/[a-z]+/chat");
        m.put(LlmMetricsOptions.TENANT_HEADER.name(), "X-Tenant");
        m.put(LlmMetricsOptions.EXCHANGE_TIMEOUT.name(), "3m");
        LlmMetricsOptions o = LlmMetricsOptions.of(m);

        assertThat(o.assembly().exchangeTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(o.pipelineSettings().hold()).isEqualTo(Duration.ofMinutes(3));
        assertThat(o.tenants().headersToCapture()).contains("x-tenant");
        L7Message gateway = L7Message.builder(L7Protocol.HTTP1, MessageKind.REQUEST).requestType("GET")
                .requestResource("/llm/mistral/chat").build();
        assertThat(o.endpoints().recognize(gateway)).isPresent();
        assertThat(o.prometheusUrl()).isEmpty();
        assertThat(o.toString()).doesNotContain("s3cr3t-salt-value");
        assertThat(JobOptions.help(LlmMetricsJob.NAME, LlmMetricsOptions.ALL))
                .contains("llm.routes", "llm.tenant-header", "llm.tenant-hash-secret", "prometheus.remote-write-url",
                        "llm.exchange-timeout", "clickhouse.url");
    }

    @Test
    void usageBillsTheServerSideUnlessToldOtherwise() throws Exception {
        assertThat(LlmMetricsOptions.of(minimal()).pipelineSettings().billedAt())
                .isEqualTo(ObservationPoint.SERVER_PROCESS);
        Map<String, String> client = minimal();
        client.put(LlmMetricsOptions.BILLED_AT.name(), "CLIENT_PROCESS");
        assertThat(LlmMetricsOptions.of(client).pipelineSettings().billedAt())
                .isEqualTo(ObservationPoint.CLIENT_PROCESS);
        Map<String, String> both = minimal();
        both.put(LlmMetricsOptions.BILLED_AT.name(), "both");
        assertThatThrownBy(() -> LlmMetricsOptions.of(both)).isInstanceOf(InvalidJobOptionsException.class)
                .hasMessageContaining("llm.billing-observation-point");
    }

    @Test
    void invalidOptionsThrowInsteadOfExiting() {
        Map<String, String> noSalt = minimal();
        noSalt.remove(LlmMetricsOptions.TENANT_SALT.name());
        assertThatThrownBy(() -> LlmMetricsOptions.of(noSalt)).isInstanceOf(InvalidJobOptionsException.class)
                .hasMessageContaining("llm.tenant-hash-secret");

        Map<String, String> badRoute = minimal();
        badRoute.put(LlmMetricsOptions.ROUTES.name(), "no-colons-here");
        assertThatThrownBy(() -> LlmMetricsOptions.of(badRoute)).isInstanceOf(InvalidJobOptionsException.class)
                .hasMessageContaining("llm.routes");

        Map<String, String> badUrl = minimal();
        badUrl.put(LlmMetricsOptions.PROMETHEUS_URL.name(), "prometheus:9090");
        assertThatThrownBy(() -> LlmMetricsOptions.of(badUrl)).isInstanceOf(InvalidJobOptionsException.class)
                .hasMessageContaining("prometheus.remote-write-url");

        assertThatThrownBy(() -> LlmMetricsJob.main(new String[] {"--llm.exchange-timeout", "soon"}))
                .isInstanceOf(InvalidJobOptionsException.class);
    }
}
