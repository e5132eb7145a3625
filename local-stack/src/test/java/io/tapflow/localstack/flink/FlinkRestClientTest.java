package io.tapflow.localstack.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlinkRestClientTest {

    @Test
    void summaryPrefersTheUserProgramsError() {
        String trace = """
                org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.
                \tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:114)
                Caused by: java.util.concurrent.CompletionException: org.apache.flink.util.FlinkRuntimeException: x
                \t... 2 more
                Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: boom
                Caused by: java.lang.IllegalStateException: boom
                """;
        assertThat(FlinkRestClient.summarize(List.of(trace)))
                .isEqualTo("Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method"
                        + " caused an error: boom");
        assertThat(FlinkRestClient.summarize(List.of("Not found: /jars/x/run"))).isEqualTo("Not found: /jars/x/run");
        assertThat(FlinkRestClient.summarize(List.of("a\nCaused by: b\nCaused by: c"))).isEqualTo("c");
        assertThat(FlinkRestClient.summarize(List.of())).isEqualTo("(no error text)");
    }

    @Test
    void refusesWhatIsNotAUrl() {
        assertThatThrownBy(() -> new FlinkRestClient("localhost:8081")).hasMessageContaining("not a REST URL");
    }
}
