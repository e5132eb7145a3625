package io.tapflow.protocols;

import java.io.Serializable;

/**
 * One event of a streamed body: an SSE event ({@code text/event-stream}) or an NDJSON line.
 *
 * @param bodyOffset  offset of the event's first byte in the (de-chunked) body
 * @param timestampNs time of the call that delivered the event's last byte
 * @param event       the SSE {@code event:} field, or null (always null for NDJSON)
 * @param data        the SSE {@code data:} lines joined by '\n', or the NDJSON line; null when not captured
 */
public record StreamEvent(long bodyOffset, long timestampNs, String event, String data) implements Serializable {
}
