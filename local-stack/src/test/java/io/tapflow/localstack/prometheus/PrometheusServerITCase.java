package io.tapflow.localstack.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedOutputStream;
import io.tapflow.localstack.process.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class PrometheusServerITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void remoteWrittenSampleCanBeQueried() throws Exception {
        Path dir;
        ProcessHandle handle;
        int port;
        try (PrometheusServer prom = PrometheusServer.start()) {
            dir = prom.directory();
            handle = ProcessHandle.of(prom.pid()).orElseThrow();
            port = prom.port();
            assertThat(prom.remoteWriteUrl()).isEqualTo(prom.url() + "/api/v1/write");

            long now = System.currentTimeMillis();
            int status = remoteWrite(prom.remoteWriteUrl(),
                    Map.of("__name__", "tapflow_it_requests_total", "service", "checkout"), 42.5, now);
            assertThat(status).isEqualTo(204);
            // an older sample of the same series: accepted because out-of-order writes are on
            int late = remoteWrite(prom.remoteWriteUrl(),
                    Map.of("__name__", "tapflow_it_requests_total", "service", "checkout"), 40.0, now - 60_000);
            assertThat(late).isEqualTo(204);

            JsonNode result = JSON.readTree(prom.query("tapflow_it_requests_total{service=\"checkout\"}"))
                    .path("data").path("result");
            assertThat(result).hasSize(1);
            assertThat(result.get(0).path("metric").path("service").asText()).isEqualTo("checkout");
            assertThat(result.get(0).path("value").get(1).asText()).isEqualTo("42.5");

            JsonNode count = JSON.readTree(prom.query("count_over_time(tapflow_it_requests_total[5m])"))
                    .path("data").path("result");
            assertThat(count.get(0).path("value").get(1).asText()).isEqualTo("2");

            assertThatThrownBy(() -> prom.query("sum(")).hasMessageContaining("bad_data");
        }
        assertThat(handle.isAlive()).isFalse();
        assertThat(FreePorts.isFree(port)).isTrue();
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void sharedIsOneServerPerJvm() {
        PrometheusServer a = PrometheusServer.shared();
        assertThat(PrometheusServer.shared()).isSameAs(a);
        assertThat(a.query("vector(1)")).contains("\"success\"");
    }

    /**
     * POSTs a remote-write 0.1.0 request the way real senders do: a protobuf {@code prometheus.WriteRequest} with one
     * TimeSeries (labels sorted by name, one Sample), snappy block-compressed.
     */
    static int remoteWrite(String url, Map<String, String> labels, double value, long timestampMs)
            throws IOException, InterruptedException {
        byte[] series = message(out -> {
            for (Map.Entry<String, String> l : new java.util.TreeMap<>(labels).entrySet()) {
                byte[] label = message(lo -> {
                    lo.writeString(1, l.getKey());
                    lo.writeString(2, l.getValue());
                });
                out.writeByteArray(1, label);
            }
            byte[] sample = message(so -> {
                so.writeDouble(1, value);
                so.writeInt64(2, timestampMs);
            });
            out.writeByteArray(2, sample);
        });
        byte[] writeRequest = message(out -> out.writeByteArray(1, series));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(writeRequest)))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("remote write answered: %s", response.body()).isLessThan(300);
        return response.statusCode();
    }

    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Writer writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        writer.write(out);
        out.flush();
        return bytes.toByteArray();
    }
}
