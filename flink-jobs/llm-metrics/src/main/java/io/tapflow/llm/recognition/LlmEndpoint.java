package io.tapflow.llm.recognition;

import java.io.Serializable;
import java.util.Objects;

/**
 * What a recognised route is.
 *
 * @param provider      LlmRequest.provider: 'openai', 'tgi', 'ollama' or a configured name
 * @param operation     LlmRequest.operation (OpenTelemetry gen_ai.operation.name)
 * @param dialect       how its bodies and stream events are read
 * @param streamDefault whether the response streams when the request body does not say (Ollama streams unless
 *                      {@code "stream": false}; TGI's {@code /generate_stream} always streams)
 */
public record LlmEndpoint(String provider, String operation, LlmDialect dialect, boolean streamDefault)
        implements Serializable {

    public static final String CHAT = "chat";
    public static final String TEXT_COMPLETION = "text_completion";
    public static final String GENERATE_CONTENT = "generate_content";

    public LlmEndpoint {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(dialect, "dialect");
    }
}
