package io.tapflow.protocols;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings shared by all parsers.
 *
 * @param maxBufferedBytes captured bytes a decoder may hold while it waits for the rest of a header or frame;
 *                         beyond it the decoder reports {@link DecodeError.Kind#OVERSIZED} and resynchronises
 * @param maxBodyBytes     body bytes kept per message in {@link L7Message#body()} (0 = none)
 * @param maxEvents        SSE events / NDJSON lines kept per message (0 = none)
 * @param extraHeaders     further request headers (lower case) copied into the message's attributes
 * @param requestIdHeader  the header read as x_request_id (lower case)
 */
public record ParserOptions(int maxBufferedBytes, int maxBodyBytes, int maxEvents, List<String> extraHeaders,
                            String requestIdHeader) implements Serializable {

    public static final ParserOptions DEFAULTS = new ParserOptions(256 * 1024, 0, 0, List.of(), "x-request-id");

    public ParserOptions {
        if (maxBufferedBytes < 1024) {
            throw new IllegalArgumentException("maxBufferedBytes must be >= 1024, got " + maxBufferedBytes);
        }
        if (maxBodyBytes < 0 || maxEvents < 0) {
            throw new IllegalArgumentException("maxBodyBytes and maxEvents must be >= 0");
        }
        extraHeaders = extraHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        requestIdHeader = Objects.requireNonNull(requestIdHeader, "requestIdHeader").toLowerCase(Locale.ROOT);
    }

    public ParserOptions withBodies(int maxBodyBytes, int maxEvents) {
        return new ParserOptions(maxBufferedBytes, maxBodyBytes, maxEvents, extraHeaders, requestIdHeader);
    }
}
