package io.tapflow.protocols;

import java.io.Serializable;

/**
 * Trace ids an application already propagates in a request, from the first header that carried them.
 *
 * @param traceId      trace id as lower-case hex (W3C: 32 chars; b3 and uber may be 16)
 * @param spanId       id of the span that sent this request (the caller's span), hex
 * @param parentSpanId the caller's parent span id when the format carries it (b3, uber), else null
 * @param format       which header it came from: traceparent, b3, x-b3, uber-trace-id or sw8
 */
public record TraceContext(String traceId, String spanId, String parentSpanId, String format) implements Serializable {
}
