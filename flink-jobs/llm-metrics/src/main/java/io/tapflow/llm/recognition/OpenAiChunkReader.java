package io.tapflow.llm.recognition;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * OpenAI chat and text completions as OpenAI, vLLM, TGI's Messages API and llama.cpp send them: stream chunks
 * {@code {"choices":[{"delta":{"content":…},"finish_reason":…}]}} (text completions: {@code choices[].text}), the
 * usage chunk {@code {"choices":[],"usage":{…}}} when {@code stream_options.include_usage} is set, and
 * non-streamed bodies with {@code choices[].message} and {@code usage}. The first chat chunk usually carries only
 * {@code delta.role} and an empty content: it is not content.
 */
final class OpenAiChunkReader implements ChunkReader {

    static final OpenAiChunkReader INSTANCE = new OpenAiChunkReader();

    private OpenAiChunkReader() {
    }

    @Override
    public boolean isEndMarker(String data) {
        return "[DONE]".equals(data.trim());
    }

    @Override
    public Chunk read(JsonNode node) {
        boolean content = false;
        int chars = 0;
        String finish = null;
        JsonNode choices = node.get("choices");
        if (choices != null && choices.isArray()) {
            for (JsonNode choice : choices) {
                for (String holder : new String[] {"delta", "message"}) {
                    JsonNode m = choice.get(holder);
                    if (m == null || !m.isObject()) {
                        continue;
                    }
                    String text = ChunkReader.text(m, "content");
                    String reasoning = ChunkReader.text(m, "reasoning_content");
                    if (reasoning == null) {
                        reasoning = ChunkReader.text(m, "reasoning");
                    }
                    JsonNode tools = m.get("tool_calls");
                    boolean toolCall = tools != null && tools.isArray() && !tools.isEmpty();
                    if (text != null || reasoning != null || toolCall) {
                        content = true;
                        chars += (text == null ? 0 : text.length()) + (reasoning == null ? 0 : reasoning.length());
                    }
                }
                String text = ChunkReader.text(choice, "text");
                if (text != null) {
                    content = true;
                    chars += text.length();
                }
                String f = ChunkReader.text(choice, "finish_reason");
                if (f != null) {
                    finish = f;
                }
            }
        }
        if (finish == null) {
            // lenient: some gateways put it at the top level of the last chunk
            finish = ChunkReader.text(node, "finish_reason");
        }
        JsonNode usage = node.get("usage");
        Long prompt = null;
        Long completion = null;
        if (usage != null && usage.isObject()) {
            prompt = ChunkReader.count(usage, "prompt_tokens");
            completion = ChunkReader.count(usage, "completion_tokens");
        }
        return new Chunk(content, chars, finish, prompt, completion, false, ChunkReader.text(node, "model"),
                ChunkReader.error(node));
    }
}
