package io.tapflow.llm.recognition;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Ollama's native API: {@code /api/generate} streams NDJSON objects {@code {"model":…,"response":…,"done":false}}
 * and {@code /api/chat} {@code {"message":{"role":…,"content":…},"done":false}}; the last object has
 * {@code "done": true}, {@code done_reason}, {@code eval_count} (output tokens) and {@code prompt_eval_count}
 * (input tokens). With {@code "stream": false} the single body is that last object with the whole text.
 */
final class OllamaChunkReader implements ChunkReader {

    static final OllamaChunkReader INSTANCE = new OllamaChunkReader();

    private OllamaChunkReader() {
    }

    @Override
    public Chunk read(JsonNode node) {
        String text = ChunkReader.text(node, "response");
        String thinking = ChunkReader.text(node, "thinking");
        boolean toolCall = false;
        JsonNode message = node.get("message");
        if (message != null && message.isObject()) {
            String c = ChunkReader.text(message, "content");
            text = text == null ? c : (c == null ? text : text + c);
            if (thinking == null) {
                thinking = ChunkReader.text(message, "thinking");
            }
            JsonNode tools = message.get("tool_calls");
            toolCall = tools != null && tools.isArray() && !tools.isEmpty();
        }
        int chars = (text == null ? 0 : text.length()) + (thinking == null ? 0 : thinking.length());
        JsonNode done = node.get("done");
        return new Chunk(chars > 0 || toolCall, chars, ChunkReader.text(node, "done_reason"),
                ChunkReader.count(node, "prompt_eval_count"), ChunkReader.count(node, "eval_count"),
                done != null && done.asBoolean(), ChunkReader.text(node, "model"), ChunkReader.error(node));
    }
}
