package io.tapflow.llm.recognition;

import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.StreamEvent;
import java.io.IOException;
import java.util.Locale;

/**
 * One pass over a response: its stream events in order (or its JSON body), folding what the {@link ChunkReader}
 * finds into token times, counts, usage, finish reason, terminal marker and errors. Never throws on bad input:
 * a part that is not JSON is counted in {@link #malformed} and its reason kept in {@link #problem}.
 */
final class ResponseScan {

    private final ChunkReader reader;

    boolean streamed;
    /** Time of the first and last content-bearing event, ns; -1 when none. */
    long firstTokenNs = -1;
    long lastTokenNs = -1;
    long contentEvents;
    long textChars;
    String finishReason;
    Long promptTokens;
    Long completionTokens;
    /** A terminal marker was seen: [DONE], done:true, TGI details, a finish reason, or the end of a JSON body. */
    boolean terminal;
    String model;
    /** Error the provider reported in the body or a stream event. */
    String providerError;
    int malformed;
    /** The first reason the response could not be read fully (malformed part, capture gap, dropped events). */
    String problem;

    ResponseScan(LlmDialect dialect) {
        this.reader = ChunkReader.of(dialect);
    }

    void scan(L7Message response) {
        streamed = !response.events().isEmpty() || streamingContentType(response);
        if (streamed) {
            for (StreamEvent e : response.events()) {
                event(e);
            }
            if (response.eventsTruncated()) {
                problem("more stream events than the job keeps: later tokens and usage were not seen");
            }
        } else {
            body(response);
        }
    }

    private static boolean streamingContentType(L7Message response) {
        String type = response.attributes().get("http.content_type");
        if (type == null) {
            return false;
        }
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("text/event-stream") || t.startsWith("application/x-ndjson");
    }

    private void event(StreamEvent e) {
        if (e.data() == null) {
            problem("stream event at body offset " + e.bodyOffset() + " was not captured");
            return;
        }
        if (reader.isEndMarker(e.data())) {
            terminal = true;
            return;
        }
        JsonNode node;
        try {
            node = RequestBody.JSON.readTree(e.data());
        } catch (IOException ex) {
            node = null;
        }
        if (node == null || !(node.isObject() || node.isArray())) {
            malformed++;
            problem("malformed stream event at body offset " + e.bodyOffset() + ": not a JSON object");
            return;
        }
        fold(reader.read(node), e.timestampNs());
    }

    private void body(L7Message response) {
        byte[] body = response.body();
        if (body.length == 0) {
            return;
        }
        JsonNode node;
        try {
            node = RequestBody.JSON.readTree(body);
        } catch (IOException ex) {
            if (ex instanceof JsonEOFException || response.truncated()) {
                // the JSON ends early: cut by the kept prefix or the capture, not malformed by the server
                problem("response body cut after " + body.length + " bytes (kept prefix or capture): usage not seen");
            } else {
                malformed++;
                problem("malformed JSON response body: " + RequestBody.firstLine(ex.getMessage()));
            }
            return;
        }
        if (node == null || !(node.isObject() || node.isArray())) {
            malformed++;
            problem("response body is not a JSON object");
            return;
        }
        Chunk c = reader.read(node);
        fold(c, response.endTimestampNs());
        textChars += c.textChars();
        terminal = true;
    }

    private void fold(Chunk c, long timestampNs) {
        if (c.content()) {
            if (firstTokenNs < 0) {
                firstTokenNs = timestampNs;
            }
            lastTokenNs = timestampNs;
            contentEvents++;
        }
        if (c.finishReason() != null) {
            finishReason = c.finishReason();
            terminal = true;
        }
        if (c.promptTokens() != null) {
            promptTokens = c.promptTokens();
        }
        if (c.completionTokens() != null) {
            completionTokens = c.completionTokens();
        }
        if (c.done()) {
            terminal = true;
        }
        if (model == null && c.model() != null) {
            model = c.model();
        }
        if (c.error() != null && providerError == null) {
            providerError = c.error();
        }
    }

    private void problem(String reason) {
        if (problem == null) {
            problem = reason;
        }
    }
}
