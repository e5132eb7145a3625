package io.tapflow.llm.recognition;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.ResponseStatus;
import org.junit.jupiter.api.Test;

/**
 * Formats no golden capture holds yet, as hand-written HTTP/1.1 bytes through the real parser ({@link HttpFixture}):
 * OpenAI chat with a role-only first chunk and include_usage, OpenAI non-streamed JSON, TGI generate_stream and
 * generate, Ollama chat, error bodies, malformed JSON.
 */
class LlmRequestAnalyzerFixtureTest {

    private static final LlmRequestAnalyzer ANALYZER =
            new LlmRequestAnalyzer(LlmEndpoints.defaults(), new TenantResolver("x-tenant", "salt-1"));

    private static Analysis analyze(HttpFixture f) {
        return ANALYZER.analyze(f.exchange()).orElseThrow();
    }

    @Test
    void openAiChatStreamMeasuresFromTheFirstContentChunkAndTakesUsage() {
        HttpFixture f = HttpFixture.post("/v1/chat/completions",
                "{\"model\":\"llama-3-8b\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}", 0,
                "Authorization: Bearer sk-secret-1")
                .streamHead("text/event-stream", 1_000)
                .chunk("data: {\"model\":\"llama-3-8b\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n", 5_000)
                .chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n", 50_000)
                .chunk("data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n", 70_000)
                .chunk("data: {\"choices\":[{\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}\n\n", 90_000)
                .chunk("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3}}\n\n", 91_000)
                .chunk("data: [DONE]\n\n", 92_000)
                .lastChunk(93_000);
        Analysis a = analyze(f);
        LlmRequest r = a.request();
        assertThat(r.getProvider()).isEqualTo("openai");
        assertThat(r.getOperation()).isEqualTo("chat");
        assertThat(r.getModel()).isEqualTo("llama-3-8b");
        assertThat(r.getTtftUs()).isEqualTo(50_000); // not the role-only chunk at 5 ms
        assertThat(r.getTpotUs()).isEqualTo(20_000); // (90 - 50) ms / (3 - 1)
        assertThat(r.getInputTokens()).isEqualTo(11);
        assertThat(r.getOutputTokens()).isEqualTo(3);
        assertThat(r.getTokensEstimated()).isFalse();
        assertThat(r.getTokensPerSecond()).isEqualTo(3 / 0.040);
        assertThat(r.getE2eUs()).isEqualTo(93_000);
        assertThat(r.getFinishReason()).isEqualTo("stop");
        assertThat(r.getComplete()).isTrue();
        assertThat(r.getError()).isNull();
        assertThat(a.malformedParts()).isZero();
        assertThat(r.getTenant()).matches("[0-9a-f]{32}").doesNotContain("secret");
    }

    @Test
    void openAiNonStreamedJsonUsesTheUsageObject() {
        HttpFixture f = HttpFixture.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"abcdefgh\"}", 0)
                .json(200, "OK", "{\"model\":\"m\",\"choices\":[{\"text\":\"hi there\",\"finish_reason\":\"length\"}],"
                        + "\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":7}}", 400_000);
        LlmRequest r = analyze(f).request();
        assertThat(r.getOperation()).isEqualTo("text_completion");
        assertThat(r.getStream()).isFalse();
        assertThat(r.getTtftUs()).isNull();
        assertThat(r.getTpotUs()).isNull();
        assertThat(r.getInputTokens()).isEqualTo(2);
        assertThat(r.getOutputTokens()).isEqualTo(7);
        assertThat(r.getTokensPerSecond()).isEqualTo(7 / 0.4);
        assertThat(r.getFinishReason()).isEqualTo("length");
        assertThat(r.getComplete()).isTrue();
    }

    @Test
    void tgiGenerateStreamCountsNonSpecialTokensAndReadsDetails() {
        HttpFixture f = HttpFixture.post("/generate_stream",
                "{\"inputs\":\"What is Deep Learning?\",\"parameters\":{\"max_new_tokens\":3}}", 0)
                .streamHead("text/event-stream", 500)
                .chunk("data:{\"index\":1,\"token\":{\"id\":1,\"text\":\"Deep\",\"logprob\":-0.1,\"special\":false},"
                        + "\"generated_text\":null,\"details\":null}\n\n", 30_000)
                .chunk("data:{\"index\":2,\"token\":{\"id\":2,\"text\":\" learning\",\"logprob\":-0.1,\"special\":false},"
                        + "\"generated_text\":null,\"details\":null}\n\n", 40_000)
                .chunk("data:{\"index\":3,\"token\":{\"id\":3,\"text\":\"</s>\",\"logprob\":-0.1,\"special\":true},"
                        + "\"generated_text\":\"Deep learning\",\"details\":{\"finish_reason\":\"eos_token\","
                        + "\"generated_tokens\":3,\"seed\":null}}\n\n", 50_000)
                .lastChunk(51_000);
        LlmRequest r = analyze(f).request();
        assertThat(r.getProvider()).isEqualTo("tgi");
        assertThat(r.getStream()).isTrue();
        assertThat(r.getTtftUs()).isEqualTo(30_000);
        assertThat(r.getOutputTokens()).isEqualTo(3); // details.generated_tokens
        assertThat(r.getTpotUs()).isEqualTo(5_000); // (40 - 30) ms / (3 - 1): the special token is not content
        assertThat(r.getInputTokens()).isEqualTo(6); // "What is Deep Learning?" = 22 chars / 4
        assertThat(r.getTokensEstimated()).isTrue();
        assertThat(r.getFinishReason()).isEqualTo("eos_token");
        assertThat(r.getComplete()).isTrue();
        assertThat(r.getModel()).isEqualTo("unknown");
    }

    @Test
    void tgiGenerate() {
        HttpFixture f = HttpFixture.post("/generate", "{\"inputs\":\"abcd\"}", 0)
                .json(200, "OK", "[{\"generated_text\":\"12345678\",\"details\":{\"finish_reason\":\"length\","
                        + "\"generated_tokens\":5}}]", 200_000);
        LlmRequest r = analyze(f).request();
        assertThat(r.getStream()).isFalse();
        assertThat(r.getOutputTokens()).isEqualTo(5);
        assertThat(r.getFinishReason()).isEqualTo("length");
        assertThat(r.getComplete()).isTrue();
    }

    @Test
    void ollamaChatStreamWithCounts() {
        HttpFixture f = HttpFixture.post("/api/chat",
                "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 0,
                "X-Tenant: acme")
                .streamHead("application/x-ndjson", 100)
                .chunk("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"He\"},\"done\":false}\n", 20_000)
                .chunk("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"y\"},\"done\":false}\n", 30_000)
                .chunk("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                        + "\"done_reason\":\"stop\",\"prompt_eval_count\":26,\"eval_count\":2}\n", 31_000)
                .lastChunk(32_000);
        LlmRequest r = analyze(f).request();
        assertThat(r.getOperation()).isEqualTo("chat");
        assertThat(r.getTtftUs()).isEqualTo(20_000);
        assertThat(r.getTpotUs()).isEqualTo(10_000);
        assertThat(r.getInputTokens()).isEqualTo(26);
        assertThat(r.getOutputTokens()).isEqualTo(2);
        assertThat(r.getTokensEstimated()).isFalse();
        assertThat(r.getFinishReason()).isEqualTo("stop");
        assertThat(r.getComplete()).isTrue();
        assertThat(r.getTenant()).isEqualTo(new TenantResolver("x-tenant", "salt-1").tenant(f.exchange().request()))
                .isNotEqualTo(new TenantResolver("x-tenant", "salt-2").tenant(f.exchange().request()))
                .hasSize(32);
    }

    @Test
    void errorBodyIsTheError() {
        HttpFixture f = HttpFixture.post("/v1/chat/completions", "{\"model\":\"gpt\",\"messages\":[]}", 0,
                "x-api-key: k-1")
                .json(429, "Too Many Requests",
                        "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}", 3_000);
        LlmRequest r = analyze(f).request();
        assertThat(r.getStatus()).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(r.getResponseCode()).isEqualTo(429);
        assertThat(r.getError()).isEqualTo("Rate limit reached");
        assertThat(r.getInputTokens()).isZero();
        assertThat(r.getOutputTokens()).isZero();
        assertThat(r.getComplete()).isTrue();
        assertThat(r.getTenant()).hasSize(32);
    }

    @Test
    void malformedBodiesAreFlaggedNeverThrown() {
        HttpFixture f = HttpFixture.post("/v1/chat/completions", "{\"model\":", 0)
                .json(200, "OK", "{\"choices\": [ nope", 3_000);
        Analysis a = analyze(f);
        assertThat(a.malformedParts()).isEqualTo(2);
        assertThat(a.request().getError()).startsWith("malformed JSON response body");
        assertThat(a.request().getModel()).isEqualTo("unknown");

        HttpFixture sse = HttpFixture.post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true}", 0)
                .streamHead("text/event-stream", 100)
                .chunk("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", 1_000)
                .chunk("data: {broken\n\n", 2_000)
                .chunk("data: [DONE]\n\n", 3_000)
                .lastChunk(3_100);
        Analysis s = analyze(sse);
        assertThat(s.malformedParts()).isEqualTo(1);
        assertThat(s.request().getOutputTokens()).isEqualTo(1);
        assertThat(s.request().getComplete()).isTrue();
        assertThat(s.request().getError()).contains("malformed stream event");
    }

    @Test
    void redactedRequestsKeepTheTenantButNotTheKey() {
        TenantResolver tenants = new TenantResolver(null, "salt-1");
        HttpFixture f = HttpFixture.post("/v1/chat/completions", "{\"model\":\"m\"}", 0,
                "Authorization: Bearer sk-secret-1");
        var request = f.exchange().request();
        assertThat(request.attributes()).containsKey("http.request.header.authorization");
        var redacted = tenants.redact(request);
        assertThat(redacted.attributes()).doesNotContainKey("http.request.header.authorization");
        assertThat(redacted.attributes().values()).noneMatch(v -> v.contains("sk-secret-1"));
        assertThat(tenants.tenant(redacted)).isEqualTo(tenants.tenant(request)).hasSize(32);
        assertThat(redacted.body()).isEqualTo(request.body());
    }

    @Test
    void routesWithPrefixesQueriesAndConfiguredPatterns() {
        LlmEndpoints endpoints = LlmEndpoints.withRoutes(java.util.List.of("gw:openai:chat:/llm/[a-z]+/chat"));
        assertThat(endpoints.recognize(HttpFixture.post("/openai/v1/chat/completions?api-version=1", "{}", 0)
                .exchange().request())).get().extracting(LlmEndpoint::provider).isEqualTo("openai");
        assertThat(endpoints.recognize(HttpFixture.post("/llm/team/chat", "{}", 0).exchange().request()))
                .get().extracting(LlmEndpoint::provider).isEqualTo("gw");
        assertThat(endpoints.recognize(HttpFixture.post("/v1/embeddings", "{}", 0).exchange().request())).isEmpty();
    }

    @Test
    void errorEventMidStreamMakesTheRequestIncomplete() {
        HttpFixture f = HttpFixture.post("/generate_stream", "{\"inputs\":\"abcd\"}", 0)
                .streamHead("text/event-stream", 500)
                .chunk("data:{\"index\":1,\"token\":{\"id\":1,\"text\":\"a\",\"special\":false},"
                        + "\"generated_text\":null,\"details\":null}\n\n", 10_000)
                .chunk("data:{\"error\":\"Request failed during generation: CUDA out of memory\","
                        + "\"error_type\":\"generation\"}\n\n", 20_000)
                .lastChunk(21_000);
        LlmRequest r = analyze(f).request();
        assertThat(r.getComplete()).isFalse();
        assertThat(r.getError()).isEqualTo("Request failed during generation: CUDA out of memory");
        assertThat(r.getOutputTokens()).isEqualTo(1);
        assertThat(r.getTokensEstimated()).isTrue();
    }
}
