package io.tapflow.schema.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.schema.retry.RetryPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Client behaviour that needs no registry: an unreachable one and configuration. */
class SchemaRegistryClientTest {

    /** A port that was just free and is now closed: connecting to it is refused at once. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void unreachableRegistryIsRetriedABoundedNumberOfTimes() throws IOException {
        String url = "http://127.0.0.1:" + closedPort();
        RetryPolicy retry = new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(80));
        SchemaRegistryClient client = SchemaRegistryClient.builder(url).retry(retry)
                .timeout(Duration.ofSeconds(2)).build();

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.getById(1))
                .isInstanceOfSatisfying(RegistryUnreachableException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(4);
                    assertThat(e.url()).isEqualTo(url + "/schemas/ids/1");
                    assertThat(e.getCause()).isInstanceOf(ConnectException.class);
                })
                .hasMessageContaining(url + "/schemas/ids/1")
                .hasMessageContaining("after 4 attempts");
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

        // three pauses between four attempts: 50 + 80 + 80 ms (capped), and not much more
        assertThat(elapsedMs).isBetween(210L, 5_000L);
    }

    @Test
    void singleAttemptMeansNoRetry() throws IOException {
        SchemaRegistryClient client = SchemaRegistryClient.builder("http://127.0.0.1:" + closedPort())
                .retry(new RetryPolicy(1, Duration.ofSeconds(10), Duration.ofSeconds(10))).build();

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.register("s-value", Schema.create(Schema.Type.STRING)))
                .isInstanceOfSatisfying(RegistryUnreachableException.class,
                        e -> assertThat(e.attempts()).isEqualTo(1))
                .hasMessageContaining("after 1 attempt,");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000L);
    }

    @Test
    void credentialsNeverShowUp() throws IOException {
        int port = closedPort();
        SchemaRegistryClient fromUrl = SchemaRegistryClient.builder("http://alice:s3cret@127.0.0.1:" + port)
                .retry(new RetryPolicy(1, Duration.ZERO, Duration.ZERO)).build();
        SchemaRegistryClient fromConfig = SchemaRegistryClient.fromConfig(Map.of(
                SchemaRegistryClientConfig.URL, "http://127.0.0.1:" + port,
                SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO, "bob:hunter2",
                SchemaRegistryClientConfig.RETRY_MAX_ATTEMPTS, "1"));

        assertThat(fromUrl.url()).isEqualTo("http://127.0.0.1:" + port);
        assertThat(fromUrl.toString()).doesNotContain("s3cret").contains("basic-auth");
        assertThat(fromConfig.toString()).doesNotContain("hunter2");
        assertThatThrownBy(() -> fromUrl.getById(3)).message().doesNotContain("s3cret").doesNotContain("alice");
        assertThatThrownBy(() -> fromConfig.getById(3)).message().doesNotContain("hunter2");
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> SchemaRegistryClient.fromConfig(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> SchemaRegistryClient.fromConfig(Map.of(
                SchemaRegistryClientConfig.URL, "http://localhost:8081",
                SchemaRegistryClientConfig.REQUEST_TIMEOUT_MS, "soon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request.timeout.ms");
        assertThatThrownBy(() -> SchemaRegistryClient.builder("localhost:8081").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://host:port");
    }
}
