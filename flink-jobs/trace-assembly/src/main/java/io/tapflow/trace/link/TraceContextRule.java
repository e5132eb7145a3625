package io.tapflow.trace.link;

import io.tapflow.schema.LinkRule;
import io.tapflow.schema.RequestLog;
import java.util.List;
import java.util.function.Predicate;

/**
 * Propagated trace context (W3C traceparent, b3, uber-trace-id, sw8, decoded by the parsers into
 * {@code trace_id}/{@code span_id}/{@code parent_span_id}): logs with one trace id are one trace, and the ids the
 * application chose are kept.
 *
 * <p>The header on a hop names the caller's span: a client span with a header keeps its {@code span_id} (see
 * {@code SpanIds}), and the server span of the same hop is its child — parent = the client log that carried the
 * same (trace id, span id). An outbound call whose header names a parent (b3 {@code X-B3-ParentSpanId},
 * uber-trace-id, sw8) is a child of the inbound hop whose span id that is — parent = the server log that carried it.
 * A reference to a span that was not captured is kept by the assembler as a dangling parent, not resolved here.
 *
 * <p>Applications that propagate headers without being instrumented (the Istio model: copy the inbound trace headers
 * onto every outbound call) forward the header unchanged, so every hop of a request names the same span. Then the
 * caller of a server span is the client span of the same connection (same client and server ip:port), not just any
 * client that carried the id; and the inbound hop an outbound call was made for is the one its own process served
 * (same agent and pid). Only when no candidate is that close does the earliest one stand in.
 */
public final class TraceContextRule implements SpanLinkRule {

    private static final long serialVersionUID = 1L;

    static final String PREFIX = "ctx:";

    @Override
    public LinkRule rule() {
        return LinkRule.TRACE_CONTEXT;
    }

    @Override
    public List<String> linkKeys(RequestLog log) {
        String traceId = traceId(log);
        return traceId == null ? List.of() : List.of(PREFIX + traceId);
    }

    @Override
    public boolean links(RequestLog a, RequestLog b) {
        String traceId = traceId(a);
        return traceId != null && !a.getLogId().equals(b.getLogId()) && traceId.equals(traceId(b));
    }

    @Override
    public RequestLog parent(RequestLog child, List<RequestLog> trace) {
        String traceId = traceId(child);
        if (traceId == null) {
            return null;
        }
        if (RequestLogs.isServer(child) && present(child.getSpanId())) {
            return closest(trace, child, traceId, child.getSpanId(), true, c -> RequestLogs.sameConnection(c, child));
        }
        if (RequestLogs.isClient(child) && present(child.getParentSpanId())) {
            return closest(trace, child, traceId, child.getParentSpanId(), false, s -> sameProcess(s, child));
        }
        return null;
    }

    /**
     * Among the logs that carried (trace id, span id) on the other side of {@code child} (clients of a server span,
     * servers of a client span): the earliest that is also {@code close} to it, else the earliest.
     */
    private static RequestLog closest(List<RequestLog> trace, RequestLog child, String traceId, String spanId,
            boolean clients, Predicate<RequestLog> close) {
        RequestLog best = null;
        boolean bestClose = false;
        for (RequestLog c : trace) {
            if (c == child || !traceId.equals(traceId(c)) || !spanId.equalsIgnoreCase(c.getSpanId())
                    || !(clients ? RequestLogs.isClient(c) : RequestLogs.isServer(c))) {
                continue;
            }
            boolean isClose = close.test(c);
            if (best == null || (isClose && !bestClose)
                    || (isClose == bestClose && RequestLogs.BY_START.compare(c, best) < 0)) {
                best = c;
                bestClose = isClose;
            }
        }
        return best;
    }

    /** The server span was served by the process that made the client call. */
    private static boolean sameProcess(RequestLog server, RequestLog client) {
        return server.getAgentId().equals(client.getAgentId()) && server.getServerPid() != null
                && server.getServerPid().equals(client.getClientPid());
    }

    /** The propagated trace id in lower case, or null when the log carried none. */
    public static String traceId(RequestLog log) {
        String id = log.getTraceId();
        return present(id) ? id.toLowerCase(java.util.Locale.ROOT) : null;
    }

    static boolean present(String id) {
        return id != null && !id.isBlank();
    }
}
