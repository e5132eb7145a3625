package io.tapflow.llm.recognition;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads the JSON of one stream event or non-streamed body of a {@link LlmDialect}. */
interface ChunkReader {

    Chunk read(JsonNode node);

    /** True for a non-JSON event that ends the stream (OpenAI's {@code data: [DONE]}). */
    default boolean isEndMarker(String data) {
        return false;
    }

    static ChunkReader of(LlmDialect dialect) {
        return switch (dialect) {
            case OPENAI -> OpenAiChunkReader.INSTANCE;
            case TGI -> TgiChunkReader.INSTANCE;
            case OLLAMA -> OllamaChunkReader.INSTANCE;
        };
    }

    /** Text of a field when it is a non-empty string, else null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    /** A non-negative integer field, else null. */
    static Long count(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.canConvertToLong() && v.isIntegralNumber() && v.asLong() >= 0 ? v.asLong() : null;
    }

    /** The message of an error field: a string, or an object's "message". */
    static String error(JsonNode node) {
        JsonNode e = node.get("error");
        if (e == null || e.isNull()) {
            return null;
        }
        if (e.isTextual()) {
            return e.asText();
        }
        String message = text(e, "message");
        return message != null ? message : e.toString();
    }
}
