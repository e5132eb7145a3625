package io.tapflow.llm.recognition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What the request body says: the model, whether a stream was asked for, and how much prompt text it carries
 * (OpenAI {@code messages[].content} / {@code prompt}, Ollama {@code prompt} / {@code messages}, TGI
 * {@code inputs}), from which input tokens are estimated when the response reports none.
 *
 * @param model       the "model" field, or null
 * @param stream      the "stream" field, or null when absent
 * @param promptChars characters of prompt text
 * @param error       why the body could not be read, or null (an empty body is not an error: GET routes have none)
 */
record RequestBody(String model, Boolean stream, long promptChars, String error) {

    static final ObjectMapper JSON = new ObjectMapper();

    static RequestBody read(byte[] body, boolean bodyTruncated) {
        if (body.length == 0) {
            return new RequestBody(null, null, 0, null);
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            return new RequestBody(null, null, 0, bodyTruncated
                    ? "request body longer than the kept prefix (" + body.length + " bytes)"
                    : "malformed JSON request body: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            return new RequestBody(null, null, 0, "request body is not a JSON object");
        }
        JsonNode stream = node.get("stream");
        return new RequestBody(ChunkReader.text(node, "model"),
                stream != null && stream.isBoolean() ? stream.asBoolean() : null,
                textChars(node.get("prompt")) + textChars(node.get("messages")) + textChars(node.get("inputs")),
                null);
    }

    /** Characters of all string leaves under "content"/"text" of messages, or of a prompt string/array. */
    private static long textChars(JsonNode n) {
        if (n == null || n.isNull()) {
            return 0;
        }
        if (n.isTextual()) {
            return n.asText().length();
        }
        long sum = 0;
        if (n.isArray()) {
            for (JsonNode e : n) {
                sum += textChars(e);
            }
        } else if (n.isObject()) {
            sum += textChars(n.get("content")) + textChars(n.get("text"));
        }
        return sum;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
