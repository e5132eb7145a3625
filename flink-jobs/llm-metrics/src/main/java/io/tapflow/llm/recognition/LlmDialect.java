package io.tapflow.llm.recognition;

/**
 * The wire shape of an LLM API's request and response bodies: decides how stream events and JSON bodies are read.
 * vLLM, TGI's Messages API, llama.cpp's server and most gateways speak {@link #OPENAI}.
 */
public enum LlmDialect {
    /** OpenAI chat/completions: SSE {@code data: {chunk}} up to {@code data: [DONE]}, usage object. */
    OPENAI,
    /** Hugging Face TGI {@code /generate} and {@code /generate_stream}: SSE token events, final {@code details}. */
    TGI,
    /** Ollama {@code /api/generate} and {@code /api/chat}: NDJSON objects, the last with {@code done: true}. */
    OLLAMA
}
