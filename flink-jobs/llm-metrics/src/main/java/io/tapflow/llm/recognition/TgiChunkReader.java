package io.tapflow.llm.recognition;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hugging Face TGI's native API: {@code /generate_stream} sends one SSE event per token
 * {@code {"token":{"text":…,"special":false},"generated_text":null,"details":null}}, the last with
 * {@code generated_text} and {@code details.generated_tokens}/{@code finish_reason}; {@code /generate} answers
 * {@code {"generated_text":…,"details":{…}}} (or a one-element array of it). Special tokens (end of sequence) are
 * not content. Input tokens are reported only as {@code details.prefill} when the request asked for
 * {@code decoder_input_details}.
 */
final class TgiChunkReader implements ChunkReader {

    static final TgiChunkReader INSTANCE = new TgiChunkReader();

    private TgiChunkReader() {
    }

    @Override
    public Chunk read(JsonNode node) {
        if (node.isArray()) {
            return node.isEmpty() ? Chunk.EMPTY : read(node.get(0));
        }
        boolean content = false;
        int chars = 0;
        JsonNode token = node.get("token");
        boolean streamed = token != null && token.isObject();
        if (streamed) {
            String text = ChunkReader.text(token, "text");
            JsonNode special = token.get("special");
            if (text != null && !(special != null && special.asBoolean())) {
                content = true;
                chars = text.length();
            }
        } else {
            String generated = ChunkReader.text(node, "generated_text");
            if (generated != null) {
                content = true;
                chars = generated.length();
            }
        }
        JsonNode details = node.get("details");
        boolean hasDetails = details != null && details.isObject();
        Long prompt = null;
        if (hasDetails && details.get("prefill") != null && details.get("prefill").isArray()
                && !details.get("prefill").isEmpty()) {
            prompt = (long) details.get("prefill").size();
        }
        JsonNode generatedText = node.get("generated_text");
        // the last stream event and a /generate body carry generated_text; an error event carries neither
        boolean done = hasDetails || (generatedText != null && !generatedText.isNull());
        return new Chunk(content, chars, hasDetails ? ChunkReader.text(details, "finish_reason") : null, prompt,
                hasDetails ? ChunkReader.count(details, "generated_tokens") : null, done, null,
                ChunkReader.error(node));
    }
}
